// mail_account: a mailbox owner who signs in over IMAP and SMTP with the full address.
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { addressKey, parseMailAddress } from '../address.ts';
import { mailAccount } from '../tables.ts';
import { StoreError } from './errors.ts';
import { DEFAULT_MAILBOXES, insertMailbox } from './mailboxes.ts';
import { deleteOrphanRaw } from './messages.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import type { MailAccountRow } from './rows.ts';
import { now, stmt, type Store, write } from './store.ts';

export interface NewMailAccount {
  username: string;
  password: string;
  mailServerId: number;
  userAccountId?: number | null;
}

/** The stored form of an address (schema/address.ts); anything that is not one is only trimmed and lowercased, so it matches nothing. */
export const normalizeAddress = (address: string): string => addressKey(address) ?? address.trim().toLowerCase();

/** Creates the account with INBOX, Sent, Drafts, Trash and Junk, all subscribed. */
export async function createMailAccount(store: Store, input: NewMailAccount): Promise<MailAccountRow> {
  const parsed = parseMailAddress(input.username);
  if (!parsed.ok) throw new StoreError('CANNOT', `username: ${parsed.error}`);
  const username = parsed.value.key;
  const passwordHash = await hashPassword(input.password);
  return write(store, () => {
    if (store.db.select().from(mailAccount).where(eq(mailAccount.username, username)).get()) {
      throw new StoreError('ALREADYEXISTS', `mail account ${username} already exists`);
    }
    const row = store.db
      .insert(mailAccount)
      .values({
        reference_id: crypto.randomUUID(),
        username,
        password_hash: passwordHash,
        mail_server_id: input.mailServerId,
        user_account_id: input.userAccountId ?? null,
      })
      .returning()
      .get();
    for (const box of DEFAULT_MAILBOXES) insertMailbox(store, row.id, box.name, { specialUse: box.specialUse });
    return row;
  });
}

export async function findMailAccount(store: Store, username: string): Promise<MailAccountRow | undefined> {
  return store.db.select().from(mailAccount).where(eq(mailAccount.username, normalizeAddress(username))).get();
}

export async function findMailAccountById(store: Store, id: number): Promise<MailAccountRow | undefined> {
  return store.db.select().from(mailAccount).where(eq(mailAccount.id, id)).get();
}

/** Checks an address and password; the cost is the same whether or not the account exists. */
export async function verifyMailAccountLogin(store: Store, username: string, password: string): Promise<MailAccountRow | null> {
  const account = await findMailAccount(store, username);
  const ok = await verifyPassword(password, account?.password_hash ?? (await decoyPasswordHash()));
  return account && ok ? account : null;
}

export async function setMailAccountPassword(store: Store, accountId: number, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await write(store, () => {
    stmt(store, `UPDATE mail_account SET password_hash = ?, updated_at = ? WHERE id = ?`).run(passwordHash, now(), accountId);
  });
}

/** Deletes the account, its mailboxes and its mail. */
export async function deleteMailAccount(store: Store, accountId: number): Promise<void> {
  await write(store, (ctx) => {
    const rawIds = (stmt(store, `SELECT DISTINCT mail_raw_id AS id FROM mail WHERE mail_account_id = ?`).all(accountId) as Array<{ id: number }>).map(
      (r) => r.id,
    );
    const result = stmt(store, `DELETE FROM mail_account WHERE id = ?`).run(accountId);
    if (result.changes === 0) throw new StoreError('NONEXISTENT', 'mail account does not exist');
    deleteOrphanRaw(store, rawIds);
    ctx.notify('mailboxes', { accountId });
  });
}
