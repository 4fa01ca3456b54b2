// FETCH and UID FETCH (RFC 3501 §6.4.5, §7.4.2), with CHANGEDSINCE and MODSEQ
// (RFC 7162 §3.1.4–5), VANISHED (RFC 7162 §3.2.6), EMAILID/THREADID (RFC 8474),
// SAVEDATE (RFC 8514), PREVIEW (RFC 8970) and BINARY (RFC 3516). Metadata is read in batches so a FETCH 1:* on a large
// mailbox streams instead of loading everything; message bytes are read from
// the store a chunk at a time, only when the socket can take them (the writer
// pulls them), so a FETCH 1:* BODY[] of 25 MB messages holds about one chunk.
// UID, FLAGS and MODSEQ alone come from the selected mailbox's shared view,
// without reading the database.
import {
  computePreviews,
  type FlagSet,
  getMessageObjects,
  getMessageRowsFor,
  getMessages,
  type MessageObjects,
  type MessageMeta,
  type MessageRow,
  type MimePart,
  rawChunkSize,
  rawSize,
  readRaw,
  readRawChunks,
  readRaws,
  readRawRange,
  type Store,
  StoreError,
  storeFlags,
} from '../../schema/index.ts';
import { type BinaryItem, type FetchItem, isPreviewModifiers, parseFetchItems, type SectionItem } from '../parser/fetch-items.ts';
import { reportVanishedEarlier } from '../qresync/resync.ts';
import { nstring } from '../render/quote.ts';
import { ImapResponse } from '../response.ts';
import { type Base64Mark, binaryLiteral, decodedSize, locateBinary, type RawReader, UnknownCte } from '../mime/binary-section.ts';
import { renderBodyStructure } from '../mime/bodystructure.ts';
import { renderEnvelope } from '../mime/envelope.ts';
import { filterHeader, locateSection } from '../mime/section.ts';
import { type Args, formatDateTime, type SequenceSet } from '../parser/args.ts';
import { ParseError } from '../parser/tokens.ts';
import type { Session } from '../session.ts';
import type { Literal, ResponsePiece } from '../writer.ts';
import { defineCommand, SELECTED } from './command.ts';

/** Messages up to this size are read whole in one store read; larger ones in chunks as the socket takes them. */
const SMALL_MESSAGE = 256 * 1024;
/** Small messages read together, at most this many bytes at once. */
const SMALL_GROUP = 1024 * 1024;

/** Messages per store read: small when bodies are read, large for flags-only fetches. */
const BATCH = { raw: 250, meta: 1000, light: 5000 } as const;

export default defineCommand({
  name: 'FETCH',
  states: SELECTED,
  uid: true,
  parse(args, line) {
    const set: SequenceSet = args.sequenceSet();
    const itemsToken = args.next('FETCH items');
    const parsed = parseFetchItems(itemsToken);
    // A lone PREVIEW may take its modifiers as the next token: FETCH 1 PREVIEW (LAZY) (RFC 8970 §6).
    if (itemsToken.t === 'atom' && parsed[0]?.kind === 'PREVIEW' && isPreviewModifiers(args.peek())) {
      args.next('PREVIEW modifiers');
      parsed[0] = { kind: 'PREVIEW', lazy: true };
    }
    // An item named twice is answered once: repeats would only make one response larger.
    const items = uniqueItems(parsed);
    const { changedSince, vanished } = parseModifiers(args);
    args.end();
    // RFC 7162 §3.2.6: VANISHED only in UID FETCH, and only with CHANGEDSINCE.
    if (vanished && !line.uid) throw new ParseError('VANISHED needs UID FETCH');
    if (vanished && changedSince === null) throw new ParseError('VANISHED needs CHANGEDSINCE');
    // RFC 3501 §6.4.8: UID FETCH always returns UID; CHANGEDSINCE implies MODSEQ.
    if (line.uid && !items.some((i) => i.kind === 'UID')) items.unshift({ kind: 'UID' });
    if (changedSince !== null && !items.some((i) => i.kind === 'MODSEQ')) items.push({ kind: 'MODSEQ' });
    return { set, items, changedSince, vanished };
  },
  async run(session, { set, items, changedSince, vanished }, line) {
    const sel = session.selected!;
    const store = session.deps.store;
    if (vanished && !session.qresync) throw new ImapResponse('BAD', 'VANISHED needs ENABLE QRESYNC');
    if (changedSince !== null || items.some((i) => i.kind === 'MODSEQ')) session.condstore = true;
    // RFC 7162 §3.2.4: once QRESYNC is enabled, UID FETCH responses carry MODSEQ.
    if (session.qresync && line.uid && !items.some((i) => i.kind === 'MODSEQ')) items.push({ kind: 'MODSEQ' });
    const withModseq = items.some((i) => i.kind === 'MODSEQ');
    const fromView = items.every((i) => VIEW_ITEMS.has(i.kind));
    // Message numbers are checked before anything is written (VANISHED needs UID FETCH, whose sets never fail).
    const uids = fromView ? null : session.resolve(set, line.uid);
    // RFC 7162 §3.2.6: the expunged UIDs of the set go first, as VANISHED (EARLIER).
    if (vanished) await reportVanishedEarlier(session, { since: changedSince!, until: Number.MAX_SAFE_INTEGER, within: set, aboveUid: 0 });
    if (!uids) return fetchFromView(session, set, line.uid, items, changedSince);
    const binaries = items.filter((i) => i.kind === 'binary');
    const needMeta = items.some((i) => i.kind === 'ENVELOPE' || i.kind === 'BODY' || i.kind === 'BODYSTRUCTURE' || (i.kind === 'section' && i.spec !== null)) || binaries.length > 0;
    const needRaw = items.some((i) => i.kind === 'section' || i.kind === 'binary');
    const setsSeen = !sel.readOnly && items.some((i) => (i.kind === 'section' || i.kind === 'binary') && i.setsSeen);
    const withFlags = items.some((i) => i.kind === 'FLAGS');
    const needObjects = items.some((i) => i.kind === 'EMAILID' || i.kind === 'THREADID' || i.kind === 'SAVEDATE' || i.kind === 'PREVIEW');
    const batchSize = needRaw ? BATCH.raw : needMeta ? BATCH.meta : BATCH.light;
    for (let i = 0; i < uids.length; i += batchSize) {
      const batch = uids.slice(i, i + batchSize);
      let seenNow = new Set<number>();
      if (setsSeen) {
        // RFC 3516 §4.3: a part that cannot be decoded fails the FETCH before \Seen is set on anything.
        if (binaries.length > 0) for (const row of await getMessages(store, sel.mailbox.id, batch)) checkDecodable(row.root!, binaries);
        const result = await storeFlags(store, { mailboxId: sel.mailbox.id, uids: batch, op: 'add', flags: ['\\Seen'] });
        for (const c of result.changed) sel.ownModseqs.add(c.modseq);
        seenNow = new Set(result.changed.map((c) => c.uid));
      }
      const rows: Array<MessageRow & Partial<MessageMeta>> = needMeta
        ? await getMessages(store, sel.mailbox.id, batch)
        : await getMessageRowsFor(store, sel.mailbox.id, batch);
      if (withFlags || seenNow.size > 0) session.announceKeywords(rows.flatMap((r) => r.flags));
      const objects = needObjects ? await getMessageObjects(store, sel.mailbox.id, batch) : null;
      if (objects && items.some((i) => i.kind === 'PREVIEW' && !i.lazy)) await fillPreviews(store, sel.mailbox.id, objects);
      let smallRaws = new Map<number, Buffer>();
      for (const [r, row] of rows.entries()) {
        if (changedSince !== null && row.modseq <= changedSince) continue;
        const object = objects?.get(row.uid);
        // Gone since the batch was read (RFC 2180 §4.1.3).
        if (objects && !object) continue;
        if (needRaw && row.size <= SMALL_MESSAGE && !smallRaws.has(row.rawId)) smallRaws = await readSmallRaws(store, rows, r);
        const stored = needRaw ? await storedBytes(store, row, smallRaws) : null;
        // Expunged by another session since the batch was read: nothing to send (RFC 2180 §4.1.3).
        if (needRaw && !stored) continue;
        if (binaries.length > 0) checkDecodable(row.root!, binaries);
        const pieces: ResponsePiece[] = [`* ${session.seqOf(row.uid)} FETCH (`];
        for (const [n, item] of items.entries()) {
          if (n > 0) pieces.push(' ');
          if (item.kind === 'section') pieces.push(`${item.responseName} `, { literal: () => sectionLiteral(store, item, row, stored!) });
          else if (item.kind === 'binary' && item.size) pieces.push(`${item.responseName} ${await binarySize(store, item, row, stored!)}`);
          else if (item.kind === 'binary') pieces.push(`${item.responseName} `, { literal: () => binarySection(session, item, row, stored!) });
          // RFC 8970 §3: with LAZY, NIL for a preview not computed yet.
          else if (item.kind === 'PREVIEW') pieces.push(`PREVIEW ${nstring(object!.preview)}`);
          else pieces.push(renderItem(session, item, row, object));
        }
        // RFC 3501 §6.4.5: when \Seen gets set, the new FLAGS are reported too,
        // and with QRESYNC the new MODSEQ (RFC 7162 §3.2.4).
        if (seenNow.has(row.uid) && !withFlags) pieces.push(` FLAGS ${session.flagsOf(row.uid, row.flags)}`);
        if (seenNow.has(row.uid) && session.qresync && !withModseq) pieces.push(` MODSEQ (${row.modseq})`);
        pieces.push(')');
        if (needRaw) await session.writer.respond(pieces);
        else {
          // No literal: one line, but large ENVELOPEs add up; the next waits while the socket is full.
          session.writer.line(pieces.join(''));
          const full = session.writer.waitForRoom();
          if (full) await full;
        }
      }
      await session.writer.drain();
    }
  },
});

/** Items the shared view answers alone. */
const VIEW_ITEMS = new Set<FetchItem['kind']>(['UID', 'FLAGS', 'MODSEQ'] satisfies ViewItem[]);
/** Response lines written to the socket at once from the view. */
const VIEW_LINES = 1000;

/**
 * FETCH of UID, FLAGS and MODSEQ only (a client's resync: `UID FETCH 1:*
 * (FLAGS)`): from the view, current as of the command, a thousand lines per
 * write; the next thousand wait while the socket is full.
 */
async function fetchFromView(session: Session, set: SequenceSet, byUid: boolean, items: FetchItem[], changedSince: number | null): Promise<void> {
  const sel = session.selected!;
  const view = sel.view;
  await view.refresh();
  // This command's list: it stays valid if updates replace the session's meanwhile.
  const uids = sel.uids;
  const spans = session.resolveSpans(set, byUid);
  if (items.some((i) => i.kind === 'FLAGS')) {
    // RFC 3501 §7.2.6: any keyword the client was not told of goes out in FLAGS first.
    const sets = new Set<FlagSet>();
    const cursor = view.cursor();
    for (const [first, last] of spans) {
      for (let k = first; k <= last; k++) {
        const i = cursor.find(uids[k]);
        if (i >= 0) sets.add(view.flagsAt(i));
      }
    }
    session.announceKeywords([...sets].flatMap((s) => s.keywords));
  }
  const render = items.map((item) => VIEW_RENDER[item.kind as ViewItem]);
  const cursor = view.cursor();
  let chunk = '';
  let lines = 0;
  for (const [first, last] of spans) {
    for (let k = first; k <= last; k++) {
      const uid = uids[k];
      const i = cursor.find(uid);
      // Expunged by another session since: nothing to send (RFC 2180 §4.1.3).
      if (i < 0) continue;
      if (changedSince !== null && view.modseqAt(i) <= changedSince) continue;
      let text = `* ${k + 1} FETCH (${render[0](session, uid, i)}`;
      for (let n = 1; n < render.length; n++) text += ' ' + render[n](session, uid, i);
      chunk += lines++ === 0 ? text + ')' : '\r\n' + text + ')';
      if (lines >= VIEW_LINES) {
        session.writer.line(chunk);
        chunk = '';
        lines = 0;
        const full = session.writer.waitForRoom();
        if (full) await full;
      }
    }
  }
  if (lines > 0) session.writer.line(chunk);
  await session.writer.drain();
}

type ViewItem = 'UID' | 'FLAGS' | 'MODSEQ';
/** How each item is written from the view, for the message at index `i`. */
const VIEW_RENDER: Record<ViewItem, (session: Session, uid: number, i: number) => string> = {
  UID: (_session, uid) => `UID ${uid}`,
  FLAGS: (session, uid, i) => `FLAGS ${session.flagSetOf(uid, session.selected!.view.flagsAt(i))}`,
  MODSEQ: (session, _uid, i) => `MODSEQ (${session.selected!.view.modseqAt(i)})`,
};

/** Each item once; BODY[x] and BODY.PEEK[x] (BINARY[x] and BINARY.PEEK[x]) are one response item, which sets \Seen if either does; PREVIEW is lazy only if every request for it is. */
function uniqueItems(items: FetchItem[]): FetchItem[] {
  const seen = new Map<string, FetchItem>();
  for (const item of items) {
    const key = item.kind === 'section' || item.kind === 'binary' ? item.responseName : item.kind;
    const first = seen.get(key);
    if (!first) seen.set(key, item);
    else if (first.kind === 'section' && item.kind === 'section' && item.setsSeen) seen.set(key, { ...first, setsSeen: true });
    else if (first.kind === 'binary' && item.kind === 'binary' && item.setsSeen) seen.set(key, { ...first, setsSeen: true });
    else if (first.kind === 'PREVIEW' && item.kind === 'PREVIEW' && !item.lazy) seen.set(key, item);
  }
  return [...seen.values()];
}

/** FETCH modifiers (RFC 4466 §2.4): CHANGEDSINCE (RFC 7162 §3.1.4) and VANISHED (§3.2.6), each at most once. */
function parseModifiers(args: Args): { changedSince: number | null; vanished: boolean } {
  let changedSince: number | null = null;
  let vanished = false;
  if (!args.more) return { changedSince, vanished };
  const mods = args.list('FETCH modifiers');
  if (mods.length === 0) throw new ParseError('empty FETCH modifier list');
  for (let i = 0; i < mods.length; i++) {
    const mod = mods[i];
    const name = mod.t === 'atom' ? mod.v.toUpperCase() : '';
    if (name === 'CHANGEDSINCE' && changedSince === null) {
      const value = mods[++i];
      // mod-sequence-value (RFC 7162 §7) is up to 2^63-1; one above 2^53 is above every Heron MODSEQ anyway.
      if (!value || value.t !== 'atom' || !/^\d{1,19}$/.test(value.v) || BigInt(value.v) >= 2n ** 63n) throw new ParseError('invalid CHANGEDSINCE value');
      changedSince = Math.min(Number(value.v), Number.MAX_SAFE_INTEGER);
    } else if (name === 'VANISHED' && !vanished) vanished = true;
    else throw new ParseError('invalid FETCH modifier');
  }
  return { changedSince, vanished };
}

/** Previews of messages stored before previews were computed at delivery: computed (and kept) now. */
async function fillPreviews(store: Store, mailboxId: number, objects: Map<number, MessageObjects>): Promise<void> {
  const missing = [...objects.values()].filter((o) => o.preview === null).map((o) => o.uid);
  for (const [uid, preview] of await computePreviews(store, mailboxId, missing)) objects.get(uid)!.preview = preview;
}

function renderItem(
  session: Session,
  item: Exclude<FetchItem, SectionItem | BinaryItem | { kind: 'PREVIEW' }>,
  row: MessageRow & Partial<MessageMeta>,
  object: MessageObjects | undefined,
): string {
  switch (item.kind) {
    case 'UID':
      return `UID ${row.uid}`;
    case 'FLAGS':
      return `FLAGS ${session.flagsOf(row.uid, row.flags)}`;
    case 'INTERNALDATE':
      return `INTERNALDATE "${formatDateTime(row.internalDate)}"`;
    case 'RFC822.SIZE':
      return `RFC822.SIZE ${row.size}`;
    case 'MODSEQ':
      return `MODSEQ (${row.modseq})`;
    case 'ENVELOPE':
      return `ENVELOPE ${renderEnvelope(row.envelope!)}`;
    case 'BODY':
      return `BODY ${renderBodyStructure(row.root!, false, session.rev2)}`;
    case 'BODYSTRUCTURE':
      return `BODYSTRUCTURE ${renderBodyStructure(row.root!, true, session.rev2)}`;
    case 'EMAILID':
      return `EMAILID (${object!.emailId})`;
    case 'THREADID':
      return `THREADID ${object!.threadId ? `(${object!.threadId})` : 'NIL'}`;
    case 'SAVEDATE':
      return `SAVEDATE "${formatDateTime(object!.savedAt)}"`;
  }
}

/** A message's bytes: small ones whole, large ones as a size to read ranges of; null when gone. */
type StoredBytes = { raw: Buffer; size: number } | { raw: null; size: number };

/**
 * The small messages from rows[from] on, read together (one store read, not
 * one per message), up to SMALL_GROUP bytes: the next rows' literals are
 * written from memory.
 */
async function readSmallRaws(store: Store, rows: readonly MessageRow[], from: number): Promise<Map<number, Buffer>> {
  const ids: number[] = [];
  let bytes = 0;
  for (let r = from; r < rows.length && rows[r].size <= SMALL_MESSAGE && bytes + rows[r].size <= SMALL_GROUP; r++) {
    ids.push(rows[r].rawId);
    bytes += rows[r].size;
  }
  return ids.length > 1 ? readRaws(store, ids) : new Map();
}

async function storedBytes(store: Store, row: MessageRow, read: ReadonlyMap<number, Buffer>): Promise<StoredBytes | null> {
  const raw = read.get(row.rawId);
  if (raw) return { raw, size: raw.length };
  if (row.size <= SMALL_MESSAGE) {
    try {
      const raw = await readRaw(store, row.rawId);
      return { raw, size: raw.length };
    } catch (err) {
      if (err instanceof StoreError && err.code === 'NONEXISTENT') return null;
      throw err;
    }
  }
  const size = await rawSize(store, row.rawId);
  return size === null ? null : { raw: null, size };
}

/**
 * The literal of BODY[section]<partial>: a byte range of the stored message,
 * read in chunks as the socket takes them (or sliced, for a small message read
 * whole). HEADER.FIELDS[.NOT] is computed from the part's header block, read
 * whole: that block is at most 256 KiB for mail that arrived by SMTP, and
 * never more than the message size limit.
 */
function sectionLiteral(store: Store, item: SectionItem, row: MessageRow & Partial<MessageMeta>, stored: StoredBytes): Literal | Promise<Literal> {
  const place = item.spec === null ? { start: 0, end: stored.size } : locateSection(row.root!, item.spec);
  if (!place) return Buffer.alloc(0);
  const start = Math.min(place.start, stored.size);
  const end = Math.min(Math.max(place.end, start), stored.size);
  const fields = place.fields;
  if (fields) {
    if (stored.raw) return partial(item, filterHeader(stored.raw, start, end, fields.names, fields.keep));
    return readRawRange(store, row.rawId, start, end - start).then((header) => partial(item, filterHeader(header, 0, header.length, fields.names, fields.keep)));
  }
  // RFC 3501 §6.4.5: an origin past the end gives an empty string.
  const from = item.partial ? Math.min(start + item.partial.start, end) : start;
  const to = item.partial ? Math.min(from + item.partial.length, end) : end;
  if (stored.raw) return stored.raw.subarray(from, to);
  return { length: to - from, chunks: () => readRawChunks(store, row.rawId, from, to, rawChunkSize(store, stored.size)) };
}

function partial(item: SectionItem, bytes: Buffer): Buffer {
  return item.partial ? bytes.subarray(Math.min(item.partial.start, bytes.length), item.partial.start + item.partial.length) : bytes;
}

/** RFC 3516 §4.3: NO [UNKNOWN-CTE] when a BINARY item names a part whose CTE cannot be removed. */
function checkDecodable(root: MimePart, binaries: BinaryItem[]): void {
  try {
    for (const item of binaries) locateBinary(root, item.path);
  } catch (err) {
    if (err instanceof UnknownCte) throw new ImapResponse('NO', err.message, 'UNKNOWN-CTE');
    throw err;
  }
}

/** The stored message's bytes [start, end): sliced when read whole, else read from the store a chunk at a time. */
function rawReader(store: Store, row: MessageRow, stored: StoredBytes): RawReader {
  if (stored.raw) {
    const raw = stored.raw;
    return async function* (start, end) {
      yield raw.subarray(start, end);
    };
  }
  return (start, end) => readRawChunks(store, row.rawId, start, end, rawChunkSize(store, stored.size));
}

/** Each session's restart point in the base64 part it last read a window of (one, so bounded; gone with the session). */
const base64Marks = new WeakMap<Session, { part: string; mark: Base64Mark }>();

/** BINARY[part]<partial> (RFC 3516 §4.2), decoded as the socket takes it; a window resumes where the last one of the same part left off. */
function binarySection(session: Session, item: BinaryItem, row: MessageRow & Partial<MessageMeta>, stored: StoredBytes): Promise<Literal> {
  const store = session.deps.store;
  let mark: Base64Mark | undefined;
  if (item.partial) {
    const part = `${row.rawId}:${item.path.join('.')}`;
    let entry = base64Marks.get(session);
    if (entry?.part !== part) base64Marks.set(session, (entry = { part, mark: { decoded: 0, encoded: 0 } }));
    mark = entry.mark;
  }
  return binaryLiteral(rawReader(store, row, stored), locateBinary(row.root!, item.path), stored.size, item.partial, mark);
}

/** BINARY.SIZE[part] (RFC 3516 §4.2): 0 for a part that does not exist, as its BINARY is empty. */
async function binarySize(store: Store, item: BinaryItem, row: MessageRow & Partial<MessageMeta>, stored: StoredBytes): Promise<number> {
  const place = locateBinary(row.root!, item.path);
  return place ? decodedSize(rawReader(store, row, stored), place, stored.size) : 0;
}
