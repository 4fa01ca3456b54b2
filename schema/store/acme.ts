// ACME bookkeeping: account keys per contact email and directory (sealed by
// certs/), and the certificate columns the renewal service reads and writes.
import { and, eq } from 'drizzle-orm';
import { acmeAccount, certificate } from '../tables.ts';
import type { CertificateRow } from './rows.ts';
import { now, type Store, write } from './store.ts';

export type AcmeAccountRow = typeof acmeAccount.$inferSelect;

export async function findAcmeAccount(store: Store, email: string, directoryUrl: string): Promise<AcmeAccountRow | undefined> {
  return store.db
    .select()
    .from(acmeAccount)
    .where(and(eq(acmeAccount.email, email.trim().toLowerCase()), eq(acmeAccount.directory_url, directoryUrl)))
    .get();
}

/** Creates or updates the account for email+directory; the key arrives sealed. */
export async function saveAcmeAccount(
  store: Store,
  input: { email: string; directoryUrl: string; sealedAccountKeyPem: string; accountUrl: string },
): Promise<AcmeAccountRow> {
  const email = input.email.trim().toLowerCase();
  return write(store, () => {
    const existing = store.db
      .select()
      .from(acmeAccount)
      .where(and(eq(acmeAccount.email, email), eq(acmeAccount.directory_url, input.directoryUrl)))
      .get();
    const values = { account_key_pem: input.sealedAccountKeyPem, account_url: input.accountUrl };
    return existing
      ? store.db
          .update(acmeAccount)
          .set({ ...values, updated_at: now() })
          .where(eq(acmeAccount.id, existing.id))
          .returning()
          .get()
      : store.db
          .insert(acmeAccount)
          .values({ ...values, email, directory_url: input.directoryUrl })
          .returning()
          .get();
  });
}

/** Certificates issued by ACME (the renewal service's work list). */
export async function listAcmeCertificates(store: Store): Promise<CertificateRow[]> {
  return store.db.select().from(certificate).where(eq(certificate.source, 'acme')).all();
}

/**
 * Records why issuance or renewal failed. The certificate material is left as it
 * is, so listeners keep serving the old certificate; no `certificate` event.
 */
export async function recordCertificateError(store: Store, hostname: string, message: string): Promise<void> {
  await write(store, () => {
    store.db
      .update(certificate)
      .set({ last_error: message.slice(0, 2000), updated_at: now() })
      .where(eq(certificate.hostname, hostname.trim().toLowerCase()))
      .run();
  });
}
