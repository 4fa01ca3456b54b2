// mail_server: one row per hosted mail domain / listener. Its hostname is also
// the recipient domain Heron accepts mail for.
import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import { domainKey } from '../address.ts';
import { mailServer } from '../tables.ts';
import { StoreError } from './errors.ts';
import { deleteOrphanRaw } from './messages.ts';
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
  const hostname = domainKey(input.hostname);
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
  return store.db.select().from(mailServer).where(eq(mailServer.hostname, domainKey(hostname))).get();
}

export async function findMailServerById(store: Store, id: number): Promise<MailServerRow | undefined> {
  return store.db.select().from(mailServer).where(eq(mailServer.id, id)).get();
}

/** Whether mail for this domain is Heron's to deliver locally. */
export async function isHostedDomain(store: Store, domain: string): Promise<boolean> {
  return (await findMailServerByHostname(store, domain)) !== undefined;
}

export type MailServerChanges = Partial<Omit<NewMailServer, 'hostname'>> & { hostname?: string };

/** Changes a mail_server row; SMTP listeners reload on the `mail_server` event. */
export async function updateMailServer(store: Store, id: number, changes: MailServerChanges): Promise<MailServerRow> {
  const values = { ...changes, ...(changes.hostname ? { hostname: domainKey(changes.hostname) } : {}) };
  return write(store, (ctx) => {
    if (values.hostname) {
      const clash = store.db.select().from(mailServer).where(eq(mailServer.hostname, values.hostname)).get();
      if (clash && clash.id !== id) throw new StoreError('ALREADYEXISTS', `mail server ${values.hostname} already exists`);
    }
    const row = store.db
      .update(mailServer)
      .set({ ...values, updated_at: Date.now() })
      .where(eq(mailServer.id, id))
      .returning()
      .get();
    if (!row) throw new StoreError('NONEXISTENT', 'mail server does not exist');
    ctx.notify('mail_server');
    return row;
  });
}

/** Deletes a mail_server row and (by cascade) its accounts; their raw bytes go too. */
export async function deleteMailServer(store: Store, id: number): Promise<void> {
  await write(store, (ctx) => {
    const rawIds = (
      store.sqlite
        .prepare(`SELECT DISTINCT m.mail_raw_id AS id FROM mail m JOIN mail_account a ON a.id = m.mail_account_id WHERE a.mail_server_id = ?`)
        .all(id) as Array<{ id: number }>
    ).map((r) => r.id);
    const result = store.db.delete(mailServer).where(eq(mailServer.id, id)).run();
    if (result.changes === 0) throw new StoreError('NONEXISTENT', 'mail server does not exist');
    deleteOrphanRaw(store, rawIds);
    ctx.notify('mail_server');
  });
}
