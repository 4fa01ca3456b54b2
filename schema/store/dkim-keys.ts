// dkim_key rows: signing keys per domain, separate from TLS keys. Private keys
// arrive sealed with the server secret (certs/ seals them).
import crypto from 'node:crypto';
import { and, asc, desc, eq } from 'drizzle-orm';
import { dkimKey } from '../tables.ts';
import { StoreError } from './errors.ts';
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
  return write(store, () => {
    if (store.db.select().from(dkimKey).where(and(eq(dkimKey.domain, domain), eq(dkimKey.selector, selector))).get()) {
      throw new StoreError('ALREADYEXISTS', `DKIM selector ${selector} already exists for ${domain}`);
    }
    const activate = input.activate ?? true;
    if (activate) store.db.update(dkimKey).set({ is_active: false, updated_at: now() }).where(eq(dkimKey.domain, domain)).run();
    return store.db
      .insert(dkimKey)
      .values({
        reference_id: crypto.randomUUID(),
        domain,
        selector,
        algorithm: input.algorithm,
        private_key_pem: input.sealedPrivateKeyPem,
        public_key_pem: input.publicKeyPem,
        is_active: activate,
      })
      .returning()
      .get();
  });
}

/** The key outbound mail for this domain is signed with, if any. */
export async function findActiveDkimKey(store: Store, domain: string): Promise<DkimKeyRow | undefined> {
  return store.db
    .select()
    .from(dkimKey)
    .where(and(eq(dkimKey.domain, domain.trim().toLowerCase()), eq(dkimKey.is_active, true)))
    .orderBy(desc(dkimKey.id))
    .get();
}

/** Every key of a domain (all of them stay published in DNS). */
export async function listDkimKeys(store: Store, domain?: string): Promise<DkimKeyRow[]> {
  const q = store.db.select().from(dkimKey);
  return (domain ? q.where(eq(dkimKey.domain, domain.trim().toLowerCase())) : q).orderBy(asc(dkimKey.id)).all();
}

export async function activateDkimKey(store: Store, domain: string, selector: string): Promise<void> {
  const d = domain.trim().toLowerCase();
  await write(store, () => {
    const row = store.db.select().from(dkimKey).where(and(eq(dkimKey.domain, d), eq(dkimKey.selector, selector))).get();
    if (!row) throw new StoreError('NONEXISTENT', `no DKIM selector ${selector} for ${d}`);
    store.db.update(dkimKey).set({ is_active: false, updated_at: now() }).where(eq(dkimKey.domain, d)).run();
    store.db.update(dkimKey).set({ is_active: true, updated_at: now() }).where(eq(dkimKey.id, row.id)).run();
  });
}
