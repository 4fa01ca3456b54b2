// certificate rows as the admin API manages them: an empty record for a
// hostname (Daptin's first step before generating), settings, and deletion.
import crypto from 'node:crypto';
import { certificate } from '../tables.ts';
import { StoreError } from './errors.ts';
import { insertRow, rowOrUndefined, updateRows } from './row-codec.ts';
import type { CertificateRow } from './rows.ts';
import { now, type Store, write } from './store.ts';

export type CertificateSettings = Partial<Pick<CertificateRow, 'alt_names' | 'acme_email' | 'acme_directory_url'>>;

/** A record with no material yet (source "none"); generate or import fills it. */
export async function createCertificateRecord(
  store: Store,
  hostname: string,
  settings: CertificateSettings,
  userAccountId: number | null,
): Promise<CertificateRow> {
  const host = hostname.trim().toLowerCase();
  return write(store, async (tx) => {
    if (await tx.get(`SELECT 1 FROM certificate WHERE hostname = ?`, host)) {
      throw new StoreError('ALREADYEXISTS', `certificate for ${host} already exists`);
    }
    const row = await insertRow(tx, certificate, { ...settings, hostname: host, reference_id: crypto.randomUUID(), user_account_id: userAccountId });
    tx.notify('certificate', { hostname: host });
    return row;
  });
}

export async function updateCertificateSettings(store: Store, id: number, settings: CertificateSettings): Promise<CertificateRow> {
  return write(store, async (tx) => {
    const [row] = await updateRows(tx, certificate, { ...settings, updated_at: now() }, 'id = ?', id);
    if (!row) throw new StoreError('NONEXISTENT', 'certificate does not exist');
    return row;
  });
}

export async function deleteCertificate(store: Store, id: number): Promise<void> {
  await write(store, async (tx) => {
    const row = rowOrUndefined(certificate, await tx.get(`DELETE FROM certificate WHERE id = ? RETURNING *`, id));
    if (!row) throw new StoreError('NONEXISTENT', 'certificate does not exist');
    tx.notify('certificate', { hostname: row.hostname });
  });
}
