// mail_server: one row per hosted mail domain / listener. Its hostname is also
// the recipient domain Heron accepts mail for.
import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { mailServer } from '../tables.ts';
import { StoreError } from './errors.ts';
import type { MailServerRow } from './rows.ts';
import { type Store, write } from './store.ts';

export type NewMailServer = Pick<MailServerRow, 'hostname'> &
  Partial<
    Pick<
      MailServerRow,
      | 'is_enabled'
      | 'listen_interface'
      | 'always_on_tls'
      | 'authentication_required'
      | 'max_size'
      | 'max_clients'
      | 'xclient_on'
      | 'user_account_id'
    >
  >;

export async function createMailServer(store: Store, input: NewMailServer): Promise<MailServerRow> {
  const hostname = input.hostname.trim().toLowerCase();
  return write(store, (ctx) => {
    if (store.db.select().from(mailServer).where(eq(mailServer.hostname, hostname)).get()) {
      throw new StoreError('ALREADYEXISTS', `mail server ${hostname} already exists`);
    }
    const row = store.db
      .insert(mailServer)
      .values({ ...input, hostname, reference_id: crypto.randomUUID() })
      .returning()
      .get();
    ctx.notify('mail_server');
    return row;
  });
}

export async function listMailServers(store: Store): Promise<MailServerRow[]> {
  return store.db.select().from(mailServer).orderBy(asc(mailServer.id)).all();
}

export async function findMailServerByHostname(store: Store, hostname: string): Promise<MailServerRow | undefined> {
  return store.db.select().from(mailServer).where(eq(mailServer.hostname, hostname.trim().toLowerCase())).get();
}

export async function findMailServerById(store: Store, id: number): Promise<MailServerRow | undefined> {
  return store.db.select().from(mailServer).where(eq(mailServer.id, id)).get();
}

/** Whether mail for this domain is Heron's to deliver locally. */
export async function isHostedDomain(store: Store, domain: string): Promise<boolean> {
  return (await findMailServerByHostname(store, domain)) !== undefined;
}
