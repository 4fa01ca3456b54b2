// Messages: append (and multi-recipient delivery), flags, copy, move, expunge,
// and the reads IMAP and the API need. UID and MODSEQ are allocated in the same
// transaction that stores a message, and every change gets a journal row.
import crypto from 'node:crypto';
import { indexMessage } from '../mime/index-message.ts';
import type { Envelope, IndexedMessage, MimePart } from '../mime/types.ts';
import { StoreError } from './errors.ts';
import { SORT_KEY_COLUMNS, sortKeyValues } from './sort-keys.ts';
import { applyFlags, flagChanges, type FlagOperation, hasFlag, normalizeFlags, parseFlags } from './flags.ts';
import { QuotaLedger, settleQuota } from './quota.ts';
import type { MailBoxRow } from './rows.ts';
import { now, type Queryable, type Store, type WriteContext, write } from './store.ts';
import { assignThread, threadKeys } from './threads.ts';
import { queueWebhookEvent } from './webhooks.ts';

export type ChangeKind = 'new' | 'flags' | 'expunge';

/** What SELECT needs per message: the session's UID list and flags. */
export interface MessageSummary {
  uid: number;
  modseq: number;
  flags: string[];
}

/** Metadata of one message as FETCH and the API read it (no raw bytes). */
export interface MessageMeta extends MessageSummary {
  id: number;
  referenceId: string;
  mailboxId: number;
  accountId: number;
  rawId: number;
  internalDate: number;
  size: number;
  envelope: Envelope;
  root: MimePart;
}

export interface DeliveryMeta {
  returnPath?: string;
  ipAddr?: string;
  isTls?: boolean;
  spamScore?: number;
  spam?: boolean;
}

export interface DeliveryCopy {
  mailboxId: number;
  flags?: string[];
  /** SMTP RCPT TO this copy was delivered for. */
  recipient?: string;
}

export interface AppendedMessage {
  id: number;
  referenceId: string;
  mailboxId: number;
  uid: number;
  uidvalidity: number;
  modseq: number;
}

// ---------------------------------------------------------------- internals

interface Allocation {
  firstUid: number;
  modseq: number;
  accountId: number;
  uidvalidity: number;
}

/**
 * Reserves `count` UIDs and one new MODSEQ for a mailbox. Call inside a write:
 * the UPDATE holds the mailbox row until the commit, so on PostgreSQL writers
 * of one mailbox (on any node) take turns and commit in MODSEQ order.
 */
export async function allocate(tx: WriteContext, mailboxId: number, count: number): Promise<Allocation> {
  const row = await tx.get<Allocation>(
    `UPDATE mail_box SET uidnext = uidnext + ?, highestmodseq = highestmodseq + 1, updated_at = ?
     WHERE id = ? AND noselect = 0
     RETURNING uidnext - ? AS "firstUid", highestmodseq AS modseq, mail_account_id AS "accountId", uidvalidity`,
    count,
    now(),
    mailboxId,
    count,
  );
  if (!row) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
  return row;
}

/**
 * Locks mailbox rows until the commit, in id order (one order for every
 * writer, so two writers never wait for each other in a circle). A write that
 * reads messages and then changes them calls this first; on SQLite, where one
 * writer runs at a time, it is a plain read.
 */
export async function lockMailboxes(tx: WriteContext, mailboxIds: readonly number[]): Promise<void> {
  if (!tx.dialect.shared || mailboxIds.length === 0) return;
  const ids = [...new Set(mailboxIds)].sort((a, b) => a - b);
  await tx.all(`SELECT id FROM mail_box WHERE id IN ${tx.dialect.intList} ORDER BY id${tx.dialect.forUpdate}`, JSON.stringify(ids));
}

export async function journal(tx: WriteContext, mailboxId: number, modseq: number, uid: number, kind: ChangeKind): Promise<void> {
  // created_at: the retention policy's clock (schema/store/journal.ts).
  await tx.run(`INSERT INTO mail_change (mail_box_id, modseq, uid, kind, created_at) VALUES (?, ?, ?, ?, ?)`, mailboxId, modseq, uid, kind, now());
}

export async function insertRaw(tx: WriteContext, raw: Buffer, sha256: string, indexed: IndexedMessage): Promise<number> {
  const { id } = (await tx.get<{ id: number }>(`INSERT INTO mail_raw (sha256, data) VALUES (?, ?) RETURNING id`, sha256, raw))!;
  const text = tx.dialect.textIndex;
  await tx.run(text.insert, id, text.prepare(indexed.headerText), text.prepare(indexed.bodyText));
  return id;
}

/** Removes raw rows (and their text index rows) that no message refers to any more. */
export async function deleteOrphanRaw(tx: WriteContext, rawIds: Iterable<number>): Promise<void> {
  for (const rawId of new Set(rawIds)) {
    const used = await tx.get(`SELECT 1 FROM mail WHERE mail_raw_id = ? LIMIT 1`, rawId);
    if (used) continue;
    await tx.run(tx.dialect.textIndex.delete, rawId);
    await tx.run(`DELETE FROM mail_raw WHERE id = ?`, rawId);
  }
}

/** Every column of a new `mail` row, in the order insertMail binds them. */
const MAIL_COLUMNS = [
  'reference_id', 'mail_box_id', 'mail_account_id', 'mail_raw_id', 'uid', 'modseq', 'flags', 'internal_date', 'size', 'hash',
  'message_id', 'in_reply_to', 'subject', 'date_header', 'from_address', 'to_address', 'cc_address', 'bcc_address', 'reply_to_address',
  'sender_address', 'content_type', 'has_attachment', 'recipient', 'return_path', 'ip_addr', 'is_tls', 'spam_score', 'spam',
  'envelope', 'bodystructure', 'thread_id', 'preview', 'created_at', 'updated_at',
  ...SORT_KEY_COLUMNS,
] as const;
/** What a copy gets anew (bound in this order); every other column comes from the source row. */
const COPY_BINDS = new Set<string>(['reference_id', 'mail_box_id', 'mail_account_id', 'uid', 'modseq', 'created_at', 'updated_at']);
const INSERT_MAIL = `INSERT INTO mail (${MAIL_COLUMNS.join(', ')}) VALUES (${MAIL_COLUMNS.map(() => '?').join(', ')}) RETURNING id`;
const COPY_MAIL = `INSERT INTO mail (${MAIL_COLUMNS.join(', ')}) SELECT ${MAIL_COLUMNS.map((c) => (COPY_BINDS.has(c) ? '?' : c)).join(', ')} FROM mail WHERE id = ?`;

export interface MailInsert {
  mailboxId: number;
  accountId: number;
  rawId: number;
  uid: number;
  modseq: number;
  flags: string[];
  internalDate: number;
  size: number;
  hash: string;
  recipient: string;
  meta: DeliveryMeta;
  threadId: string;
  indexed: Pick<
    IndexedMessage,
    'messageId' | 'inReplyTo' | 'subject' | 'dateHeader' | 'from' | 'to' | 'cc' | 'bcc' | 'replyTo' | 'sender' | 'contentType' | 'hasAttachment' | 'preview'
    | 'sortKeys'
  > & { envelopeJson: string; structureJson: string };
}

export async function insertMail(tx: WriteContext, m: MailInsert): Promise<{ id: number; referenceId: string }> {
  const referenceId = crypto.randomUUID();
  const t = now();
  const { id } = (await tx.get<{ id: number }>(
    INSERT_MAIL,
    referenceId,
    m.mailboxId,
    m.accountId,
    m.rawId,
    m.uid,
    m.modseq,
    JSON.stringify(m.flags),
    m.internalDate,
    m.size,
    m.hash,
    m.indexed.messageId,
    m.indexed.inReplyTo,
    m.indexed.subject,
    m.indexed.dateHeader,
    m.indexed.from,
    m.indexed.to,
    m.indexed.cc,
    m.indexed.bcc,
    m.indexed.replyTo,
    m.indexed.sender,
    m.indexed.contentType,
    m.indexed.hasAttachment ? 1 : 0,
    m.recipient,
    m.meta.returnPath ?? '',
    m.meta.ipAddr ?? '',
    m.meta.isTls ? 1 : 0,
    m.meta.spamScore ?? 0,
    m.meta.spam ? 1 : 0,
    m.indexed.envelopeJson,
    m.indexed.structureJson,
    m.threadId,
    m.indexed.preview,
    t,
    t,
    ...sortKeyValues(m.indexed.sortKeys, m.indexed.dateHeader ?? m.internalDate),
  ))!;
  return { id, referenceId };
}

export function notifyMailbox(ctx: WriteContext, accountId: number, mailboxId: number, highestModseq: number): void {
  ctx.notify('mailbox', { accountId, mailboxId, highestModseq });
}

// ---------------------------------------------------------------- append

/** What storing a message needs from its bytes: parse it before the transaction (the expensive part, needing no lock). */
export function prepareMessage(raw: Buffer): { indexed: IndexedMessage; sha256: string; envelopeJson: string; structureJson: string } {
  const indexed = indexMessage(raw);
  return {
    indexed,
    sha256: crypto.createHash('sha256').update(raw).digest('hex'),
    envelopeJson: JSON.stringify(indexed.envelope),
    structureJson: JSON.stringify(indexed.root),
  };
}

/**
 * Stores one message for one or more mailboxes in a single transaction: either
 * every copy is committed or none is. The raw bytes are stored once, exactly as given.
 */
export async function deliverMessage(
  store: Store,
  input: {
    raw: Buffer;
    copies: DeliveryCopy[];
    internalDate?: number;
    meta?: DeliveryMeta;
    /** False for the server's own filings (DSNs, Sent copies of mail already sent): counted, never refused. */
    enforceQuota?: boolean;
  },
): Promise<AppendedMessage[]> {
  if (input.copies.length === 0) return [];
  // Parse outside the transaction: it is the expensive part and needs no lock.
  const { indexed, sha256, envelopeJson, structureJson } = prepareMessage(input.raw);
  const internalDate = input.internalDate ?? now();
  const keys = threadKeys(indexed);
  return write(store, async (tx) => {
    const rawId = await insertRaw(tx, input.raw, sha256, indexed);
    // Mailboxes are locked in id order (see lockMailboxes); results keep the copies' order.
    const order = input.copies.map((_, i) => i).sort((a, b) => input.copies[a].mailboxId - input.copies[b].mailboxId);
    const appended: AppendedMessage[] = new Array(input.copies.length);
    // One thread per account, however many of its mailboxes get a copy.
    const threads = new Map<number, string>();
    const ledger = new QuotaLedger();
    for (const i of order) {
      const copy = input.copies[i];
      const alloc = await allocate(tx, copy.mailboxId, 1);
      let threadId = threads.get(alloc.accountId);
      if (threadId === undefined) {
        threadId = await assignThread(tx, alloc.accountId, keys);
        threads.set(alloc.accountId, threadId);
      }
      const { id, referenceId } = await insertMail(tx, {
        mailboxId: copy.mailboxId,
        accountId: alloc.accountId,
        rawId,
        uid: alloc.firstUid,
        modseq: alloc.modseq,
        flags: normalizeFlags(copy.flags ?? []),
        internalDate,
        size: input.raw.length,
        hash: sha256,
        recipient: copy.recipient ?? '',
        meta: input.meta ?? {},
        threadId,
        indexed: { ...indexed, envelopeJson, structureJson },
      });
      await journal(tx, copy.mailboxId, alloc.modseq, alloc.firstUid, 'new');
      ledger.add(alloc.accountId, 1, input.raw.length);
      await queueWebhookEvent(tx, copy.mailboxId, 'messageNew', { id: referenceId, uid: alloc.firstUid });
      notifyMailbox(tx, alloc.accountId, copy.mailboxId, alloc.modseq);
      appended[i] = { id, referenceId, mailboxId: copy.mailboxId, uid: alloc.firstUid, uidvalidity: alloc.uidvalidity, modseq: alloc.modseq };
    }
    await settleQuota(tx, ledger, input.enforceQuota ?? true);
    return appended;
  });
}

/** IMAP APPEND: one message into one mailbox, with flags and internal date. */
export async function appendMessage(
  store: Store,
  input: { mailboxId: number; raw: Buffer; flags?: string[]; internalDate?: number },
): Promise<AppendedMessage> {
  const [appended] = await deliverMessage(store, {
    raw: input.raw,
    copies: [{ mailboxId: input.mailboxId, flags: input.flags }],
    internalDate: input.internalDate,
  });
  return appended;
}

// ---------------------------------------------------------------- reads

interface MetaRow {
  id: number;
  reference_id: string;
  mail_box_id: number;
  mail_account_id: number;
  mail_raw_id: number;
  uid: number;
  modseq: number;
  flags: string;
  internal_date: number;
  size: number;
  envelope: string;
  bodystructure: string;
}

function toMeta(row: MetaRow): MessageMeta {
  return {
    id: row.id,
    referenceId: row.reference_id,
    mailboxId: row.mail_box_id,
    accountId: row.mail_account_id,
    rawId: row.mail_raw_id,
    uid: row.uid,
    modseq: row.modseq,
    flags: parseFlags(row.flags),
    internalDate: row.internal_date,
    size: row.size,
    envelope: JSON.parse(row.envelope) as Envelope,
    root: JSON.parse(row.bodystructure) as MimePart,
  };
}

/** UIDs, MODSEQs and flags of every message in a mailbox, in UID order. */
export async function listMessageSummaries(store: Store, mailboxId: number): Promise<MessageSummary[]> {
  const rows = await store.all<{ uid: number; modseq: number; flags: string }>(`SELECT uid, modseq, flags FROM mail WHERE mail_box_id = ? ORDER BY uid`, mailboxId);
  return rows.map((r) => ({ uid: r.uid, modseq: r.modseq, flags: parseFlags(r.flags) }));
}

/** Metadata for the given UIDs (those that still exist), in UID order. */
export async function getMessages(store: Store, mailboxId: number, uids: readonly number[]): Promise<MessageMeta[]> {
  if (uids.length === 0) return [];
  const rows = await store.all<MetaRow>(
    `SELECT id, reference_id, mail_box_id, mail_account_id, mail_raw_id, uid, modseq, flags, internal_date, size, envelope, bodystructure
     FROM mail WHERE mail_box_id = ? AND uid IN ${store.dialect.intList} ORDER BY uid`,
    mailboxId,
    JSON.stringify(uids),
  );
  return rows.map(toMeta);
}

/** The raw bytes of a message, exactly as stored. */
export async function readRaw(store: Store, rawId: number): Promise<Buffer> {
  const row = await store.get<{ data: Buffer }>(`SELECT data FROM mail_raw WHERE id = ?`, rawId);
  if (!row) throw new StoreError('NONEXISTENT', 'message body is gone');
  return row.data;
}

export interface JournalEntry {
  modseq: number;
  uid: number;
  kind: ChangeKind;
}

/** Journal rows with MODSEQ above `sinceModseq`, oldest first. */
export async function changesSince(store: Store, mailboxId: number, sinceModseq: number): Promise<JournalEntry[]> {
  return store.all<JournalEntry>(`SELECT modseq, uid, kind FROM mail_change WHERE mail_box_id = ? AND modseq > ? ORDER BY modseq, id`, mailboxId, sinceModseq);
}

/**
 * UIDs of messages whose indexed text contains `text` as a case-insensitive
 * substring. `field` picks the header lines, the decoded text bodies, or both.
 * Returns null when the index cannot answer (fewer than 3 characters for the
 * trigram tokenizer); the caller then checks messages itself.
 */
export async function searchText(
  store: Store,
  mailboxId: number,
  field: 'headers' | 'body' | 'text',
  text: string,
): Promise<Set<number> | null> {
  if ([...text].length < 3) return null;
  const match = store.dialect.textIndex.match(field, text);
  const uids = await store.column<number>(`SELECT uid FROM mail WHERE mail_box_id = ? AND mail_raw_id IN ${match.sql}`, mailboxId, ...match.params);
  return new Set(uids);
}

/**
 * UIDs of messages whose decoded Subject contains `text` (case-insensitive):
 * the header text index narrows the messages to those with `text` in some
 * header line, and only their subjects are read and checked. Null when the
 * index cannot answer (fewer than 3 characters); the caller then reads every
 * subject itself. The indexed header text holds each decoded Subject line
 * whole, so the index misses no match (headers past the 1 MiB that is
 * indexed of a message excepted, as for HEADER).
 */
export async function searchSubject(store: Store, mailboxId: number, text: string): Promise<Set<number> | null> {
  if ([...text].length < 3) return null;
  const match = store.dialect.textIndex.match('headers', text);
  const rows = await store.all<{ uid: number; subject: string }>(
    `SELECT uid, subject FROM mail WHERE mail_box_id = ? AND mail_raw_id IN ${match.sql}`,
    mailboxId,
    ...match.params,
  );
  const needle = text.toLowerCase();
  return new Set(rows.filter((r) => r.subject.toLowerCase().includes(needle)).map((r) => r.uid));
}

// ---------------------------------------------------------------- changes

export interface FlagChangeResult {
  /** Messages whose flags changed, with their new flags and MODSEQ. */
  changed: MessageSummary[];
  /** UIDs refused because their MODSEQ was above UNCHANGEDSINCE (RFC 7162 §3.1.3). */
  modified: number[];
}

/** STORE: changes flags on the given UIDs with one new MODSEQ for the whole operation. */
export async function storeFlags(
  store: Store,
  input: { mailboxId: number; uids: readonly number[]; op: FlagOperation; flags: readonly string[]; unchangedSince?: number },
): Promise<FlagChangeResult> {
  return write(store, async (tx) => {
    await lockMailboxes(tx, [input.mailboxId]);
    const rows = await tx.all<{ id: number; reference_id: string; uid: number; modseq: number; flags: string }>(
      `SELECT id, reference_id, uid, modseq, flags FROM mail WHERE mail_box_id = ? AND uid IN ${tx.dialect.intList} ORDER BY uid`,
      input.mailboxId,
      JSON.stringify(input.uids),
    );
    const modified: number[] = [];
    const updates: Array<{ id: number; referenceId: string; uid: number; before: string[]; flags: string[] }> = [];
    for (const row of rows) {
      if (input.unchangedSince !== undefined && row.modseq > input.unchangedSince) {
        modified.push(row.uid);
        continue;
      }
      const before = parseFlags(row.flags);
      const after = applyFlags(before, input.op, input.flags);
      if (JSON.stringify(before) !== JSON.stringify(after)) updates.push({ id: row.id, referenceId: row.reference_id, uid: row.uid, before, flags: after });
    }
    if (updates.length === 0) return { changed: [], modified };
    const alloc = await allocate(tx, input.mailboxId, 0);
    const t = now();
    for (const u of updates) {
      await tx.run(`UPDATE mail SET flags = ?, modseq = ?, updated_at = ? WHERE id = ?`, JSON.stringify(u.flags), alloc.modseq, t, u.id);
      await journal(tx, input.mailboxId, alloc.modseq, u.uid, 'flags');
      await queueWebhookEvent(tx, input.mailboxId, 'messageUpdated', { id: u.referenceId, uid: u.uid, changes: { flags: flagChanges(u.before, u.flags) } });
    }
    notifyMailbox(tx, alloc.accountId, input.mailboxId, alloc.modseq);
    return { changed: updates.map((u) => ({ uid: u.uid, modseq: alloc.modseq, flags: u.flags })), modified };
  });
}

/**
 * Removes messages inside a write (the caller has locked the mailbox); returns
 * the UIDs removed. Their usage is given back at once, or through `ledger`
 * when the caller settles several changes together (MOVE).
 */
export async function expungeInWrite(tx: WriteContext, mailboxId: number, uids: readonly number[], ledger?: QuotaLedger): Promise<number[]> {
  if (uids.length === 0) return [];
  const rows = await tx.all<{ id: number; reference_id: string; uid: number; mail_raw_id: number; size: number }>(
    `SELECT id, reference_id, uid, mail_raw_id, size FROM mail WHERE mail_box_id = ? AND uid IN ${tx.dialect.intList} ORDER BY uid`,
    mailboxId,
    JSON.stringify(uids),
  );
  if (rows.length === 0) return [];
  const alloc = await allocate(tx, mailboxId, 0);
  for (const row of rows) {
    await tx.run(`DELETE FROM mail WHERE id = ?`, row.id);
    // RFC 7162 §3.2.5: expunges stay in the journal so QRESYNC can report VANISHED.
    await journal(tx, mailboxId, alloc.modseq, row.uid, 'expunge');
    await queueWebhookEvent(tx, mailboxId, 'messageDeleted', { id: row.reference_id, uid: row.uid });
  }
  await deleteOrphanRaw(
    tx,
    rows.map((r) => r.mail_raw_id),
  );
  const refund = ledger ?? new QuotaLedger();
  refund.add(alloc.accountId, -rows.length, -rows.reduce((sum, r) => sum + r.size, 0));
  if (!ledger) await settleQuota(tx, refund);
  notifyMailbox(tx, alloc.accountId, mailboxId, alloc.modseq);
  return rows.map((r) => r.uid);
}

/**
 * EXPUNGE / UID EXPUNGE: removes the messages flagged \Deleted (only among
 * `uids` when given). With `force`, removes the given UIDs regardless of flags
 * (the API's DELETE).
 */
export async function expungeMessages(
  store: Store,
  input: { mailboxId: number; uids?: readonly number[]; force?: boolean },
): Promise<number[]> {
  return write(store, async (tx) => {
    await lockMailboxes(tx, [input.mailboxId]);
    const candidates = input.uids
      ? await tx.all<{ uid: number; flags: string }>(
          `SELECT uid, flags FROM mail WHERE mail_box_id = ? AND uid IN ${tx.dialect.intList}`,
          input.mailboxId,
          JSON.stringify(input.uids),
        )
      : await tx.all<{ uid: number; flags: string }>(`SELECT uid, flags FROM mail WHERE mail_box_id = ?`, input.mailboxId);
    const doomed = candidates.filter((c) => input.force || hasFlag(parseFlags(c.flags), '\\Deleted')).map((c) => c.uid);
    return expungeInWrite(tx, input.mailboxId, doomed);
  });
}

export interface CopyResult {
  uidvalidity: number;
  /** Pairs of source UID and the UID it got in the target, in source UID order. */
  mapping: Array<{ sourceUid: number; targetUid: number }>;
}

/**
 * Copies messages inside a write: same raw bytes, flags and internal date; new
 * UIDs. The target account is charged at once (OVERQUOTA when it would pass a
 * limit), or through `ledger` when the caller settles several changes together.
 */
export async function copyInWrite(
  tx: WriteContext,
  sourceMailboxId: number,
  uids: readonly number[],
  targetMailboxId: number,
  ledger?: QuotaLedger,
): Promise<CopyResult> {
  await lockMailboxes(tx, [sourceMailboxId, targetMailboxId]);
  const rows = await tx.all<{ uid: number; id: number; size: number }>(
    `SELECT id, uid, size FROM mail WHERE mail_box_id = ? AND uid IN ${tx.dialect.intList} ORDER BY uid`,
    sourceMailboxId,
    JSON.stringify(uids),
  );
  const target = await tx.get<{ uidvalidity: number }>(`SELECT uidvalidity FROM mail_box WHERE id = ? AND noselect = 0`, targetMailboxId);
  if (!target) throw new StoreError('NONEXISTENT', 'target mailbox does not exist');
  if (rows.length === 0) return { uidvalidity: target.uidvalidity, mapping: [] };
  const alloc = await allocate(tx, targetMailboxId, rows.length);
  const t = now();
  const mapping: CopyResult['mapping'] = [];
  for (const [i, row] of rows.entries()) {
    const targetUid = alloc.firstUid + i;
    const referenceId = crypto.randomUUID();
    await tx.run(COPY_MAIL, referenceId, targetMailboxId, alloc.accountId, targetUid, alloc.modseq, t, t, row.id);
    await journal(tx, targetMailboxId, alloc.modseq, targetUid, 'new');
    await queueWebhookEvent(tx, targetMailboxId, 'messageNew', { id: referenceId, uid: targetUid });
    mapping.push({ sourceUid: row.uid, targetUid });
  }
  const charge = ledger ?? new QuotaLedger();
  charge.add(alloc.accountId, rows.length, rows.reduce((sum, r) => sum + r.size, 0));
  if (!ledger) await settleQuota(tx, charge);
  notifyMailbox(tx, alloc.accountId, targetMailboxId, alloc.modseq);
  return { uidvalidity: alloc.uidvalidity, mapping };
}

/** COPY: new UIDs in the target; the originals keep their flags and internal date. */
export async function copyMessages(
  store: Store,
  input: { sourceMailboxId: number; uids: readonly number[]; targetMailboxId: number },
): Promise<CopyResult> {
  return write(store, (tx) => copyInWrite(tx, input.sourceMailboxId, input.uids, input.targetMailboxId));
}

/** MOVE (RFC 6851): copy and expunge the originals in one transaction. */
export async function moveMessages(
  store: Store,
  input: { sourceMailboxId: number; uids: readonly number[]; targetMailboxId: number },
): Promise<CopyResult & { expunged: number[] }> {
  return write(store, (tx) => moveInWrite(tx, input.sourceMailboxId, input.uids, input.targetMailboxId));
}

/** Copies, then expunges the originals, inside a write (MOVE, the API's move, RENAME of INBOX). */
export async function moveInWrite(
  tx: WriteContext,
  sourceMailboxId: number,
  uids: readonly number[],
  targetMailboxId: number,
): Promise<CopyResult & { expunged: number[] }> {
  // RFC 9208 §4.3: a MOVE is refused only when the target root would pass its limit; inside one account it nets to zero.
  const ledger = new QuotaLedger();
  const result = await copyInWrite(tx, sourceMailboxId, uids, targetMailboxId, ledger);
  const expunged = await expungeInWrite(
    tx,
    sourceMailboxId,
    result.mapping.map((m) => m.sourceUid),
    ledger,
  );
  await settleQuota(tx, ledger);
  return { ...result, expunged };
}

/**
 * RFC 3501 §2.3.2: \Recent belongs to the first session that sees a message.
 * Returns the UIDs this caller may report as \Recent and marks them claimed.
 */
export async function claimRecent(store: Store, mailboxId: number): Promise<{ from: number; to: number } | null> {
  return (await claimRecentRange(store, mailboxId)).claim;
}

/**
 * claimRecent, also saying how far mail_box.recent_uid now reaches (it only
 * grows, so a caller may remember it and skip claims that cannot succeed).
 */
export async function claimRecentRange(store: Store, mailboxId: number): Promise<{ claim: { from: number; to: number } | null; recentUid: number }> {
  return write(store, async (tx) => {
    const row = await tx.get<Pick<MailBoxRow, 'recent_uid' | 'uidnext'>>(`SELECT recent_uid, uidnext FROM mail_box WHERE id = ?${tx.dialect.forUpdate}`, mailboxId);
    if (!row) return { claim: null, recentUid: 0 };
    if (row.recent_uid >= row.uidnext - 1) return { claim: null, recentUid: row.recent_uid };
    await tx.run(`UPDATE mail_box SET recent_uid = ? WHERE id = ?`, row.uidnext - 1, mailboxId);
    return { claim: { from: row.recent_uid + 1, to: row.uidnext - 1 }, recentUid: row.uidnext - 1 };
  });
}
