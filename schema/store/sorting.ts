// The reads SORT and THREAD make (RFC 5256, RFC 5957): UIDs in the order of
// the stored sort keys, and the few columns threading links messages by. The
// keys are computed at delivery (schema/mime/sort-keys.ts); the text ones are
// in i;unicode-casemap form, so a byte-wise ORDER BY (SQLite's BINARY,
// PostgreSQL's COLLATE "C") is the collation's order on both engines.
import { REFERENCES_SEPARATOR } from '../mime/message-ids.ts';
import type { Store } from './store.ts';

export type SortKeyName = 'arrival' | 'cc' | 'date' | 'from' | 'size' | 'subject' | 'to' | 'displayfrom' | 'displayto';

export interface SortCriterion {
  key: SortKeyName;
  /** RFC 5256 §3 REVERSE: this key in descending order (ties still by ascending UID). */
  reverse: boolean;
}

/** The column each sort key orders by. */
const SORT_COLUMN: Record<SortKeyName, string> = {
  arrival: 'internal_date',
  cc: 'sort_cc',
  date: 'sort_date',
  from: 'sort_from',
  size: 'size',
  subject: 'sort_subject',
  to: 'sort_to',
  displayfrom: 'sort_display_from',
  displayto: 'sort_display_to',
};

/** Below this many UIDs the store sorts only those; above, it sorts the mailbox and the caller keeps what it asked for. */
export const SORT_UIDS_INLINE = 1000;

/**
 * UIDs of a mailbox ordered by `criteria`, ties by ascending UID, which is
 * sequence order (RFC 5256 §3). With `uids`, only those (when few, the store
 * sorts just them; otherwise every UID of the mailbox comes back and the
 * caller keeps the ones it wants).
 */
export async function sortUids(store: Store, mailboxId: number, criteria: readonly SortCriterion[], uids?: readonly number[]): Promise<number[]> {
  const order = [...criteria.map((c) => `${SORT_COLUMN[c.key]}${c.reverse ? ' DESC' : ''}`), 'uid'].join(', ');
  if (uids && uids.length <= SORT_UIDS_INLINE) {
    if (uids.length === 0) return [];
    return store.column<number>(
      `SELECT uid FROM mail WHERE mail_box_id = ? AND uid IN ${store.dialect.intList} ORDER BY ${order}`,
      mailboxId,
      JSON.stringify(uids),
    );
  }
  return store.column<number>(`SELECT uid FROM mail WHERE mail_box_id = ? ORDER BY ${order}`, mailboxId);
}

/** What threading knows of a message. */
export interface ThreadRow {
  uid: number;
  /** Its Message ID, normalized (RFC 5256 §4); "" when it has no valid one. */
  messageId: string;
  /** Its parent chain, oldest first: the IDs of References, else the first of In-Reply-To. */
  references: string[];
  /** The sent date (RFC 5256 §2.2), epoch ms. */
  sentDate: number;
  /** The base subject in i;unicode-casemap form. */
  baseSubject: string;
  /** The subject marked it a reply or forward. */
  replyOrForward: boolean;
}

type RawThreadRow = {
  uid: number;
  sort_date: number;
  sort_subject: string;
  subject_is_reply?: number;
  thread_message_id?: string;
  thread_references?: string;
};

/**
 * The thread rows of a mailbox's messages (only `uids` when given), in UID
 * order. Without `links` (ORDEREDSUBJECT needs only subjects and dates) the
 * Message IDs and references are left out: empty.
 */
export async function getThreadRows(store: Store, mailboxId: number, uids?: readonly number[], links = true): Promise<ThreadRow[]> {
  // Every column is in mail_box_thread_idx: the wide rows are not read.
  const columns = `uid, sort_date, sort_subject${links ? ', subject_is_reply, thread_message_id, thread_references' : ''}`;
  const inline = uids !== undefined && uids.length <= SORT_UIDS_INLINE;
  const rows = inline
    ? await store.all<RawThreadRow>(
        `SELECT ${columns} FROM mail WHERE mail_box_id = ? AND uid IN ${store.dialect.intList} ORDER BY uid`,
        mailboxId,
        JSON.stringify(uids),
      )
    : await store.all<RawThreadRow>(`SELECT ${columns} FROM mail WHERE mail_box_id = ? ORDER BY uid`, mailboxId);
  const wanted = uids && !inline ? new Set(uids) : null;
  const out: ThreadRow[] = [];
  for (const r of rows) {
    if (wanted && !wanted.has(r.uid)) continue;
    const references = r.thread_references ?? '';
    out.push({
      uid: r.uid,
      messageId: r.thread_message_id ?? '',
      references: references === '' ? [] : references.split(REFERENCES_SEPARATOR),
      sentDate: r.sort_date,
      baseSubject: r.sort_subject,
      replyOrForward: r.subject_is_reply === 1,
    });
  }
  return out;
}
