// Light reads for IMAP over a UID range: FETCH FLAGS/INTERNALDATE/SIZE and
// SEARCH read these columns without parsing the stored ENVELOPE/BODYSTRUCTURE JSON.
import { parseFlags } from './flags.ts';
import type { Store } from './store.ts';

export interface MessageRow {
  uid: number;
  modseq: number;
  flags: string[];
  internalDate: number;
  size: number;
  rawId: number;
}

export interface SearchRow extends MessageRow {
  subject: string;
  from: string;
  to: string;
  cc: string;
  bcc: string;
  /** The Date: header as written (the ENVELOPE's date), read only when asked for. */
  sentDate: string | null;
}

type RawRow = { uid: number; modseq: number; flags: string; internal_date: number; size: number; mail_raw_id: number };
const toRow = (r: RawRow): MessageRow => ({
  uid: r.uid,
  modseq: r.modseq,
  flags: parseFlags(r.flags),
  internalDate: r.internal_date,
  size: r.size,
  rawId: r.mail_raw_id,
});

/** The UIDs of a mailbox in order: what SELECT needs for its sequence numbers. */
export async function listUids(store: Store, mailboxId: number): Promise<number[]> {
  return store.column<number>(`SELECT uid FROM mail WHERE mail_box_id = ? ORDER BY uid`, mailboxId);
}

/** Messages with minUid <= uid <= maxUid, in UID order. */
export async function getMessageRows(store: Store, mailboxId: number, minUid: number, maxUid: number): Promise<MessageRow[]> {
  const rows = await store.all<RawRow>(
    `SELECT uid, modseq, flags, internal_date, size, mail_raw_id FROM mail WHERE mail_box_id = ? AND uid BETWEEN ? AND ? ORDER BY uid`,
    mailboxId,
    minUid,
    maxUid,
  );
  return rows.map(toRow);
}

/**
 * The given UIDs (those that exist), in UID order: a range scan when they are
 * dense, a lookup per UID when they are sparse.
 */
export async function getMessageRowsFor(store: Store, mailboxId: number, uids: readonly number[]): Promise<MessageRow[]> {
  if (uids.length === 0) return [];
  const sorted = [...uids].sort((a, b) => a - b);
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  if (sorted.length * 4 >= max - min + 1) {
    const wanted = new Set(sorted);
    return (await getMessageRows(store, mailboxId, min, max)).filter((r) => wanted.has(r.uid));
  }
  const rows = await store.all<RawRow>(
    `SELECT uid, modseq, flags, internal_date, size, mail_raw_id FROM mail
     WHERE mail_box_id = ? AND uid IN ${store.dialect.intList} ORDER BY uid`,
    mailboxId,
    JSON.stringify(sorted),
  );
  return rows.map(toRow);
}

/**
 * Every message of a mailbox with the columns SEARCH keys test, in UID order
 * (or only the UIDs in `only`: a live search checks the messages that changed).
 * The subject and address columns are read only `withText`, the Date: text
 * only `withSentDate` (they live in the wide row; everything else comes from
 * the covering index).
 */
export async function getSearchRows(store: Store, mailboxId: number, withText: boolean, withSentDate = false, only?: readonly number[]): Promise<SearchRow[]> {
  const text =
    (withText ? ', subject, from_address, to_address, cc_address, bcc_address' : '') +
    (withSentDate ? `, ${store.dialect.jsonMember('envelope', 'date')} AS sent_date` : '');
  const rows = await store.all<
    RawRow & { subject?: string; from_address?: string; to_address?: string; cc_address?: string; bcc_address?: string; sent_date?: string | null }
  >(
    `SELECT uid, modseq, flags, internal_date, size, mail_raw_id${text} FROM mail WHERE mail_box_id = ?${only ? ` AND uid IN ${store.dialect.intList}` : ''} ORDER BY uid`,
    ...(only ? [mailboxId, JSON.stringify(only)] : [mailboxId]),
  );
  return rows.map((r) =>
    Object.assign(toRow(r), {
      subject: r.subject ?? '',
      from: r.from_address ?? '',
      to: r.to_address ?? '',
      cc: r.cc_address ?? '',
      bcc: r.bcc_address ?? '',
      sentDate: r.sent_date ?? null,
    }),
  );
}

/** The current highest MODSEQ of a mailbox (0 when it is gone). */
export async function getHighestModseq(store: Store, mailboxId: number): Promise<number> {
  const row = await store.get<{ highestmodseq: number }>(`SELECT highestmodseq FROM mail_box WHERE id = ?`, mailboxId);
  return row?.highestmodseq ?? 0;
}

/** The keywords (flags without a backslash) on any message of a mailbox, sorted: what SELECT's FLAGS lists (RFC 3501 §7.2.6). */
export async function listKeywords(store: Store, mailboxId: number): Promise<string[]> {
  return store.column<string>(
    `SELECT DISTINCT k.value FROM mail m, ${store.dialect.jsonElements('m.flags', 'k')}
     WHERE m.mail_box_id = ? AND m.flags <> '[]' AND substr(k.value, 1, 1) <> '\\' ORDER BY k.value`,
    mailboxId,
  );
}
