// What a SCRAM exchange needs to answer a username: the account and its
// verifier, or, for an unknown address or an account without a verifier yet,
// a decoy that fails like a wrong password. The decoy's salt is an HMAC of the
// name under a key kept in the database (every node answers alike, across
// restarts), so repeated asks see the same salt for an unknown user as for a
// real one (RFC 5802 §5.1, "mock" salts).
import crypto from 'node:crypto';
import { SCRAM_ITERATIONS, SCRAM_SALT_BYTES, type ScramVerifier } from '../sasl/scram.ts';
import { findMailAccount, normalizeAddress } from './accounts.ts';
import type { MailAccountRow } from './rows.ts';
import { findScramVerifier } from './scram-verifiers.ts';
import { type Store, write } from './store.ts';

export interface ScramCredentials extends ScramVerifier {
  /** null for the decoy: no proof can match it. */
  account: MailAccountRow | null;
}

const decoyKeys = new WeakMap<Store, Promise<Buffer>>();

function decoyKey(store: Store): Promise<Buffer> {
  let key = decoyKeys.get(store);
  if (!key) {
    key = write(store, async (tx) => {
      await tx.run(`INSERT INTO heron_meta (key, value) VALUES ('scram_decoy_key', ?) ON CONFLICT (key) DO NOTHING`, crypto.randomBytes(32).toString('base64'));
      const row = await tx.get<{ value: string }>(`SELECT value FROM heron_meta WHERE key = 'scram_decoy_key'`);
      return Buffer.from(row!.value, 'base64');
    });
    key.catch(() => decoyKeys.delete(store));
    decoyKeys.set(store, key);
  }
  return key;
}

export async function scramCredentials(store: Store, username: string): Promise<ScramCredentials> {
  const account = await findMailAccount(store, username);
  const verifier = account ? await findScramVerifier(store, account.id) : undefined;
  if (account && verifier) return { ...verifier, account };
  const salt = crypto.createHmac('sha256', await decoyKey(store)).update(normalizeAddress(username)).digest().subarray(0, SCRAM_SALT_BYTES);
  return { salt, iterations: SCRAM_ITERATIONS, storedKey: crypto.randomBytes(32), serverKey: crypto.randomBytes(32), account: null };
}
