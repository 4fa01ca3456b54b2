// certificate rows as the admin API manages them: an empty record for a
// hostname (Daptin's first step before generating), settings, and deletion.
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { certificate } from '../tables.ts';
import { StoreError } from './errors.ts';
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
  return write(store, (ctx) => {
    if (store.db.select().from(certificate).where(eq(certificate.hostname, host)).get()) {
      throw new StoreError('ALREADYEXISTS', `certificate for ${host} already exists`);
    }
    const row = store.db
      .insert(certificate)
      .values({ ...settings, hostname: host, reference_id: crypto.randomUUID(), user_account_id: userAccountId })
      .returning()
      .get();
    ctx.notify('certificate', { hostname: host });
    return row;
  });
}

export async function updateCertificateSettings(store: Store, id: number, settings: CertificateSettings): Promise<CertificateRow> {
  return write(store, () => {
    const row = store.db
      .update(certificate)
      .set({ ...settings, updated_at: now() })
      .where(eq(certificate.id, id))
      .returning()
      .get();
    if (!row) throw new StoreError('NONEXISTENT', 'certificate does not exist');
    return row;
  });
}

export async function deleteCertificate(store: Store, id: number): Promise<void> {
  await write(store, (ctx) => {
    const row = store.db.delete(certificate).where(eq(certificate.id, id)).returning().get();
    if (!row) throw new StoreError('NONEXISTENT', 'certificate does not exist');
    ctx.notify('certificate', { hostname: row.hostname });
  });
}
