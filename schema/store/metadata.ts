// METADATA entries (RFC 5464) of an account: on its mailboxes, and on the
// server (SERVER_ENTRIES, the empty mailbox name). Names arrive validated and
// lower-cased (imapd/parser/metadata-args.ts); values are raw bytes.
//
// A write locks the account's row first (on PostgreSQL other nodes write at the
// same time), so the entry-count limits it checks at the end hold for every
// concurrent writer. Each changed entry is announced with the `metadata` event
// after the commit (IMAP NOTIFY's MailboxMetadataChange / ServerMetadataChange).
import { StoreError } from './errors.ts';
import { now, type Queryable, type Store, type WriteContext, write } from './store.ts';

/** mail_box_id of an account's server entries (RFC 5464 §3.2: the mailbox name ""). */
export const SERVER_ENTRIES = 0;

export interface MetadataLimits {
  /** Largest value in bytes (RFC 5464 §4.3: [METADATA MAXSIZE n] past it). */
  maxValueBytes: number;
  /** Entries on one mailbox, or on the server for one account ([METADATA TOOMANY] past it). */
  maxEntriesPerMailbox: number;
  /** Entries of one account in all (its mailboxes and its server entries). */
  maxEntriesPerAccount: number;
}

/** One stored entry as read: `value` is null when it is longer than the reader's maxSize. */
export interface MetadataEntry {
  name: string;
  value: Buffer | null;
  size: number;
}

/** How far below a named entry a read goes (RFC 5464 §4.2.2 DEPTH). */
export type MetadataDepth = 0 | 1 | 'infinity';

/**
 * The stored entries among `names` or below them (to `depth` levels), each
 * once, sorted by name; values longer than `maxSize` bytes come back without
 * their bytes (RFC 5464 §4.2.1).
 */
export async function readMetadata(
  db: Queryable,
  accountId: number,
  mailboxId: number,
  names: readonly string[],
  depth: MetadataDepth,
  maxSize = Infinity,
): Promise<MetadataEntry[]> {
  // length() is a 32-bit integer on PostgreSQL; no value comes near that size.
  const limit = Math.min(maxSize, 0x7fffffff);
  const select = `SELECT name, length(value) AS size, CASE WHEN length(value) <= ? THEN value END AS value FROM mail_metadata WHERE mail_account_id = ? AND mail_box_id = ?`;
  const found = new Map<string, MetadataEntry>();
  const add = (rows: MetadataEntry[]) => {
    for (const r of rows) found.set(r.name, { name: r.name, size: Number(r.size), value: r.value === null ? null : Buffer.from(r.value) });
  };
  if (depth === 0) {
    add(await db.all<MetadataEntry>(`${select} AND name IN ${db.dialect.textList}`, limit, accountId, mailboxId, JSON.stringify(names)));
  } else {
    for (const name of names) {
      const prefix = name + '/';
      const levels = name.split('/').length;
      const rows = await db.all<MetadataEntry>(`${select} AND (name = ? OR substr(name, 1, length(CAST(? AS TEXT))) = ?)`, limit, accountId, mailboxId, name, prefix, prefix);
      add(rows.filter((r) => depth === 'infinity' || r.name.split('/').length <= levels + 1));
    }
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * SETMETADATA (RFC 5464 §4.3): sets each entry (null removes it), all or none.
 * StoreError TOOBIG when a value is longer than the limit, LIMIT when the
 * mailbox or the account would hold more entries than allowed, NONEXISTENT
 * when the mailbox is gone.
 */
export async function setMetadata(
  store: Store,
  accountId: number,
  mailboxId: number,
  entries: ReadonlyArray<{ name: string; value: Buffer | null }>,
  limits: MetadataLimits,
): Promise<void> {
  for (const e of entries) {
    if (e.value && e.value.length > limits.maxValueBytes) throw new StoreError('TOOBIG', `metadata value longer than ${limits.maxValueBytes} bytes`);
  }
  await write(store, async (tx) => {
    // FOR NO KEY UPDATE: deliveries may still insert mail rows of the account meanwhile.
    const account = await tx.get(`SELECT id FROM mail_account WHERE id = ?${tx.dialect.forNoKeyUpdate}`, accountId);
    if (!account) throw new StoreError('NONEXISTENT', 'mail account does not exist');
    if (mailboxId !== SERVER_ENTRIES) {
      const box = await tx.get(`SELECT id FROM mail_box WHERE id = ? AND mail_account_id = ? AND noselect = 0`, mailboxId, accountId);
      if (!box) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
    }
    const before = await entryCounts(tx, accountId, mailboxId);
    const t = now();
    for (const { name, value } of entries) {
      const { changes } =
        value === null
          ? await tx.run(`DELETE FROM mail_metadata WHERE mail_account_id = ? AND mail_box_id = ? AND name = ?`, accountId, mailboxId, name)
          : await tx.run(
              `INSERT INTO mail_metadata (mail_account_id, mail_box_id, name, value, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (mail_account_id, mail_box_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
              accountId,
              mailboxId,
              name,
              value,
              t,
            );
      if (changes > 0) tx.notify('metadata', { accountId, mailboxId: mailboxId === SERVER_ENTRIES ? null : mailboxId, entry: name });
    }
    // Only a write that adds entries is refused: one that changes or removes
    // entries of an account already past a (lowered) limit goes through.
    const after = await entryCounts(tx, accountId, mailboxId);
    if ((after.mailbox > limits.maxEntriesPerMailbox && after.mailbox > before.mailbox) || (after.account > limits.maxEntriesPerAccount && after.account > before.account)) {
      throw new StoreError('LIMIT', 'too many metadata entries');
    }
  });
}

async function entryCounts(tx: WriteContext, accountId: number, mailboxId: number): Promise<{ mailbox: number; account: number }> {
  const row = await tx.get<{ mailbox: number; account: number }>(
    `SELECT coalesce(sum(CASE WHEN mail_box_id = ? THEN 1 ELSE 0 END), 0) AS mailbox, count(*) AS account FROM mail_metadata WHERE mail_account_id = ?`,
    mailboxId,
    accountId,
  );
  return { mailbox: Number(row!.mailbox), account: Number(row!.account) };
}

/** Removes a mailbox's entries, inside the write that deletes it (RFC 5464 §3.1: they go with it). */
export async function deleteMailboxMetadata(tx: WriteContext, accountId: number, mailboxId: number): Promise<void> {
  await tx.run(`DELETE FROM mail_metadata WHERE mail_account_id = ? AND mail_box_id = ?`, accountId, mailboxId);
}
