// The SORT and THREAD keys on `mail` rows: their values at delivery, and the
// backfill for rows stored before they existed (or computed by an older
// SORT_KEYS_VERSION). The backfill reads each such message's header from its
// stored bytes, computes the keys as delivery does, and updates the row; it
// runs in batches in the background after start (server/sort-keys-backfill.ts)
// and, while it has not finished, for a mailbox before SORT or THREAD reads it.
import { indexHeaderKeys } from '../mime/index-message.ts';
import { SORT_KEYS_VERSION, type SortKeys } from '../mime/sort-keys.ts';
import { type Param, type Store, write } from './store.ts';

/** The `mail` columns that hold the keys, in the order sortKeyValues gives them. */
export const SORT_KEY_COLUMNS = [
  'sort_date', 'sort_subject', 'subject_is_reply', 'sort_from', 'sort_to', 'sort_cc',
  'sort_display_from', 'sort_display_to', 'thread_message_id', 'thread_references', 'sort_keys_version',
] as const;

/** Values for SORT_KEY_COLUMNS; `sentDate` is the Date: header, else the internal date (RFC 5256 §2.2). */
export function sortKeyValues(keys: SortKeys, sentDate: number): Param[] {
  return [
    sentDate,
    keys.subject,
    keys.subjectIsReply ? 1 : 0,
    keys.from,
    keys.to,
    keys.cc,
    keys.displayFrom,
    keys.displayTo,
    keys.messageId,
    keys.references,
    SORT_KEYS_VERSION,
  ];
}

/** The header is read from at most this many bytes of a stored message (SMTP allows 256 KiB of header). */
const HEADER_READ = 256 * 1024;
const META_KEY = 'sort_keys_version';

/** Whether some rows may still lack their keys: the backfill has not recorded that it finished. */
export async function sortKeysPending(store: Store): Promise<boolean> {
  const row = await store.get<{ value: string }>(`SELECT value FROM heron_meta WHERE key = ?`, META_KEY);
  return !row || Number(row.value) < SORT_KEYS_VERSION;
}

/**
 * Computes the keys of up to `limit` rows that lack them, in id order after
 * `afterId` (only in `mailboxId` when given). Returns how many rows it
 * looked at and the last id, to continue from.
 */
export async function backfillSortKeys(
  store: Store,
  options: { afterId?: number; limit?: number; mailboxId?: number } = {},
): Promise<{ count: number; lastId: number }> {
  const afterId = options.afterId ?? 0;
  const where = options.mailboxId === undefined ? '' : ' AND m.mail_box_id = ?';
  const rows = await store.all<{ id: number; internal_date: number; head: Buffer | null }>(
    `SELECT m.id, m.internal_date, substr(r.data, 1, ?) AS head FROM mail m JOIN mail_raw r ON r.id = m.mail_raw_id
     WHERE m.id > ? AND m.sort_keys_version < ?${where} ORDER BY m.id LIMIT ?`,
    HEADER_READ,
    afterId,
    SORT_KEYS_VERSION,
    ...(options.mailboxId === undefined ? [] : [options.mailboxId]),
    options.limit ?? 500,
  );
  if (rows.length === 0) return { count: 0, lastId: afterId };
  const updates = rows.map((r) => {
    const { sortKeys, dateHeader } = indexHeaderKeys(r.head ?? Buffer.alloc(0));
    return { id: r.id, values: sortKeyValues(sortKeys, dateHeader ?? r.internal_date) };
  });
  const set = SORT_KEY_COLUMNS.map((c) => `${c} = ?`).join(', ');
  await write(store, async (tx) => {
    // Another node may have done the row meanwhile; the values are the same either way.
    for (const u of updates) await tx.run(`UPDATE mail SET ${set} WHERE id = ? AND sort_keys_version < ?`, ...u.values, u.id, SORT_KEYS_VERSION);
  });
  return { count: rows.length, lastId: rows[rows.length - 1].id };
}

/** Records that every row has its keys, once none is left without them; returns whether it could. */
export async function finishSortKeysBackfill(store: Store): Promise<boolean> {
  if (await store.get(`SELECT 1 FROM mail WHERE sort_keys_version < ? LIMIT 1`, SORT_KEYS_VERSION)) return false;
  await write(store, async (tx) => {
    await tx.run(
      `INSERT INTO heron_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      META_KEY,
      String(SORT_KEYS_VERSION),
    );
  });
  return true;
}

/** Before SORT or THREAD reads a mailbox: computes the keys its rows still lack (none once the backfill has finished). */
export async function ensureMailboxSortKeys(store: Store, mailboxId: number): Promise<void> {
  if (!(await sortKeysPending(store))) return;
  let afterId = 0;
  for (;;) {
    const batch = await backfillSortKeys(store, { afterId, mailboxId });
    if (batch.count === 0) return;
    afterId = batch.lastId;
  }
}
