// Per-message data of the newer IMAP extensions: RFC 8474 EMAILID/THREADID,
// RFC 8514 SAVEDATE, RFC 8970 PREVIEW, for FETCH and SEARCH. Read apart from
// the flags/size rows, only when a command asks for them.
import { previewFromBody } from '../mime/index-message.ts';
import { previewPart, previewSource } from '../mime/preview.ts';
import type { MimePart } from '../mime/types.ts';
import { emailObjectId, parseEmailObjectId, parseThreadObjectId, threadObjectId } from './object-ids.ts';
import { StoreError } from './errors.ts';
import { readRawRange } from './raw-reads.ts';
import { type Store, write } from './store.ts';

export interface MessageObjects {
  uid: number;
  emailId: string;
  /** null: THREADID NIL (RFC 8474 §5.2). */
  threadId: string | null;
  /** RFC 8514 SAVEDATE: when this copy was saved in its mailbox (epoch ms). */
  savedAt: number;
  /** RFC 8970 PREVIEW; null when not computed yet (rows stored before previews existed). */
  preview: string | null;
}

/** The object data of the given UIDs (those that exist), by UID. */
export async function getMessageObjects(store: Store, mailboxId: number, uids: readonly number[]): Promise<Map<number, MessageObjects>> {
  if (uids.length === 0) return new Map();
  const rows = await store.all<{ uid: number; mail_raw_id: number; hash: string; thread_id: string; created_at: number; preview: string | null }>(
    `SELECT uid, mail_raw_id, hash, thread_id, created_at, preview FROM mail WHERE mail_box_id = ? AND uid IN ${store.dialect.intList}`,
    mailboxId,
    JSON.stringify(uids),
  );
  return new Map(
    rows.map((r) => [
      r.uid,
      { uid: r.uid, emailId: emailObjectId(r.mail_raw_id, r.hash), threadId: threadObjectId(r.thread_id), savedAt: r.created_at, preview: r.preview },
    ]),
  );
}

/**
 * Computes and stores the previews of messages stored before previews were
 * computed at delivery, reading only the start of each one's text part; one
 * write for them all, shared by every copy. By UID; a message gone meanwhile is left out.
 */
export async function computePreviews(store: Store, mailboxId: number, uids: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (uids.length === 0) return out;
  const rows = await store.all<{ uid: number; mail_raw_id: number; bodystructure: string; preview: string | null }>(
    `SELECT uid, mail_raw_id, bodystructure, preview FROM mail WHERE mail_box_id = ? AND uid IN ${store.dialect.intList}`,
    mailboxId,
    JSON.stringify(uids),
  );
  const computed = new Map<number, string>();
  for (const row of rows) {
    let preview = row.preview ?? computed.get(row.mail_raw_id);
    if (preview === undefined) {
      const part = previewPart(JSON.parse(row.bodystructure) as MimePart);
      preview = '';
      if (part) {
        const { start, end } = previewSource(part);
        try {
          preview = previewFromBody(part, await readRawRange(store, row.mail_raw_id, start, end - start));
        } catch (err) {
          if (err instanceof StoreError && err.code === 'NONEXISTENT') continue; // expunged meanwhile
          throw err;
        }
      }
      computed.set(row.mail_raw_id, preview);
    }
    out.set(row.uid, preview);
  }
  if (computed.size > 0) {
    // Derived data, not a change of the message: no MODSEQ, no journal row.
    await write(store, async (tx) => {
      for (const [rawId, preview] of computed) await tx.run(`UPDATE mail SET preview = ? WHERE mail_raw_id = ? AND preview IS NULL`, preview, rawId);
    });
  }
  return out;
}

/** UIDs in a mailbox with this EMAILID (its copies there), for SEARCH EMAILID (RFC 8474 §6). */
export async function uidsWithEmailId(store: Store, mailboxId: number, emailId: string): Promise<Set<number>> {
  const parsed = parseEmailObjectId(emailId);
  if (!parsed) return new Set();
  const uids = await store.column<number>(
    `SELECT uid FROM mail WHERE mail_box_id = ? AND mail_raw_id = ? AND substr(hash, 1, 16) = ?`,
    mailboxId,
    parsed.rawId,
    parsed.hashPrefix,
  );
  return new Set(uids);
}

/** UIDs in a mailbox with this THREADID, for SEARCH THREADID (RFC 8474 §6). */
export async function uidsWithThreadId(store: Store, mailboxId: number, threadId: string): Promise<Set<number>> {
  const token = parseThreadObjectId(threadId);
  if (token === null) return new Set();
  return new Set(await store.column<number>(`SELECT uid FROM mail WHERE mail_box_id = ? AND thread_id = ?`, mailboxId, token));
}

/**
 * UIDs whose save date (RFC 8514 §4: the day, time and zone disregarded; UTC
 * days, as for INTERNALDATE) is before, on or since the day starting at `day`.
 */
export async function uidsBySaveDate(store: Store, mailboxId: number, op: 'before' | 'on' | 'since', day: number): Promise<Set<number>> {
  const next = day + 86_400_000;
  const [where, params] = op === 'before' ? ['created_at < ?', [day]] : op === 'since' ? ['created_at >= ?', [day]] : ['created_at >= ? AND created_at < ?', [day, next]];
  return new Set(await store.column<number>(`SELECT uid FROM mail WHERE mail_box_id = ? AND ${where}`, mailboxId, ...params));
}
