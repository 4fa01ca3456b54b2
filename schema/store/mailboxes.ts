// Mailboxes with RFC 3501 §6.3 semantics: hierarchy with "/", CREATE makes
// missing parents, DELETE of a mailbox with children leaves a \Noselect name,
// RENAME moves children along, and renaming INBOX moves its messages out.
import crypto from 'node:crypto';
import { StoreError } from './errors.ts';
import { expungeInWrite, lockMailboxes, moveInWrite } from './messages.ts';
import { deleteMailboxMetadata } from './metadata.ts';
import { nextUidValidity } from './meta.ts';
import { HIERARCHY_DELIMITER, normalizeMailboxName, parentNames, validMailboxName } from './mailbox-names.ts';
import { rowOf, rowOrUndefined, rowsOf } from './row-codec.ts';
import type { MailBoxRow } from './rows.ts';
import { now, type Queryable, type Store, type WriteContext, write } from './store.ts';
import { mailBox } from '../tables.ts';
import { queueWebhookEvent } from './webhooks.ts';

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
  /** RFC 9051 / RFC 9208 §4.3: messages with \Deleted, and the sum of their sizes in bytes. */
  deleted: number;
  deletedSize: number;
  /** Sequence number of the first message without \Seen, or null. */
  firstUnseenSeq: number | null;
}

async function findIn(q: Queryable, accountId: number, name: string): Promise<MailBoxRow | undefined> {
  return rowOrUndefined(mailBox, await q.get(`SELECT * FROM mail_box WHERE mail_account_id = ? AND name = ?`, accountId, normalizeMailboxName(name)));
}

/** Inserts one mailbox row inside a write. */
export async function insertMailbox(
  tx: WriteContext,
  accountId: number,
  name: string,
  options: { specialUse?: SpecialUse | null; subscribed?: boolean } = {},
): Promise<MailBoxRow> {
  const t = now();
  const uidvalidity = await nextUidValidity(tx);
  await dropKeptSubscription(tx, accountId, name);
  const row = await tx.get(
    `INSERT INTO mail_box (reference_id, mail_account_id, name, subscribed, uidvalidity, special_use, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    crypto.randomUUID(),
    accountId,
    name,
    options.subscribed === false ? 0 : 1,
    uidvalidity,
    options.specialUse ?? null,
    t,
    t,
  );
  return rowOf(mailBox, row);
}

export async function listMailboxes(store: Store, accountId: number): Promise<MailBoxRow[]> {
  return rowsOf(mailBox, await store.all(`SELECT * FROM mail_box WHERE mail_account_id = ? ORDER BY name`, accountId));
}

export async function findMailbox(store: Store, accountId: number, name: string): Promise<MailBoxRow | undefined> {
  return findIn(store, accountId, name);
}

export async function findMailboxById(store: Queryable, mailboxId: number): Promise<MailBoxRow | undefined> {
  return rowOrUndefined(mailBox, await store.get(`SELECT * FROM mail_box WHERE id = ?`, mailboxId));
}

/** The account's mailbox with a special-use attribute, or INBOX when there is none. */
export async function findSpecialMailbox(store: Store, accountId: number, specialUse: SpecialUse | 'INBOX'): Promise<MailBoxRow> {
  const row =
    specialUse === 'INBOX'
      ? undefined
      : rowOrUndefined(
          mailBox,
          await store.get(`SELECT * FROM mail_box WHERE mail_account_id = ? AND special_use = ? AND noselect = 0 ORDER BY id LIMIT 1`, accountId, specialUse),
        );
  const inbox = row ?? (await findIn(store, accountId, 'INBOX'));
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
  return write(store, async (tx) => {
    const existing = await findIn(tx, accountId, normalized);
    if (existing && !existing.noselect) throw new StoreError('ALREADYEXISTS', 'mailbox already exists');
    for (const parent of parentNames(normalized)) {
      if (!(await findIn(tx, accountId, parent))) await insertMailbox(tx, accountId, parent);
    }
    let row: MailBoxRow;
    if (existing) {
      // A \Noselect name left by DELETE becomes a real mailbox again, with a new
      // UIDVALIDITY and a new reference_id: its RFC 8474 MAILBOXID is derived from
      // it and must not name the deleted mailbox's successor (§4.1).
      const uidvalidity = await nextUidValidity(tx);
      row = rowOf(
        mailBox,
        await tx.get(
          `UPDATE mail_box SET noselect = 0, uidvalidity = ?, reference_id = ?, special_use = ?, updated_at = ? WHERE id = ? RETURNING *`,
          uidvalidity,
          crypto.randomUUID(),
          options.specialUse ?? null,
          now(),
          existing.id,
        ),
      );
    } else {
      row = await insertMailbox(tx, accountId, normalized, { specialUse: options.specialUse });
    }
    await queueWebhookEvent(tx, row.id, 'mailboxNew', mailboxEventData(row));
    tx.notify('mailboxes', { accountId });
    return row;
  });
}

/** EmailEngine's mailboxNew/mailboxDeleted data. */
function mailboxEventData(mailbox: MailBoxRow): { path: string; name: string; mailboxId: string; specialUse?: string } {
  const name = mailbox.name.split(HIERARCHY_DELIMITER).pop()!;
  return { path: mailbox.name, name, mailboxId: mailbox.reference_id, ...(mailbox.special_use ? { specialUse: mailbox.special_use } : {}) };
}

async function childrenOf(tx: WriteContext, accountId: number, name: string): Promise<MailBoxRow[]> {
  const prefix = name + HIERARCHY_DELIMITER;
  return rowsOf(
    mailBox,
    await tx.all(`SELECT * FROM mail_box WHERE mail_account_id = ? AND substr(name, 1, length(CAST(? AS TEXT))) = ? ORDER BY name`, accountId, prefix, prefix),
  );
}

async function allUids(tx: WriteContext, mailboxId: number): Promise<number[]> {
  return tx.column<number>(`SELECT uid FROM mail WHERE mail_box_id = ? ORDER BY uid`, mailboxId);
}

async function deleteMailboxRow(tx: WriteContext, mailbox: MailBoxRow): Promise<void> {
  await expungeInWrite(tx, mailbox.id, await allUids(tx, mailbox.id));
  await tx.run(`DELETE FROM mail_box WHERE id = ?`, mailbox.id);
  // RFC 3501 §6.3.6: the server does not unsubscribe a name because its mailbox went away.
  if (mailbox.subscribed) await tx.run(`INSERT INTO mail_subscription (mail_account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING`, mailbox.mail_account_id, mailbox.name);
}

/** A subscription kept for a name without a mailbox is folded into the mailbox that now has the name. */
async function dropKeptSubscription(tx: WriteContext, accountId: number, name: string): Promise<void> {
  await tx.run(`DELETE FROM mail_subscription WHERE mail_account_id = ? AND name = ?`, accountId, name);
}

/** Subscribed names that have no mailbox (RFC 5258 §3: listed \NonExistent), sorted. */
export async function listKeptSubscriptions(store: Store, accountId: number): Promise<string[]> {
  return store.column<string>(`SELECT name FROM mail_subscription WHERE mail_account_id = ? ORDER BY name`, accountId);
}

/** DELETE (RFC 3501 §6.3.4). */
export async function deleteMailbox(store: Store, accountId: number, name: string): Promise<void> {
  const normalized = normalizeMailboxName(name);
  if (normalized === 'INBOX') throw new StoreError('CANNOT', 'INBOX cannot be deleted');
  return write(store, async (tx) => {
    const mailbox = await findIn(tx, accountId, normalized);
    if (!mailbox) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
    await lockMailboxes(tx, [mailbox.id]);
    await queueWebhookEvent(tx, mailbox.id, 'mailboxDeleted', mailboxEventData(mailbox));
    const children = await childrenOf(tx, accountId, normalized);
    await deleteMailboxMetadata(tx, accountId, mailbox.id);
    if (children.length > 0) {
      if (mailbox.noselect) throw new StoreError('INUSE', 'mailbox has children and is already \\Noselect');
      // Inferior names exist: remove the messages, keep the name as \Noselect.
      await expungeInWrite(tx, mailbox.id, await allUids(tx, mailbox.id));
      await tx.run(`UPDATE mail_box SET noselect = 1, updated_at = ? WHERE id = ?`, now(), mailbox.id);
    } else {
      await deleteMailboxRow(tx, mailbox);
    }
    tx.notify('mailboxes', { accountId });
  });
}

/** RENAME (RFC 3501 §6.3.5). */
export async function renameMailbox(store: Store, accountId: number, from: string, to: string): Promise<MailBoxRow> {
  const source = normalizeMailboxName(from);
  const target = validMailboxName(to);
  return write(store, async (tx) => {
    const mailbox = await findIn(tx, accountId, source);
    if (!mailbox) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
    const existing = await findIn(tx, accountId, target);
    if (existing) throw new StoreError('ALREADYEXISTS', 'target mailbox already exists');
    if (target === source || target.startsWith(source + HIERARCHY_DELIMITER)) {
      throw new StoreError('CANNOT', 'cannot rename a mailbox into itself');
    }
    for (const parent of parentNames(target)) {
      if (!(await findIn(tx, accountId, parent))) await insertMailbox(tx, accountId, parent);
    }
    let result: MailBoxRow;
    if (source === 'INBOX') {
      // Renaming INBOX moves its messages to a new mailbox and leaves INBOX empty;
      // INBOX's inferior names stay where they are.
      result = await insertMailbox(tx, accountId, target, { subscribed: mailbox.subscribed });
      await moveInWrite(tx, mailbox.id, await allUids(tx, mailbox.id), result.id);
    } else {
      const t = now();
      for (const child of await childrenOf(tx, accountId, source)) {
        const name = target + child.name.slice(source.length);
        await dropKeptSubscription(tx, accountId, name);
        await tx.run(`UPDATE mail_box SET name = ?, updated_at = ? WHERE id = ?`, name, t, child.id);
      }
      await dropKeptSubscription(tx, accountId, target);
      result = rowOf(mailBox, await tx.get(`UPDATE mail_box SET name = ?, updated_at = ? WHERE id = ? RETURNING *`, target, t, mailbox.id));
    }
    tx.notify('mailboxes', { accountId });
    return result;
  });
}

export async function setSubscribed(store: Store, accountId: number, name: string, subscribed: boolean): Promise<void> {
  return write(store, async (tx) => {
    const mailbox = await findIn(tx, accountId, name);
    if (!mailbox) {
      // Only a kept subscription (its mailbox was deleted) can be dropped without a mailbox.
      const normalized = normalizeMailboxName(name);
      const { changes } = subscribed ? { changes: 0 } : await tx.run(`DELETE FROM mail_subscription WHERE mail_account_id = ? AND name = ?`, accountId, normalized);
      if (changes === 0) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
      tx.notify('subscriptions', { accountId });
      return;
    }
    await tx.run(`UPDATE mail_box SET subscribed = ?, updated_at = ? WHERE id = ?`, subscribed ? 1 : 0, now(), mailbox.id);
    tx.notify('subscriptions', { accountId });
  });
}

/** STATUS / SELECT counters, computed in one query. */
export async function mailboxStatus(store: Store, mailboxId: number): Promise<MailboxStatus> {
  const box = await store.get<Pick<MailBoxRow, 'uidnext' | 'uidvalidity' | 'highestmodseq' | 'recent_uid'>>(
    `SELECT uidnext, uidvalidity, highestmodseq, recent_uid FROM mail_box WHERE id = ?`,
    mailboxId,
  );
  if (!box) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
  const instr = store.dialect.instr;
  const counts = (await store.get<{ messages: number; unseen: number; recent: number; size: number; deleted: number; deletedSize: number }>(
    `SELECT count(*) AS messages,
            coalesce(sum(CASE WHEN ${instr}(flags, '"\\\\Seen"') = 0 THEN 1 ELSE 0 END), 0) AS unseen,
            coalesce(sum(CASE WHEN uid > ? THEN 1 ELSE 0 END), 0) AS recent,
            coalesce(sum(size), 0) AS size,
            coalesce(sum(CASE WHEN ${instr}(flags, '"\\\\Deleted"') > 0 THEN 1 ELSE 0 END), 0) AS deleted,
            coalesce(sum(CASE WHEN ${instr}(flags, '"\\\\Deleted"') > 0 THEN size ELSE 0 END), 0) AS "deletedSize"
     FROM mail WHERE mail_box_id = ?`,
    box.recent_uid,
    mailboxId,
  ))!;
  const firstUnseen = (await store.get<{ seq: number }>(
    `SELECT count(*) + 1 AS seq FROM mail WHERE mail_box_id = ? AND uid < (
       SELECT min(uid) FROM mail WHERE mail_box_id = ? AND ${instr}(flags, '"\\\\Seen"') = 0)`,
    mailboxId,
    mailboxId,
  ))!;
  return {
    ...counts,
    uidnext: box.uidnext,
    uidvalidity: box.uidvalidity,
    highestmodseq: box.highestmodseq,
    firstUnseenSeq: counts.unseen > 0 ? firstUnseen.seq : null,
  };
}
