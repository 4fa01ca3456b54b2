// mail_account: a mailbox owner who signs in over IMAP and SMTP with the full address.
import crypto from 'node:crypto';
import { addressKey, parseMailAddress } from '../address.ts';
import { mailAccount } from '../tables.ts';
import { StoreError } from './errors.ts';
import { DEFAULT_MAILBOXES, insertMailbox } from './mailboxes.ts';
import { deleteOrphanRaw } from './messages.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { insertRow, rowOrUndefined } from './row-codec.ts';
import type { MailAccountRow } from './rows.ts';
import { makeScramVerifier } from '../sasl/scram.ts';
import { addMissingScramVerifier, writeScramVerifier } from './scram-verifiers.ts';
import { now, type Store, write } from './store.ts';

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
  const verifier = await makeScramVerifier(input.password);
  return write(store, async (tx) => {
    if (await tx.get(`SELECT 1 FROM mail_account WHERE username = ?`, username)) {
      throw new StoreError('ALREADYEXISTS', `mail account ${username} already exists`);
    }
    const row = await insertRow(tx, mailAccount, {
      reference_id: crypto.randomUUID(),
      username,
      password_hash: passwordHash,
      mail_server_id: input.mailServerId,
      user_account_id: input.userAccountId ?? null,
    });
    await writeScramVerifier(tx, row.id, verifier);
    for (const box of DEFAULT_MAILBOXES) await insertMailbox(tx, row.id, box.name, { specialUse: box.specialUse });
    return row;
  });
}

export async function findMailAccount(store: Store, username: string): Promise<MailAccountRow | undefined> {
  return rowOrUndefined(mailAccount, await store.get(`SELECT * FROM mail_account WHERE username = ?`, normalizeAddress(username)));
}

export async function findMailAccountById(store: Store, id: number): Promise<MailAccountRow | undefined> {
  return rowOrUndefined(mailAccount, await store.get(`SELECT * FROM mail_account WHERE id = ?`, id));
}

/** Checks an address and password; the cost is the same whether or not the account exists. */
export async function verifyMailAccountLogin(store: Store, username: string, password: string): Promise<MailAccountRow | null> {
  const account = await findMailAccount(store, username);
  const ok = await verifyPassword(password, account?.password_hash ?? (await decoyPasswordHash()));
  if (!account || !ok) return null;
  await addMissingScramVerifier(store, account, password);
  return account;
}

export async function setMailAccountPassword(store: Store, accountId: number, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  const verifier = await makeScramVerifier(password);
  await write(store, async (tx) => {
    await tx.run(`UPDATE mail_account SET password_hash = ?, updated_at = ? WHERE id = ?`, passwordHash, now(), accountId);
    await writeScramVerifier(tx, accountId, verifier);
  });
}

/** Deletes the account, its mailboxes and its mail. */
export async function deleteMailAccount(store: Store, accountId: number): Promise<void> {
  await write(store, async (tx) => {
    const rawIds = await tx.column<number>(`SELECT DISTINCT mail_raw_id FROM mail WHERE mail_account_id = ?`, accountId);
    const result = await tx.run(`DELETE FROM mail_account WHERE id = ?`, accountId);
    if (result.changes === 0) throw new StoreError('NONEXISTENT', 'mail account does not exist');
    await deleteOrphanRaw(tx, rawIds);
    tx.notify('mailboxes', { accountId });
  });
}
