// Hosted domains and aliases: which recipient addresses are Heron's to deliver
// locally. A domain is hosted when it is a mail_server hostname or a mail_domain
// row; an address is local when it is a mail_account username or a mail_alias.
import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { mailAlias, mailDomain, mailServer } from '../tables.ts';
import { domainKey, parseMailAddress } from '../address.ts';
import { normalizeAddress } from './accounts.ts';
import { StoreError } from './errors.ts';
import type { MailAccountRow, MailServerRow } from './rows.ts';
import { stmt, type Store, write } from './store.ts';

export type MailDomainRow = typeof mailDomain.$inferSelect;
export type MailAliasRow = typeof mailAlias.$inferSelect;

/** The mail_server that hosts this domain (by hostname or an added domain), if any. */
export async function findHostingServer(store: Store, domain: string): Promise<Pick<MailServerRow, 'id' | 'hostname'> | undefined> {
  const name = domainKey(domain);
  return stmt(
    store,
    `SELECT s.id, s.hostname FROM mail_server s WHERE s.hostname = ?
     UNION ALL
     SELECT s.id, s.hostname FROM mail_server s JOIN mail_domain d ON d.mail_server_id = s.id WHERE d.domain = ?
     LIMIT 1`,
  ).get(name, name) as Pick<MailServerRow, 'id' | 'hostname'> | undefined;
}

/** The account an address delivers to: its own username, or an alias of it. */
export async function resolveLocalAddress(store: Store, address: string): Promise<MailAccountRow | undefined> {
  const a = normalizeAddress(address);
  return stmt(
    store,
    `SELECT * FROM mail_account WHERE username = ?
     UNION ALL
     SELECT m.* FROM mail_account m JOIN mail_alias x ON x.mail_account_id = m.id WHERE x.address = ?
     LIMIT 1`,
  ).get(a, a) as MailAccountRow | undefined;
}

/** Whether the account may use `address` as its sender (its own address or one of its aliases). */
export async function mayAccountSendAs(store: Store, accountId: number, address: string): Promise<boolean> {
  const owner = await resolveLocalAddress(store, address);
  return owner?.id === accountId;
}

export async function createMailDomain(store: Store, input: { domain: string; mailServerId: number }): Promise<MailDomainRow> {
  const domain = domainKey(input.domain);
  return write(store, () => {
    if (store.db.select().from(mailDomain).where(eq(mailDomain.domain, domain)).get()) {
      throw new StoreError('ALREADYEXISTS', `mail domain ${domain} already exists`);
    }
    return store.db
      .insert(mailDomain)
      .values({ domain, mail_server_id: input.mailServerId, reference_id: crypto.randomUUID() })
      .returning()
      .get();
  });
}

export async function listMailDomains(store: Store): Promise<MailDomainRow[]> {
  return store.db.select().from(mailDomain).all();
}

export async function deleteMailDomain(store: Store, id: number): Promise<void> {
  await write(store, () => {
    if (store.db.delete(mailDomain).where(eq(mailDomain.id, id)).run().changes === 0) {
      throw new StoreError('NONEXISTENT', 'mail domain does not exist');
    }
  });
}

export async function createMailAlias(store: Store, input: { address: string; mailAccountId: number }): Promise<MailAliasRow> {
  const parsed = parseMailAddress(input.address);
  if (!parsed.ok) throw new StoreError('CANNOT', `alias: ${parsed.error}`);
  const address = parsed.value.key;
  return write(store, () => {
    const taken =
      store.db.select().from(mailAlias).where(eq(mailAlias.address, address)).get() ??
      stmt(store, `SELECT id FROM mail_account WHERE username = ?`).get(address);
    if (taken) throw new StoreError('ALREADYEXISTS', `address ${address} is already in use`);
    return store.db
      .insert(mailAlias)
      .values({ address, mail_account_id: input.mailAccountId, reference_id: crypto.randomUUID() })
      .returning()
      .get();
  });
}

export async function listMailAliases(store: Store, accountId?: number): Promise<MailAliasRow[]> {
  const q = store.db.select().from(mailAlias);
  return accountId === undefined ? q.all() : q.where(eq(mailAlias.mail_account_id, accountId)).all();
}

export async function deleteMailAlias(store: Store, id: number): Promise<void> {
  await write(store, () => {
    if (store.db.delete(mailAlias).where(eq(mailAlias.id, id)).run().changes === 0) {
      throw new StoreError('NONEXISTENT', 'mail alias does not exist');
    }
  });
}

/** Every hosted domain: mail_server hostnames, then mail_domain rows (what the DNS zone is published for). */
export async function listHostedDomains(store: Store): Promise<string[]> {
  const servers = store.db.select({ d: mailServer.hostname }).from(mailServer).orderBy(asc(mailServer.id)).all();
  const extra = store.db.select({ d: mailDomain.domain }).from(mailDomain).orderBy(asc(mailDomain.id)).all();
  return [...new Set([...servers, ...extra].map((r) => r.d.toLowerCase()))];
}
