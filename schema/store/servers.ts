// mail_server: one row per hosted mail domain / listener. Its hostname is also
// the recipient domain Heron accepts mail for.
import crypto from 'node:crypto';
import { domainKey } from '../address.ts';
import { mailServer } from '../tables.ts';
import { StoreError } from './errors.ts';
import { deleteOrphanRaw } from './messages.ts';
import { insertRow, rowOrUndefined, rowsOf, updateRows } from './row-codec.ts';
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
  return write(store, async (tx) => {
    if (await tx.get(`SELECT 1 FROM mail_server WHERE hostname = ?`, hostname)) {
      throw new StoreError('ALREADYEXISTS', `mail server ${hostname} already exists`);
    }
    const row = await insertRow(tx, mailServer, { ...input, hostname, reference_id: crypto.randomUUID() });
    tx.notify('mail_server');
    return row;
  });
}

export async function listMailServers(store: Store): Promise<MailServerRow[]> {
  return rowsOf(mailServer, await store.all(`SELECT * FROM mail_server ORDER BY id`));
}

export async function findMailServerByHostname(store: Store, hostname: string): Promise<MailServerRow | undefined> {
  return rowOrUndefined(mailServer, await store.get(`SELECT * FROM mail_server WHERE hostname = ?`, domainKey(hostname)));
}

export async function findMailServerById(store: Store, id: number): Promise<MailServerRow | undefined> {
  return rowOrUndefined(mailServer, await store.get(`SELECT * FROM mail_server WHERE id = ?`, id));
}

/** Whether mail for this domain is Heron's to deliver locally. */
export async function isHostedDomain(store: Store, domain: string): Promise<boolean> {
  return (await findMailServerByHostname(store, domain)) !== undefined;
}

export type MailServerChanges = Partial<Omit<NewMailServer, 'hostname'>> & { hostname?: string };

/** Changes a mail_server row; SMTP listeners reload on the `mail_server` event. */
export async function updateMailServer(store: Store, id: number, changes: MailServerChanges): Promise<MailServerRow> {
  const values = { ...changes, ...(changes.hostname ? { hostname: domainKey(changes.hostname) } : {}) };
  return write(store, async (tx) => {
    if (values.hostname) {
      const clash = await tx.get<{ id: number }>(`SELECT id FROM mail_server WHERE hostname = ?`, values.hostname);
      if (clash && clash.id !== id) throw new StoreError('ALREADYEXISTS', `mail server ${values.hostname} already exists`);
    }
    const [row] = await updateRows(tx, mailServer, { ...values, updated_at: Date.now() }, 'id = ?', id);
    if (!row) throw new StoreError('NONEXISTENT', 'mail server does not exist');
    tx.notify('mail_server');
    return row;
  });
}

/** Deletes a mail_server row and (by cascade) its accounts; their raw bytes go too. */
export async function deleteMailServer(store: Store, id: number): Promise<void> {
  await write(store, async (tx) => {
    const rawIds = await tx.column<number>(
      `SELECT DISTINCT m.mail_raw_id FROM mail m JOIN mail_account a ON a.id = m.mail_account_id WHERE a.mail_server_id = ?`,
      id,
    );
    const result = await tx.run(`DELETE FROM mail_server WHERE id = ?`, id);
    if (result.changes === 0) throw new StoreError('NONEXISTENT', 'mail server does not exist');
    await deleteOrphanRaw(tx, rawIds);
    tx.notify('mail_server');
  });
}
