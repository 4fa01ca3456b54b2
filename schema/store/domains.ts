// Hosted domains and aliases: which recipient addresses are Heron's to deliver
// locally. A domain is hosted when it is a mail_server hostname or a mail_domain
// row; an address is local when it is a mail_account username or a mail_alias.
import crypto from 'node:crypto';
import { mailAccount, mailAlias, mailDomain } from '../tables.ts';
import { domainKey, parseMailAddress } from '../address.ts';
import { normalizeAddress } from './accounts.ts';
import { StoreError } from './errors.ts';
import { insertRow, rowOrUndefined, rowsOf } from './row-codec.ts';
import type { MailAccountRow, MailServerRow } from './rows.ts';
import { type Store, write } from './store.ts';

export type MailDomainRow = typeof mailDomain.$inferSelect;
export type MailAliasRow = typeof mailAlias.$inferSelect;

/** The mail_server that hosts this domain (by hostname or an added domain), if any. */
export async function findHostingServer(store: Store, domain: string): Promise<Pick<MailServerRow, 'id' | 'hostname'> | undefined> {
  const name = domainKey(domain);
  return store.get<Pick<MailServerRow, 'id' | 'hostname'>>(HOSTING_SERVER, name, name);
}

/** The server hosting a domain (parameters: the domain key twice). */
const HOSTING_SERVER = `SELECT s.id, s.hostname FROM mail_server s WHERE s.hostname = ?
     UNION ALL
     SELECT s.id, s.hostname FROM mail_server s JOIN mail_domain d ON d.mail_server_id = s.id WHERE d.domain = ?
     LIMIT 1`;

/** The account an address delivers to (parameters: the normalized address twice). */
const LOCAL_ACCOUNT = `SELECT * FROM mail_account WHERE username = ?
     UNION ALL
     SELECT m.* FROM mail_account m JOIN mail_alias x ON x.mail_account_id = m.id WHERE x.address = ?
     LIMIT 1`;

/** The account an address delivers to: its own username, or an alias of it. */
export async function resolveLocalAddress(store: Store, address: string): Promise<MailAccountRow | undefined> {
  const a = normalizeAddress(address);
  return rowOrUndefined(mailAccount, await store.get(LOCAL_ACCOUNT, a, a));
}

/**
 * SMTP RCPT TO in one read: whether `domain` is hosted here and, when it is,
 * the account `address` delivers to (findHostingServer, then resolveLocalAddress).
 */
export async function resolveRecipient(store: Store, domain: string, address: string): Promise<{ hosted: boolean; account: MailAccountRow | undefined }> {
  const name = domainKey(domain);
  const a = normalizeAddress(address);
  const row = await store.get<{ hosted_here: number; id: number | null }>(
    `SELECT h.hosted_here, a.* FROM (SELECT CASE WHEN EXISTS (${HOSTING_SERVER}) THEN 1 ELSE 0 END AS hosted_here) h
     LEFT JOIN (${LOCAL_ACCOUNT}) a ON h.hosted_here = 1`,
    name,
    name,
    a,
    a,
  );
  if (!row || row.hosted_here !== 1) return { hosted: false, account: undefined };
  if (row.id === null) return { hosted: true, account: undefined };
  const { hosted_here: _, ...account } = row;
  return { hosted: true, account: rowOrUndefined(mailAccount, account) };
}

/** Whether the account may use `address` as its sender (its own address or one of its aliases). */
export async function mayAccountSendAs(store: Store, accountId: number, address: string): Promise<boolean> {
  const owner = await resolveLocalAddress(store, address);
  return owner?.id === accountId;
}

export async function createMailDomain(store: Store, input: { domain: string; mailServerId: number }): Promise<MailDomainRow> {
  const domain = domainKey(input.domain);
  return write(store, async (tx) => {
    if (await tx.get(`SELECT 1 FROM mail_domain WHERE domain = ?`, domain)) {
      throw new StoreError('ALREADYEXISTS', `mail domain ${domain} already exists`);
    }
    return insertRow(tx, mailDomain, { domain, mail_server_id: input.mailServerId, reference_id: crypto.randomUUID() });
  });
}

export async function listMailDomains(store: Store): Promise<MailDomainRow[]> {
  return rowsOf(mailDomain, await store.all(`SELECT * FROM mail_domain ORDER BY id`));
}

export async function deleteMailDomain(store: Store, id: number): Promise<void> {
  await write(store, async (tx) => {
    if ((await tx.run(`DELETE FROM mail_domain WHERE id = ?`, id)).changes === 0) {
      throw new StoreError('NONEXISTENT', 'mail domain does not exist');
    }
  });
}

export async function createMailAlias(store: Store, input: { address: string; mailAccountId: number }): Promise<MailAliasRow> {
  const parsed = parseMailAddress(input.address);
  if (!parsed.ok) throw new StoreError('CANNOT', `alias: ${parsed.error}`);
  const address = parsed.value.key;
  return write(store, async (tx) => {
    const taken =
      (await tx.get(`SELECT id FROM mail_alias WHERE address = ?`, address)) ?? (await tx.get(`SELECT id FROM mail_account WHERE username = ?`, address));
    if (taken) throw new StoreError('ALREADYEXISTS', `address ${address} is already in use`);
    return insertRow(tx, mailAlias, { address, mail_account_id: input.mailAccountId, reference_id: crypto.randomUUID() });
  });
}

export async function listMailAliases(store: Store, accountId?: number): Promise<MailAliasRow[]> {
  const rows =
    accountId === undefined
      ? await store.all(`SELECT * FROM mail_alias ORDER BY id`)
      : await store.all(`SELECT * FROM mail_alias WHERE mail_account_id = ? ORDER BY id`, accountId);
  return rowsOf(mailAlias, rows);
}

export async function deleteMailAlias(store: Store, id: number): Promise<void> {
  await write(store, async (tx) => {
    if ((await tx.run(`DELETE FROM mail_alias WHERE id = ?`, id)).changes === 0) {
      throw new StoreError('NONEXISTENT', 'mail alias does not exist');
    }
  });
}

/** Every hosted domain: mail_server hostnames, then mail_domain rows (what the DNS zone is published for). */
export async function listHostedDomains(store: Store): Promise<string[]> {
  const servers = await store.column<string>(`SELECT hostname FROM mail_server ORDER BY id`);
  const extra = await store.column<string>(`SELECT domain FROM mail_domain ORDER BY id`);
  return [...new Set([...servers, ...extra].map((d) => d.toLowerCase()))];
}
