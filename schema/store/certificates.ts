// certificate rows: TLS material per hostname. Private keys are stored as the
// caller hands them (certs/ encrypts them before they get here).
import crypto from 'node:crypto';
import { certificate } from '../tables.ts';
import { insertRow, rowOrUndefined, rowsOf, updateRows } from './row-codec.ts';
import type { CertificateRow } from './rows.ts';
import { now, type Store, write } from './store.ts';

export type CertificateMaterial = Pick<
  CertificateRow,
  'source' | 'issuer' | 'generated_at' | 'expires_at' | 'certificate_pem' | 'root_certificate' | 'private_key_pem' | 'public_key_pem'
> &
  Partial<Pick<CertificateRow, 'alt_names' | 'acme_email' | 'acme_directory_url' | 'last_error'>>;

export async function findCertificate(store: Store, hostname: string): Promise<CertificateRow | undefined> {
  return rowOrUndefined(certificate, await store.get(`SELECT * FROM certificate WHERE hostname = ?`, hostname.trim().toLowerCase()));
}

export async function listCertificates(store: Store): Promise<CertificateRow[]> {
  return rowsOf(certificate, await store.all(`SELECT * FROM certificate ORDER BY id`));
}

/** Creates or replaces the certificate for a hostname; listeners pick it up on the `certificate` event. */
export async function saveCertificate(
  store: Store,
  hostname: string,
  material: CertificateMaterial,
  userAccountId?: number | null,
): Promise<CertificateRow> {
  const host = hostname.trim().toLowerCase();
  return write(store, async (tx) => {
    const existing = await tx.get<{ id: number }>(`SELECT id FROM certificate WHERE hostname = ?`, host);
    const row = existing
      ? (await updateRows(tx, certificate, { ...material, updated_at: now() }, 'id = ?', existing.id))[0]
      : await insertRow(tx, certificate, { ...material, hostname: host, reference_id: crypto.randomUUID(), user_account_id: userAccountId ?? null });
    tx.notify('certificate', { hostname: host });
    return row;
  });
}
