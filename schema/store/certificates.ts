// certificate rows: TLS material per hostname. Private keys are stored as the
// caller hands them (certs/ encrypts them before they get here).
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { certificate } from '../tables.ts';
import type { CertificateRow } from './rows.ts';
import { now, type Store, write } from './store.ts';

export type CertificateMaterial = Pick<
  CertificateRow,
  'source' | 'issuer' | 'generated_at' | 'expires_at' | 'certificate_pem' | 'root_certificate' | 'private_key_pem' | 'public_key_pem'
> &
  Partial<Pick<CertificateRow, 'alt_names' | 'acme_email' | 'acme_directory_url' | 'last_error'>>;

export async function findCertificate(store: Store, hostname: string): Promise<CertificateRow | undefined> {
  return store.db.select().from(certificate).where(eq(certificate.hostname, hostname.trim().toLowerCase())).get();
}

export async function listCertificates(store: Store): Promise<CertificateRow[]> {
  return store.db.select().from(certificate).all();
}

/** Creates or replaces the certificate for a hostname; listeners pick it up on the `certificate` event. */
export async function saveCertificate(
  store: Store,
  hostname: string,
  material: CertificateMaterial,
  userAccountId?: number | null,
): Promise<CertificateRow> {
  const host = hostname.trim().toLowerCase();
  return write(store, (ctx) => {
    const existing = store.db.select().from(certificate).where(eq(certificate.hostname, host)).get();
    const row = existing
      ? store.db
          .update(certificate)
          .set({ ...material, updated_at: now() })
          .where(eq(certificate.id, existing.id))
          .returning()
          .get()
      : store.db
          .insert(certificate)
          .values({ ...material, hostname: host, reference_id: crypto.randomUUID(), user_account_id: userAccountId ?? null })
          .returning()
          .get();
    ctx.notify('certificate', { hostname: host });
    return row;
  });
}
