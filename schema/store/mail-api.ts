// Reads and changes the mail API (EmailEngine's /v1 routes) needs beyond
// IMAP's: counters for every mailbox of an account at once, a page of UIDs
// newest first, the per-message columns a listing shows, and MOVE reporting
// the API ids (reference_id) on both sides. Changes go through the same
// in-write functions IMAP uses, so sessions hear of them the same way.
import { mailAccount } from '../tables.ts';
import { lockMailboxes, moveInWrite } from './messages.ts';
import { rowOrUndefined } from './row-codec.ts';
import type { MailAccountRow } from './rows.ts';
import type { Store } from './store.ts';
import { write } from './store.ts';

/** A mail account by its API id (reference_id). */
export async function findMailAccountByReference(store: Store, referenceId: string): Promise<MailAccountRow | undefined> {
  return rowOrUndefined(mailAccount, await store.get(`SELECT * FROM mail_account WHERE reference_id = ?`, referenceId));
}

export interface MailboxCounters {
  messages: number;
  unseen: number;
}

/** Messages and messages without \Seen for every mailbox of an account, by mailbox id (absent: empty). */
export async function mailboxCounters(store: Store, accountId: number): Promise<Map<number, MailboxCounters>> {
  const rows = await store.all<{ mailbox: number; messages: number; unseen: number }>(
    `SELECT mail_box_id AS mailbox, count(*) AS messages,
            coalesce(sum(CASE WHEN ${store.dialect.instr}(flags, '"\\\\Seen"') = 0 THEN 1 ELSE 0 END), 0) AS unseen
     FROM mail WHERE mail_account_id = ? GROUP BY mail_box_id`,
    accountId,
  );
  return new Map(rows.map((r) => [Number(r.mailbox), { messages: Number(r.messages), unseen: Number(r.unseen) }]));
}

export async function countMessages(store: Store, mailboxId: number): Promise<number> {
  return Number((await store.get<{ n: number }>(`SELECT count(*) AS n FROM mail WHERE mail_box_id = ?`, mailboxId))?.n ?? 0);
}

/** UIDs of one page, newest (highest UID) first. */
export async function pageOfUids(store: Store, mailboxId: number, offset: number, limit: number): Promise<number[]> {
  return store.column<number>(`SELECT uid FROM mail WHERE mail_box_id = ? ORDER BY uid DESC LIMIT ? OFFSET ?`, mailboxId, limit, offset);
}

/** What a listing shows beyond MessageMeta: the SHA-256 of the stored bytes and the parsed Date: header. */
export interface MessageListingColumns {
  hash: string;
  dateHeader: number | null;
}

export async function listingColumns(store: Store, mailboxId: number, uids: readonly number[]): Promise<Map<number, MessageListingColumns>> {
  if (uids.length === 0) return new Map();
  const rows = await store.all<{ uid: number; hash: string; date_header: number | null }>(
    `SELECT uid, hash, date_header FROM mail WHERE mail_box_id = ? AND uid IN ${store.dialect.intList}`,
    mailboxId,
    JSON.stringify(uids),
  );
  return new Map(rows.map((r) => [r.uid, { hash: r.hash, dateHeader: r.date_header === null ? null : Number(r.date_header) }]));
}

export interface MovedMessage {
  sourceUid: number;
  sourceId: string;
  targetUid: number;
  targetId: string;
}

async function referenceIds(q: Pick<Store, 'all' | 'dialect'>, mailboxId: number, uids: readonly number[]): Promise<Map<number, string>> {
  if (uids.length === 0) return new Map();
  const rows = await q.all<{ uid: number; reference_id: string }>(
    `SELECT uid, reference_id FROM mail WHERE mail_box_id = ? AND uid IN ${q.dialect.intList}`,
    mailboxId,
    JSON.stringify(uids),
  );
  return new Map(rows.map((r) => [r.uid, r.reference_id]));
}

/** MOVE (RFC 6851, as IMAP's moveMessages) that also reports the API ids before and after, read in the same transaction. */
export async function moveMessagesWithIds(
  store: Store,
  input: { sourceMailboxId: number; uids: readonly number[]; targetMailboxId: number },
): Promise<{ uidvalidity: number; moved: MovedMessage[] }> {
  return write(store, async (tx) => {
    await lockMailboxes(tx, [input.sourceMailboxId, input.targetMailboxId]);
    const before = await referenceIds(tx, input.sourceMailboxId, input.uids);
    const copied = await moveInWrite(tx, input.sourceMailboxId, input.uids, input.targetMailboxId);
    const after = await referenceIds(
      tx,
      input.targetMailboxId,
      copied.mapping.map((m) => m.targetUid),
    );
    return {
      uidvalidity: copied.uidvalidity,
      moved: copied.mapping.map((m) => ({ ...m, sourceId: before.get(m.sourceUid)!, targetId: after.get(m.targetUid)! })),
    };
  });
}
