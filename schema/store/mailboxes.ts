// Mailboxes with RFC 3501 §6.3 semantics: hierarchy with "/", CREATE makes
// missing parents, DELETE of a mailbox with children leaves a \Noselect name,
// RENAME moves children along, and renaming INBOX moves its messages out.
import crypto from 'node:crypto';
import { StoreError } from './errors.ts';
import { copyInWrite, expungeInWrite } from './messages.ts';
import { nextUidValidity } from './meta.ts';
import { HIERARCHY_DELIMITER, normalizeMailboxName, parentNames, validMailboxName } from './mailbox-names.ts';
import type { MailBoxRow } from './rows.ts';
import { now, stmt, type Store, type WriteContext, write } from './store.ts';

export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged';

/** The mailboxes every new account gets (RFC 6154 attributes). */
export const DEFAULT_MAILBOXES: ReadonlyArray<{ name: string; specialUse: SpecialUse | null }> = [
  { name: 'INBOX', specialUse: null },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
];

export interface MailboxStatus {
  messages: number;
  unseen: number;
  recent: number;
  uidnext: number;
  uidvalidity: number;
  highestmodseq: number;
  size: number;
  /** Sequence number of the first message without \Seen, or null. */
  firstUnseenSeq: number | null;
}

type RawMailBoxRow = Omit<MailBoxRow, 'subscribed' | 'noselect'> & { subscribed: number; noselect: number };

/** SQLite hands booleans back as 0/1; rows leave the store with real booleans. */
function toRow(raw: unknown): MailBoxRow {
  const row = raw as RawMailBoxRow;
  return { ...row, subscribed: row.subscribed === 1, noselect: row.noselect === 1 };
}
const toRowOrUndefined = (raw: unknown): MailBoxRow | undefined => (raw === undefined ? undefined : toRow(raw));

function findInWrite(store: Store, accountId: number, name: string): MailBoxRow | undefined {
  return toRowOrUndefined(stmt(store, `SELECT * FROM mail_box WHERE mail_account_id = ? AND name = ?`).get(accountId, normalizeMailboxName(name)));
}

/** Inserts one mailbox row inside a write. */
export function insertMailbox(
  store: Store,
  accountId: number,
  name: string,
  options: { specialUse?: SpecialUse | null; subscribed?: boolean } = {},
): MailBoxRow {
  const t = now();
  const row = stmt(
    store,
    `INSERT INTO mail_box (reference_id, mail_account_id, name, subscribed, uidvalidity, special_use, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  ).get(crypto.randomUUID(), accountId, name, options.subscribed === false ? 0 : 1, nextUidValidity(store), options.specialUse ?? null, t, t);
  return toRow(row);
}

export async function listMailboxes(store: Store, accountId: number): Promise<MailBoxRow[]> {
  return stmt(store, `SELECT * FROM mail_box WHERE mail_account_id = ? ORDER BY name`).all(accountId).map(toRow);
}

export async function findMailbox(store: Store, accountId: number, name: string): Promise<MailBoxRow | undefined> {
  return findInWrite(store, accountId, name);
}

export async function findMailboxById(store: Store, mailboxId: number): Promise<MailBoxRow | undefined> {
  return toRowOrUndefined(stmt(store, `SELECT * FROM mail_box WHERE id = ?`).get(mailboxId));
}

/** The account's mailbox with a special-use attribute, or INBOX when there is none. */
export async function findSpecialMailbox(store: Store, accountId: number, specialUse: SpecialUse | 'INBOX'): Promise<MailBoxRow> {
  const row =
    specialUse === 'INBOX'
      ? undefined
      : toRowOrUndefined(
          stmt(store, `SELECT * FROM mail_box WHERE mail_account_id = ? AND special_use = ? AND noselect = 0 ORDER BY id LIMIT 1`).get(accountId, specialUse),
        );
  const inbox = row ?? findInWrite(store, accountId, 'INBOX');
  if (!inbox) throw new StoreError('NONEXISTENT', 'account has no INBOX');
  return inbox;
}

/** CREATE: makes the mailbox and any missing parents (RFC 3501 §6.3.3). */
export async function createMailbox(
  store: Store,
  accountId: number,
  name: string,
  options: { specialUse?: SpecialUse | null } = {},
): Promise<MailBoxRow> {
  const normalized = validMailboxName(name);
  return write(store, (ctx) => {
    const existing = findInWrite(store, accountId, normalized);
    if (existing && !existing.noselect) throw new StoreError('ALREADYEXISTS', 'mailbox already exists');
    for (const parent of parentNames(normalized)) {
      if (!findInWrite(store, accountId, parent)) insertMailbox(store, accountId, parent);
    }
    let row: MailBoxRow;
    if (existing) {
      // A \Noselect name left by DELETE becomes a real mailbox again, with a new UIDVALIDITY.
      row = toRow(
        stmt(store, `UPDATE mail_box SET noselect = 0, uidvalidity = ?, special_use = ?, updated_at = ? WHERE id = ? RETURNING *`).get(
          nextUidValidity(store),
          options.specialUse ?? null,
          now(),
          existing.id,
        ),
      );
    } else {
      row = insertMailbox(store, accountId, normalized, { specialUse: options.specialUse });
    }
    ctx.notify('mailboxes', { accountId });
    return row;
  });
}

function childrenOf(store: Store, accountId: number, name: string): MailBoxRow[] {
  const prefix = name + HIERARCHY_DELIMITER;
  return stmt(store, `SELECT * FROM mail_box WHERE mail_account_id = ? AND substr(name, 1, length(?)) = ? ORDER BY name`)
    .all(accountId, prefix, prefix)
    .map(toRow);
}

function allUids(store: Store, mailboxId: number): number[] {
  return (stmt(store, `SELECT uid FROM mail WHERE mail_box_id = ? ORDER BY uid`).all(mailboxId) as Array<{ uid: number }>).map((r) => r.uid);
}

function deleteMailboxRow(store: Store, ctx: WriteContext, mailbox: MailBoxRow): void {
  expungeInWrite(store, ctx, mailbox.id, allUids(store, mailbox.id));
  stmt(store, `DELETE FROM mail_box WHERE id = ?`).run(mailbox.id);
}

/** DELETE (RFC 3501 §6.3.4). */
export async function deleteMailbox(store: Store, accountId: number, name: string): Promise<void> {
  const normalized = normalizeMailboxName(name);
  if (normalized === 'INBOX') throw new StoreError('CANNOT', 'INBOX cannot be deleted');
  return write(store, (ctx) => {
    const mailbox = findInWrite(store, accountId, normalized);
    if (!mailbox) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
    const children = childrenOf(store, accountId, normalized);
    if (children.length > 0) {
      if (mailbox.noselect) throw new StoreError('INUSE', 'mailbox has children and is already \\Noselect');
      // Inferior names exist: remove the messages, keep the name as \Noselect.
      expungeInWrite(store, ctx, mailbox.id, allUids(store, mailbox.id));
      stmt(store, `UPDATE mail_box SET noselect = 1, updated_at = ? WHERE id = ?`).run(now(), mailbox.id);
    } else {
      deleteMailboxRow(store, ctx, mailbox);
    }
    ctx.notify('mailboxes', { accountId });
  });
}

/** RENAME (RFC 3501 §6.3.5). */
export async function renameMailbox(store: Store, accountId: number, from: string, to: string): Promise<MailBoxRow> {
  const source = normalizeMailboxName(from);
  const target = validMailboxName(to);
  return write(store, (ctx) => {
    const mailbox = findInWrite(store, accountId, source);
    if (!mailbox) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
    const existing = findInWrite(store, accountId, target);
    if (existing) throw new StoreError('ALREADYEXISTS', 'target mailbox already exists');
    if (target === source || target.startsWith(source + HIERARCHY_DELIMITER)) {
      throw new StoreError('CANNOT', 'cannot rename a mailbox into itself');
    }
    for (const parent of parentNames(target)) {
      if (!findInWrite(store, accountId, parent)) insertMailbox(store, accountId, parent);
    }
    let result: MailBoxRow;
    if (source === 'INBOX') {
      // Renaming INBOX moves its messages to a new mailbox and leaves INBOX empty;
      // INBOX's inferior names stay where they are.
      result = insertMailbox(store, accountId, target, { subscribed: mailbox.subscribed });
      const uids = allUids(store, mailbox.id);
      copyInWrite(store, ctx, mailbox.id, uids, result.id);
      expungeInWrite(store, ctx, mailbox.id, uids);
    } else {
      const t = now();
      for (const child of childrenOf(store, accountId, source)) {
        stmt(store, `UPDATE mail_box SET name = ?, updated_at = ? WHERE id = ?`).run(target + child.name.slice(source.length), t, child.id);
      }
      result = toRow(stmt(store, `UPDATE mail_box SET name = ?, updated_at = ? WHERE id = ? RETURNING *`).get(target, t, mailbox.id));
    }
    ctx.notify('mailboxes', { accountId });
    return result;
  });
}

export async function setSubscribed(store: Store, accountId: number, name: string, subscribed: boolean): Promise<void> {
  return write(store, (ctx) => {
    const mailbox = findInWrite(store, accountId, name);
    if (!mailbox) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
    stmt(store, `UPDATE mail_box SET subscribed = ?, updated_at = ? WHERE id = ?`).run(subscribed ? 1 : 0, now(), mailbox.id);
    ctx.notify('mailboxes', { accountId });
  });
}

/** STATUS / SELECT counters, computed in one query. */
export async function mailboxStatus(store: Store, mailboxId: number): Promise<MailboxStatus> {
  const box = stmt(store, `SELECT uidnext, uidvalidity, highestmodseq, recent_uid FROM mail_box WHERE id = ?`).get(mailboxId) as
    | Pick<MailBoxRow, 'uidnext' | 'uidvalidity' | 'highestmodseq' | 'recent_uid'>
    | undefined;
  if (!box) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
  const counts = stmt(
    store,
    `SELECT count(*) AS messages,
            coalesce(sum(CASE WHEN instr(flags, '"\\\\Seen"') = 0 THEN 1 ELSE 0 END), 0) AS unseen,
            coalesce(sum(CASE WHEN uid > ? THEN 1 ELSE 0 END), 0) AS recent,
            coalesce(sum(size), 0) AS size
     FROM mail WHERE mail_box_id = ?`,
  ).get(box.recent_uid, mailboxId) as { messages: number; unseen: number; recent: number; size: number };
  const firstUnseen = stmt(
    store,
    `SELECT count(*) + 1 AS seq FROM mail WHERE mail_box_id = ? AND uid < (
       SELECT min(uid) FROM mail WHERE mail_box_id = ? AND instr(flags, '"\\\\Seen"') = 0)`,
  ).get(mailboxId, mailboxId) as { seq: number };
  return {
    ...counts,
    uidnext: box.uidnext,
    uidvalidity: box.uidvalidity,
    highestmodseq: box.highestmodseq,
    firstUnseenSeq: counts.unseen > 0 ? firstUnseen.seq : null,
  };
}
