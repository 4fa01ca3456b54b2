// dkim_key rows: signing keys per domain, separate from TLS keys. Private keys
// arrive sealed with the server secret (certs/ seals them).
import crypto from 'node:crypto';
import { dkimKey } from '../tables.ts';
import { StoreError } from './errors.ts';
import { insertRow, rowOrUndefined, rowsOf } from './row-codec.ts';
import { now, type Store, write } from './store.ts';

export type DkimKeyRow = typeof dkimKey.$inferSelect;

export interface NewDkimKey {
  domain: string;
  selector: string;
  algorithm: 'rsa' | 'ed25519';
  sealedPrivateKeyPem: string;
  publicKeyPem: string;
  /** Make this the domain's signing key (others stay published but inactive). */
  activate?: boolean;
}

export async function addDkimKey(store: Store, input: NewDkimKey): Promise<DkimKeyRow> {
  const domain = input.domain.trim().toLowerCase();
  const selector = input.selector.trim().toLowerCase();
  return write(store, async (tx) => {
    if (await tx.get(`SELECT 1 FROM dkim_key WHERE domain = ? AND selector = ?`, domain, selector)) {
      throw new StoreError('ALREADYEXISTS', `DKIM selector ${selector} already exists for ${domain}`);
    }
    const activate = input.activate ?? true;
    if (activate) await tx.run(`UPDATE dkim_key SET is_active = 0, updated_at = ? WHERE domain = ?`, now(), domain);
    return insertRow(tx, dkimKey, {
      reference_id: crypto.randomUUID(),
      domain,
      selector,
      algorithm: input.algorithm,
      private_key_pem: input.sealedPrivateKeyPem,
      public_key_pem: input.publicKeyPem,
      is_active: activate,
    });
  });
}

/** The key outbound mail for this domain is signed with, if any. */
export async function findActiveDkimKey(store: Store, domain: string): Promise<DkimKeyRow | undefined> {
  return rowOrUndefined(
    dkimKey,
    await store.get(`SELECT * FROM dkim_key WHERE domain = ? AND is_active = 1 ORDER BY id DESC LIMIT 1`, domain.trim().toLowerCase()),
  );
}

/** Every key of a domain (all of them stay published in DNS). */
export async function listDkimKeys(store: Store, domain?: string): Promise<DkimKeyRow[]> {
  const rows = !domain
    ? await store.all(`SELECT * FROM dkim_key ORDER BY id`)
    : await store.all(`SELECT * FROM dkim_key WHERE domain = ? ORDER BY id`, domain.trim().toLowerCase());
  return rowsOf(dkimKey, rows);
}

export async function activateDkimKey(store: Store, domain: string, selector: string): Promise<void> {
  const d = domain.trim().toLowerCase();
  await write(store, async (tx) => {
    const row = await tx.get<{ id: number }>(`SELECT id FROM dkim_key WHERE domain = ? AND selector = ?`, d, selector);
    if (!row) throw new StoreError('NONEXISTENT', `no DKIM selector ${selector} for ${d}`);
    await tx.run(`UPDATE dkim_key SET is_active = 0, updated_at = ? WHERE domain = ?`, now(), d);
    await tx.run(`UPDATE dkim_key SET is_active = 1, updated_at = ? WHERE id = ?`, now(), row.id);
  });
}
