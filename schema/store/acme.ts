// ACME bookkeeping: account keys per contact email and directory (sealed by
// certs/), and the certificate columns the renewal service reads and writes.
import { acmeAccount, certificate } from '../tables.ts';
import { insertRow, rowOrUndefined, rowsOf, updateRows } from './row-codec.ts';
import type { CertificateRow } from './rows.ts';
import { now, type Queryable, type Store, write } from './store.ts';

export type AcmeAccountRow = typeof acmeAccount.$inferSelect;

async function findIn(q: Queryable, email: string, directoryUrl: string): Promise<AcmeAccountRow | undefined> {
  return rowOrUndefined(acmeAccount, await q.get(`SELECT * FROM acme_account WHERE email = ? AND directory_url = ?`, email, directoryUrl));
}

export async function findAcmeAccount(store: Store, email: string, directoryUrl: string): Promise<AcmeAccountRow | undefined> {
  return findIn(store, email.trim().toLowerCase(), directoryUrl);
}

/** Creates or updates the account for email+directory; the key arrives sealed. */
export async function saveAcmeAccount(
  store: Store,
  input: { email: string; directoryUrl: string; sealedAccountKeyPem: string; accountUrl: string },
): Promise<AcmeAccountRow> {
  const email = input.email.trim().toLowerCase();
  return write(store, async (tx) => {
    const existing = await findIn(tx, email, input.directoryUrl);
    const values = { account_key_pem: input.sealedAccountKeyPem, account_url: input.accountUrl };
    return existing
      ? (await updateRows(tx, acmeAccount, { ...values, updated_at: now() }, 'id = ?', existing.id))[0]
      : insertRow(tx, acmeAccount, { ...values, email, directory_url: input.directoryUrl });
  });
}

/** Certificates issued by ACME (the renewal service's work list). */
export async function listAcmeCertificates(store: Store): Promise<CertificateRow[]> {
  return rowsOf(certificate, await store.all(`SELECT * FROM certificate WHERE source = 'acme' ORDER BY id`));
}

/**
 * Records why issuance or renewal failed. The certificate material is left as it
 * is, so listeners keep serving the old certificate; no `certificate` event.
 */
export async function recordCertificateError(store: Store, hostname: string, message: string): Promise<void> {
  await write(store, async (tx) => {
    await tx.run(`UPDATE certificate SET last_error = ?, updated_at = ? WHERE hostname = ?`, message.slice(0, 2000), now(), hostname.trim().toLowerCase());
  });
}

// ---------------------------------------------------------------- HTTP-01 challenges

/** Stores a pending HTTP-01 challenge's answer (any node may be asked); expired ones are dropped. */
export async function saveAcmeChallenge(store: Store, token: string, keyAuthorization: string, expiresAt: number): Promise<void> {
  await write(store, async (tx) => {
    await tx.run(`DELETE FROM acme_challenge WHERE expires_at <= ?`, now());
    await tx.run(
      `INSERT INTO acme_challenge (token, key_authorization, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (token) DO UPDATE SET key_authorization = excluded.key_authorization, expires_at = excluded.expires_at`,
      token,
      keyAuthorization,
      expiresAt,
    );
  });
}

export async function deleteAcmeChallenge(store: Store, token: string): Promise<void> {
  await store.run(`DELETE FROM acme_challenge WHERE token = ?`, token);
}

/** The key authorization for a pending, unexpired challenge token. */
export async function findAcmeChallenge(store: Store, token: string): Promise<string | undefined> {
  const row = await store.get<{ key_authorization: string }>(`SELECT key_authorization FROM acme_challenge WHERE token = ? AND expires_at > ?`, token, now());
  return row?.key_authorization;
}
