// Messages: append (and multi-recipient delivery), flags, copy, move, expunge,
// and the reads IMAP and the API need. UID and MODSEQ are allocated in the same
// transaction that stores a message, and every change gets a journal row.
import crypto from 'node:crypto';
import { indexMessage } from '../mime/index-message.ts';
import type { Envelope, IndexedMessage, MimePart } from '../mime/types.ts';
import { StoreError } from './errors.ts';
import type { MailboxChangeDetail } from './events.ts';
import { SORT_KEY_COLUMNS, sortKeyValues } from './sort-keys.ts';
import { applyFlags, flagChanges, type FlagOperation, hasFlag, normalizeFlags, parseFlags } from './flags.ts';
import type { Dialect } from '../engine/engine.ts';
import { QuotaLedger, quotaStatements, settleQuota } from './quota.ts';
import type { MailBoxRow } from './rows.ts';
import { type FinalStatement, now, type Param, type Queryable, type Store, type WriteContext, write } from './store.ts';
import { assignThread, threadKeys } from './threads.ts';
import { newMessageEventStatement, notifyWebhookAtCommit, queueWebhookEvent, webhookEventStatement } from './webhooks.ts';

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
  const row = await tx.get<Allocation>(`${ALLOCATE_SQL} AND noselect = 0 ${ALLOCATION_RETURNED}`, count, now(), mailboxId, count);
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

/** Stores the raw bytes; the text index row follows in the write's final statements (textIndexStatement). */
async function insertRawBytes(tx: WriteContext, raw: Buffer, sha256: string): Promise<number> {
  return (await tx.get<{ id: number }>(`INSERT INTO mail_raw (sha256, data) VALUES (?, ?) RETURNING id`, sha256, raw))!.id;
}

/** Stores the raw bytes and their text index row, inside a write that goes on afterwards. */
export async function insertRaw(tx: WriteContext, raw: Buffer, sha256: string, indexed: IndexedMessage): Promise<number> {
  const id = await insertRawBytes(tx, raw, sha256);
  await runAll(tx, [textIndexStatement(tx.dialect, id, indexed)]);
  return id;
}

function textIndexStatement(d: Dialect, rawId: number, indexed: IndexedMessage): FinalStatement {
  return { sql: d.textIndex.insert, params: [rawId, d.textIndex.prepare(indexed.headerText), d.textIndex.prepare(indexed.bodyText)] };
}

/** Statements removing the raw rows (and their text index rows) among `rawIds` that no message refers to any more. */
function orphanRawStatements(d: Dialect, rawIds: Iterable<number>): FinalStatement[] {
  const ids = JSON.stringify([...new Set(rawIds)]);
  return [
    { sql: d.textIndex.deleteUnused, params: [ids] },
    { sql: `DELETE FROM mail_raw WHERE id IN ${d.intList} AND NOT EXISTS (SELECT 1 FROM mail WHERE mail_raw_id = mail_raw.id)`, params: [ids] },
  ];
}

/** Runs statements one after the other inside a write that goes on after them. */
async function runAll(tx: WriteContext, statements: FinalStatement[]): Promise<void> {
  for (const s of statements) await tx.all(s.sql, ...s.params);
}

/** Removes raw rows (and their text index rows) that no message refers to any more. */
export async function deleteOrphanRaw(tx: WriteContext, rawIds: Iterable<number>): Promise<void> {
  await runAll(tx, orphanRawStatements(tx.dialect, rawIds));
}

// ---------------------------------------------------------------- final statements
// The mailbox row orders its writers (UIDs and MODSEQs). The hot writes read
// without it and take it in their final statements (WriteContext.finish), so
// that on PostgreSQL it is held for no round trip; a statement after the lock
// checks that what was read is still so, else the write runs again.

/**
 * Locks a mailbox row until the commit and fails the write when the mailbox
 * is gone (with `selectable`, also when it cannot hold messages).
 */
function lockMailboxStatement(d: Dialect, mailboxId: number, selectable: boolean): FinalStatement {
  return {
    sql: `SELECT heron_assert(count(*) = 1, 'NONEXISTENT', 'mailbox does not exist') FROM (SELECT id FROM mail_box WHERE id = ?${selectable ? ' AND noselect = 0' : ''}${d.forUpdate}) locked`,
    params: [mailboxId],
  };
}

/**
 * Fails the write with RETRY unless the messages read earlier (without the
 * lock) are unchanged: still there, with the same MODSEQs (a MODSEQ only ever
 * grows, so an equal count and sum say none changed).
 */
function unchangedStatement(d: Dialect, rows: ReadonlyArray<{ id: number; modseq: number }>): FinalStatement {
  return {
    sql: `SELECT heron_assert(count(*) = ? AND coalesce(sum(modseq), 0) = ?, 'RETRY', 'messages changed during the write') FROM mail WHERE id IN ${d.intList}`,
    params: [rows.length, rows.reduce((sum, r) => sum + r.modseq, 0), JSON.stringify(rows.map((r) => r.id))],
  };
}

const ALLOCATE_SQL = `UPDATE mail_box SET uidnext = uidnext + ?, highestmodseq = highestmodseq + 1, updated_at = ?
     WHERE id = ?`;
const ALLOCATION_RETURNED = `RETURNING uidnext - ? AS "firstUid", highestmodseq AS modseq, mail_account_id AS "accountId", uidvalidity`;

/** Reserves `count` UIDs and a new MODSEQ; yields one Allocation row. After lockMailboxStatement. */
function allocateStatement(mailboxId: number, count: number): FinalStatement {
  return { sql: `${ALLOCATE_SQL} ${ALLOCATION_RETURNED}`, params: [count, now(), mailboxId, count] };
}

/** The MODSEQ allocateStatement gave, for the statements after it (one parameter: the mailbox id). */
const CURRENT_MODSEQ = '(SELECT highestmodseq FROM mail_box WHERE id = ?)';

/** A change detail longer than this is not carried: the views read the journal instead (and pg_notify payloads stay small). */
const MAX_DETAIL = 2000;

/**
 * `mailbox` for this mailbox, with the MODSEQ its write ended at and, when
 * given and small, `detail`: every journal row the write makes at that MODSEQ
 * in this mailbox (events.ts).
 */
function notifyMailboxAtCommit(tx: WriteContext, mailboxId: number, detail?: MailboxChangeDetail): void {
  const carried = detail ? JSON.stringify(detail) : null;
  const withDetail = carried !== null && carried.length <= MAX_DETAIL;
  const columns = `mail_account_id AS "accountId", id AS "mailboxId", highestmodseq AS "highestModseq"`;
  if (withDetail) tx.notifyFrom('mailbox', `SELECT ${columns}, uidnext - 1 AS "lastUid", CAST(? AS TEXT) AS detail FROM mail_box WHERE id = ?`, carried, mailboxId);
  else tx.notifyFrom('mailbox', `SELECT ${columns} FROM mail_box WHERE id = ?`, mailboxId);
}

/** Every column of a new `mail` row, in the order they are bound. */
const MAIL_COLUMNS = [
  'reference_id', 'mail_box_id', 'mail_account_id', 'mail_raw_id', 'uid', 'modseq', 'flags', 'internal_date', 'size', 'hash',
  'message_id', 'in_reply_to', 'subject', 'date_header', 'from_address', 'to_address', 'cc_address', 'bcc_address', 'reply_to_address',
  'sender_address', 'content_type', 'has_attachment', 'recipient', 'return_path', 'ip_addr', 'is_tls', 'spam_score', 'spam',
  'envelope', 'bodystructure', 'thread_id', 'preview', 'created_at', 'updated_at',
  ...SORT_KEY_COLUMNS,
] as const;
type MailColumn = (typeof MAIL_COLUMNS)[number];
/** What a copy gets anew (bound in this order); every other column comes from the source row. */
const COPY_BINDS = new Set<string>(['reference_id', 'mail_box_id', 'mail_account_id', 'uid', 'modseq', 'created_at', 'updated_at']);
const COPY_MAIL = `INSERT INTO mail (${MAIL_COLUMNS.join(', ')}) SELECT ${MAIL_COLUMNS.map((c) => (COPY_BINDS.has(c) ? '?' : c)).join(', ')} FROM mail WHERE id = ?`;
/** What a new message takes from its mailbox row, just allocated in the same write (allocateStatement, one UID). */
const FROM_MAILBOX: Partial<Record<MailColumn, string>> = { mail_account_id: 'b.mail_account_id', uid: 'b.uidnext - 1', modseq: 'b.highestmodseq' };
const INSERT_NEW_MAIL = `INSERT INTO mail (${MAIL_COLUMNS.join(', ')}) SELECT ${MAIL_COLUMNS.map((c) => FROM_MAILBOX[c] ?? '?').join(', ')} FROM mail_box b WHERE b.id = ? RETURNING id`;
// created_at: the retention policy's clock (schema/store/journal.ts), as journal() writes it.
const JOURNAL_NEW_MAIL = `INSERT INTO mail_change (mail_box_id, modseq, uid, kind, created_at) SELECT id, highestmodseq, uidnext - 1, 'new', ? FROM mail_box WHERE id = ?`;

/** A new message's row but for what its mailbox's allocation gives it (account, UID, MODSEQ). */
interface NewMail {
  mailboxId: number;
  rawId: number;
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

/** The bound values of a new message's row, by column, but for FROM_MAILBOX's. */
function newMailValues(m: NewMail, referenceId: string): Record<string, Param> {
  const t = now();
  const values: Omit<Record<MailColumn, Param>, keyof typeof FROM_MAILBOX | (typeof SORT_KEY_COLUMNS)[number]> = {
    reference_id: referenceId,
    mail_box_id: m.mailboxId,
    mail_raw_id: m.rawId,
    flags: JSON.stringify(m.flags),
    internal_date: m.internalDate,
    size: m.size,
    hash: m.hash,
    message_id: m.indexed.messageId,
    in_reply_to: m.indexed.inReplyTo,
    subject: m.indexed.subject,
    date_header: m.indexed.dateHeader,
    from_address: m.indexed.from,
    to_address: m.indexed.to,
    cc_address: m.indexed.cc,
    bcc_address: m.indexed.bcc,
    reply_to_address: m.indexed.replyTo,
    sender_address: m.indexed.sender,
    content_type: m.indexed.contentType,
    has_attachment: m.indexed.hasAttachment ? 1 : 0,
    recipient: m.recipient,
    return_path: m.meta.returnPath ?? '',
    ip_addr: m.meta.ipAddr ?? '',
    is_tls: m.meta.isTls ? 1 : 0,
    spam_score: m.meta.spamScore ?? 0,
    spam: m.meta.spam ? 1 : 0,
    envelope: m.indexed.envelopeJson,
    bodystructure: m.indexed.structureJson,
    thread_id: m.threadId,
    preview: m.indexed.preview,
    created_at: t,
    updated_at: t,
  };
  const sortKeys = sortKeyValues(m.indexed.sortKeys, m.indexed.dateHeader ?? m.internalDate);
  return { ...values, ...Object.fromEntries(SORT_KEY_COLUMNS.map((c, i) => [c, sortKeys[i]])) };
}

/** The new message's row, after allocateStatement for its mailbox: its UID, MODSEQ and account come from the mailbox row. */
function newMailStatement(m: NewMail & { referenceId: string }): FinalStatement {
  const bound = newMailValues(m, m.referenceId);
  return { sql: INSERT_NEW_MAIL, params: [...MAIL_COLUMNS.filter((c) => !(c in FROM_MAILBOX)).map((c) => bound[c]), m.mailboxId] };
}

/** A new message's row with its allocation (account, UID, MODSEQ) already made (allocate), inside a write that goes on afterwards. */
export interface MailInsert extends NewMail {
  accountId: number;
  uid: number;
  modseq: number;
}

const INSERT_MAIL = `INSERT INTO mail (${MAIL_COLUMNS.join(', ')}) VALUES (${MAIL_COLUMNS.map(() => '?').join(', ')}) RETURNING id`;

export async function insertMail(tx: WriteContext, m: MailInsert): Promise<{ id: number; referenceId: string }> {
  const referenceId = crypto.randomUUID();
  const bound: Record<string, Param> = { ...newMailValues(m, referenceId), mail_account_id: m.accountId, uid: m.uid, modseq: m.modseq };
  const { id } = (await tx.get<{ id: number }>(INSERT_MAIL, ...MAIL_COLUMNS.map((c) => bound[c])))!;
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
  return deliverPrepared(store, input.raw, prepareMessage(input.raw), input);
}

/** deliverMessage of a message parsed already (prepareMessage): IMAP APPEND parses it before its checks. */
export async function deliverPrepared(
  store: Store,
  raw: Buffer,
  { indexed, sha256, envelopeJson, structureJson }: ReturnType<typeof prepareMessage>,
  input: { copies: DeliveryCopy[]; internalDate?: number; meta?: DeliveryMeta; enforceQuota?: boolean },
): Promise<AppendedMessage[]> {
  const internalDate = input.internalDate ?? now();
  const keys = threadKeys(indexed);
  return write(store, async (tx) => {
    const d = tx.dialect;
    // The thread is the account's (one per account, however many of its mailboxes get a
    // copy): each mailbox's account, which never changes, is read ahead of the lock, in
    // the same round trip as the raw bytes.
    const mailboxIds = JSON.stringify([...new Set(input.copies.map((c) => c.mailboxId))]);
    const [rawId, ownerRows] = await Promise.all([
      insertRawBytes(tx, raw, sha256),
      tx.all<{ id: number; accountId: number }>(`SELECT id, mail_account_id AS "accountId" FROM mail_box WHERE id IN ${d.intList}`, mailboxIds),
    ]);
    const owners = new Map(ownerRows.map((r) => [r.id, r.accountId]));
    // Mailboxes are locked in id order (one order for every writer); results keep the copies' order.
    const order = input.copies.map((_, i) => i).sort((a, b) => input.copies[a].mailboxId - input.copies[b].mailboxId);
    const referenceIds = input.copies.map(() => crypto.randomUUID());
    // Threads are assigned account by account in id order, before any mailbox lock, so
    // that deliveries sharing Message-IDs wait for each other in one order (threads.ts).
    const threads = new Map<number, string>();
    for (const accountId of [...new Set(ownerRows.map((r) => r.accountId))].sort((a, b) => a - b)) threads.set(accountId, await assignThread(tx, accountId, keys));
    const statements: FinalStatement[] = [textIndexStatement(d, rawId, indexed)];
    const ledger = new QuotaLedger();
    for (const i of order) {
      const copy = input.copies[i];
      const accountId = owners.get(copy.mailboxId);
      if (accountId === undefined) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
      const threadId = threads.get(accountId)!;
      statements.push(
        lockMailboxStatement(d, copy.mailboxId, true),
        allocateStatement(copy.mailboxId, 1),
        newMailStatement({
          referenceId: referenceIds[i],
          mailboxId: copy.mailboxId,
          rawId,
          flags: normalizeFlags(copy.flags ?? []),
          internalDate,
          size: raw.length,
          hash: sha256,
          recipient: copy.recipient ?? '',
          meta: input.meta ?? {},
          threadId,
          indexed: { ...indexed, envelopeJson, structureJson },
        }),
        { sql: JOURNAL_NEW_MAIL, params: [now(), copy.mailboxId] },
        newMessageEventStatement(d, copy.mailboxId, referenceIds[i]),
      );
      ledger.add(accountId, 1, raw.length);
      // Two copies into one mailbox would be two rows of one MODSEQ: then no detail.
      const single = input.copies.filter((c) => c.mailboxId === copy.mailboxId).length === 1;
      notifyMailboxAtCommit(tx, copy.mailboxId, single ? { kind: 'new', flags: JSON.stringify(normalizeFlags(copy.flags ?? [])) } : undefined);
    }
    // The accounts are charged after every mailbox lock (quotaStatements), as settleQuota does.
    statements.push(...quotaStatements(ledger, input.enforceQuota ?? true));
    notifyWebhookAtCommit(tx, 'messageNew');
    const results = await tx.finish(statements);
    const appended: AppendedMessage[] = new Array(input.copies.length);
    // After the text index row, each copy's statements: lock, allocation, row, journal, event.
    order.forEach((i, k) => {
      const alloc = results[1 + k * 5 + 1][0] as unknown as Allocation;
      const { id } = results[1 + k * 5 + 2][0] as { id: number };
      appended[i] = { id, referenceId: referenceIds[i], mailboxId: input.copies[i].mailboxId, uid: alloc.firstUid, uidvalidity: alloc.uidvalidity, modseq: alloc.modseq };
    });
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

/** The raw bytes of several messages in one read, by raw id (ids gone since are absent). Keep the total small: all are held at once. */
export async function readRaws(store: Store, rawIds: readonly number[]): Promise<Map<number, Buffer>> {
  const rows = await store.all<{ id: number; data: Buffer }>(`SELECT id, data FROM mail_raw WHERE id IN ${store.dialect.intList}`, JSON.stringify([...new Set(rawIds)]));
  return new Map(rows.map((r) => [r.id, r.data]));
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
  const uids = await store.column<number>(`SELECT m.uid FROM ${textHits(match.sql)}`, ...match.params, mailboxId);
  return new Set(uids);
}

/**
 * FROM and WHERE for the messages of one mailbox (`m`, parameter: the mailbox
 * id) among the index's hits (`match.sql`, parameters first). The hits drive
 * the join: the index finds the few messages that hold a word, each is looked
 * up by its raw id (mail_raw_idx). SQLite would otherwise read every message
 * of the mailbox and test it against the hits (68 ms on 100,000 messages,
 * against 0.1 ms); its CROSS JOIN keeps the order written, and PostgreSQL
 * plans it as any inner join.
 */
function textHits(matchSql: string): string {
  return `${matchSql} AS hit CROSS JOIN mail m WHERE m.mail_raw_id = hit.raw_id AND m.mail_box_id = ?`;
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
  const rows = await store.all<{ uid: number; subject: string }>(`SELECT m.uid, m.subject FROM ${textHits(match.sql)}`, ...match.params, mailboxId);
  const needle = text.toLowerCase();
  return new Set(rows.filter((r) => r.subject.toLowerCase().includes(needle)).map((r) => r.uid));
}

// ---------------------------------------------------------------- changes

export interface FlagChangeResult {
  /** Messages whose flags changed, with their new flags and MODSEQ. */
  changed: MessageSummary[];
  /** UIDs refused because their MODSEQ was above UNCHANGEDSINCE (RFC 7162 §3.1.3). */
  modified: number[];
  /** Every named message that exists, in UID order, with its flags and MODSEQ as this STORE left them (what a STORE reports). */
  current: MessageSummary[];
}

/** STORE: changes flags on the given UIDs with one new MODSEQ for the whole operation. */
export async function storeFlags(
  store: Store,
  input: { mailboxId: number; uids: readonly number[]; op: FlagOperation; flags: readonly string[]; unchangedSince?: number },
): Promise<FlagChangeResult> {
  return write(store, async (tx) => {
    // Read without the mailbox lock; the final statements check nothing changed since (see "final statements").
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
    const asRead = (): MessageSummary[] => rows.map((r) => ({ uid: r.uid, modseq: r.modseq, flags: parseFlags(r.flags) }));
    if (updates.length === 0) return { changed: [], modified, current: asRead() };
    const d = tx.dialect;
    const t = now();
    // One UPDATE per resulting set of flags (a STORE on many messages usually yields few).
    const byFlags = new Map<string, number[]>();
    for (const u of updates) byFlags.set(JSON.stringify(u.flags), [...(byFlags.get(JSON.stringify(u.flags)) ?? []), u.id]);
    notifyMailboxAtCommit(tx, input.mailboxId, { kind: 'flags', messages: updates.map((u) => [u.uid, JSON.stringify(u.flags)]) });
    notifyWebhookAtCommit(tx, 'messageUpdated');
    const results = await tx.finish([
      lockMailboxStatement(d, input.mailboxId, false),
      unchangedStatement(d, rows),
      allocateStatement(input.mailboxId, 0),
      ...[...byFlags].map(([flags, ids]) => ({
        sql: `UPDATE mail SET flags = ?, modseq = ${CURRENT_MODSEQ}, updated_at = ? WHERE id IN ${d.intList}`,
        params: [flags, input.mailboxId, t, JSON.stringify(ids)],
      })),
      {
        sql: `INSERT INTO mail_change (mail_box_id, modseq, uid, kind, created_at) SELECT mail_box_id, modseq, uid, 'flags', ? FROM mail WHERE id IN ${d.intList} ORDER BY uid`,
        params: [t, JSON.stringify(updates.map((u) => u.id))],
      },
      ...updates.map((u) =>
        webhookEventStatement(d, input.mailboxId, 'messageUpdated', { id: u.referenceId, uid: u.uid, changes: { flags: flagChanges(u.before, u.flags) } }),
      ),
    ]);
    const alloc = results[2][0] as unknown as Allocation;
    const changed = updates.map((u) => ({ uid: u.uid, modseq: alloc.modseq, flags: u.flags }));
    // The rows not changed are as read: the final statements checked they still are.
    const byUid = new Map(changed.map((c) => [c.uid, c]));
    return { changed, modified, current: asRead().map((r) => byUid.get(r.uid) ?? r) };
  });
}

interface ExpungedRow {
  id: number;
  reference_id: string;
  mail_account_id: number;
  uid: number;
  modseq: number;
  mail_raw_id: number;
  size: number;
}

/** What expunging `rows` gives back to their accounts' quotas, added to `ledger`. */
function refundOf(rows: readonly ExpungedRow[], ledger = new QuotaLedger()): QuotaLedger {
  for (const r of rows) ledger.add(r.mail_account_id, -1, -r.size);
  return ledger;
}

/**
 * Removes `rows` (read in this write), journals it, queues the webhook events
 * and drops raw bytes no message uses any more; yields the Allocation third.
 * The quota refund is the caller's (refundOf).
 */
function expungeStatements(d: Dialect, mailboxId: number, rows: readonly ExpungedRow[]): FinalStatement[] {
  const ids = JSON.stringify(rows.map((r) => r.id));
  return [
    lockMailboxStatement(d, mailboxId, false),
    unchangedStatement(d, rows),
    allocateStatement(mailboxId, 0),
    // RFC 7162 §3.2.5: expunges stay in the journal so QRESYNC can report VANISHED.
    {
      sql: `INSERT INTO mail_change (mail_box_id, modseq, uid, kind, created_at) SELECT mail_box_id, ${CURRENT_MODSEQ}, uid, 'expunge', ? FROM mail WHERE id IN ${d.intList} ORDER BY uid`,
      params: [mailboxId, now(), ids],
    },
    ...rows.map((r) => webhookEventStatement(d, mailboxId, 'messageDeleted', { id: r.reference_id, uid: r.uid })),
    { sql: `DELETE FROM mail WHERE id IN ${d.intList}`, params: [ids] },
    ...orphanRawStatements(
      d,
      rows.map((r) => r.mail_raw_id),
    ),
  ];
}

const EXPUNGE_COLUMNS = 'id, reference_id, mail_account_id, uid, modseq, mail_raw_id, size';

/**
 * Removes messages inside a write that goes on afterwards (the caller has
 * locked the mailbox); returns the UIDs removed. Their usage is given back at
 * once, or through `ledger` when the caller settles several changes together (MOVE).
 */
export async function expungeInWrite(tx: WriteContext, mailboxId: number, uids: readonly number[], ledger?: QuotaLedger): Promise<number[]> {
  if (uids.length === 0) return [];
  const rows = await tx.all<ExpungedRow>(
    `SELECT ${EXPUNGE_COLUMNS} FROM mail WHERE mail_box_id = ? AND uid IN ${tx.dialect.intList} ORDER BY uid`,
    mailboxId,
    JSON.stringify(uids),
  );
  if (rows.length === 0) return [];
  let alloc: Allocation | undefined;
  for (const [i, statement] of expungeStatements(tx.dialect, mailboxId, rows).entries()) {
    const result = await tx.all(statement.sql, ...statement.params);
    if (i === 2) alloc = result[0] as unknown as Allocation;
  }
  notifyWebhookAtCommit(tx, 'messageDeleted');
  const refund = refundOf(rows, ledger);
  if (!ledger) await settleQuota(tx, refund);
  notifyMailbox(tx, alloc!.accountId, mailboxId, alloc!.modseq);
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
    // Read without the mailbox lock; the final statements check nothing changed since.
    const candidates = input.uids
      ? await tx.all<ExpungedRow & { flags: string }>(
          `SELECT ${EXPUNGE_COLUMNS}, flags FROM mail WHERE mail_box_id = ? AND uid IN ${tx.dialect.intList} ORDER BY uid`,
          input.mailboxId,
          JSON.stringify(input.uids),
        )
      : await tx.all<ExpungedRow & { flags: string }>(`SELECT ${EXPUNGE_COLUMNS}, flags FROM mail WHERE mail_box_id = ? ORDER BY uid`, input.mailboxId);
    const doomed = candidates.filter((c) => input.force || hasFlag(parseFlags(c.flags), '\\Deleted'));
    if (doomed.length === 0) return [];
    notifyMailboxAtCommit(tx, input.mailboxId, { kind: 'expunge', uids: doomed.map((r) => r.uid) });
    notifyWebhookAtCommit(tx, 'messageDeleted');
    // The refund after the mailbox lock (quotaStatements), as settleQuota does.
    await tx.finish([...expungeStatements(tx.dialect, input.mailboxId, doomed), ...quotaStatements(refundOf(doomed))]);
    return doomed.map((r) => r.uid);
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
    // Pipelined on PostgreSQL: the read and the claim go out together (the UPDATE's own condition decides).
    const [[row]] = (await tx.finish([
      { sql: `SELECT recent_uid, uidnext FROM mail_box WHERE id = ?${tx.dialect.forUpdate}`, params: [mailboxId] },
      { sql: `UPDATE mail_box SET recent_uid = uidnext - 1 WHERE id = ? AND recent_uid < uidnext - 1`, params: [mailboxId] },
    ])) as unknown as Array<Array<Pick<MailBoxRow, 'recent_uid' | 'uidnext'>>>;
    if (!row) return { claim: null, recentUid: 0 };
    if (row.recent_uid >= row.uidnext - 1) return { claim: null, recentUid: row.recent_uid };
    return { claim: { from: row.recent_uid + 1, to: row.uidnext - 1 }, recentUid: row.uidnext - 1 };
  });
}
