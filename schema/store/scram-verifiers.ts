// mail_account_scram: the SCRAM-SHA-256 verifier kept beside an account's
// scrypt hash (RFC 5802 §3). Written with every password; accounts whose
// password predates SCRAM get theirs at their next successful PLAIN/LOGIN.
import { makeScramVerifier, type ScramVerifier } from '../sasl/scram.ts';
import type { MailAccountRow } from './rows.ts';
import { now, type Queryable, type Store, write } from './store.ts';

/** Writes (or replaces) the verifier for `password`; a password SASLprep refuses leaves none, so SCRAM fails for it. */
export async function writeScramVerifier(tx: Queryable, accountId: number, verifier: ScramVerifier | null): Promise<void> {
  if (!verifier) {
    await tx.run(`DELETE FROM mail_account_scram WHERE mail_account_id = ?`, accountId);
    return;
  }
  await tx.run(
    `INSERT INTO mail_account_scram (mail_account_id, salt, iterations, stored_key, server_key, updated_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (mail_account_id) DO UPDATE SET salt = excluded.salt, iterations = excluded.iterations,
       stored_key = excluded.stored_key, server_key = excluded.server_key, updated_at = excluded.updated_at`,
    accountId,
    verifier.salt.toString('base64'),
    verifier.iterations,
    verifier.storedKey.toString('base64'),
    verifier.serverKey.toString('base64'),
    now(),
  );
}

export async function findScramVerifier(store: Queryable, accountId: number): Promise<ScramVerifier | undefined> {
  const row = await store.get<{ salt: string; iterations: number; stored_key: string; server_key: string }>(
    `SELECT salt, iterations, stored_key, server_key FROM mail_account_scram WHERE mail_account_id = ?`,
    accountId,
  );
  if (!row) return undefined;
  return {
    salt: Buffer.from(row.salt, 'base64'),
    iterations: Number(row.iterations),
    storedKey: Buffer.from(row.stored_key, 'base64'),
    serverKey: Buffer.from(row.server_key, 'base64'),
  };
}

/**
 * After a successful password check: stores the verifier when the account has
 * none yet, unless the password changed meanwhile (then the change wrote one).
 */
export async function addMissingScramVerifier(store: Store, account: MailAccountRow, password: string): Promise<void> {
  if (await store.get(`SELECT 1 FROM mail_account_scram WHERE mail_account_id = ?`, account.id)) return;
  const verifier = await makeScramVerifier(password);
  if (!verifier) return;
  await write(store, async (tx) => {
    const current = await tx.get<{ password_hash: string }>(`SELECT password_hash FROM mail_account WHERE id = ?`, account.id);
    if (current?.password_hash !== account.password_hash) return;
    await tx.run(
      `INSERT INTO mail_account_scram (mail_account_id, salt, iterations, stored_key, server_key) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (mail_account_id) DO NOTHING`,
      account.id,
      verifier.salt.toString('base64'),
      verifier.iterations,
      verifier.storedKey.toString('base64'),
      verifier.serverKey.toString('base64'),
    );
  });
}
