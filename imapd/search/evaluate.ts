// SEARCH evaluation over every message of the selected mailbox, no result
// caps. Flags, \Recent, sequence numbers, UIDs and MODSEQ come from the
// selected mailbox's shared view when the scope has one (an IMAP session: no
// database read, UNSEEN on 100,000 messages is a pass over an array), else
// from the message rows. Text keys are answered by the store's full-text
// index (searchText, searchSubject); the message rows are read only when a
// key needs their columns (dates, sizes, addresses), the index cannot answer
// (strings under 3 characters, HEADER on a given field, which is checked
// against the stored bytes) or there is no view. It needs only a SearchView
// (a session is one; MULTISEARCH makes one for any mailbox), so the mail API's search (server/api/emailengine) uses it too.
//
// Keys are tested against a Candidate: one object, reused for every message,
// that says what is known of the message being tested. A new key reads the
// view's fields (flags, modseq) or, if it needs a database column, adds it to
// SearchRow (schema/store/imap-reads.ts) and says so in needsRow().
import {
  decodeHeaderBytes,
  decodeWords,
  findBodyStart,
  FlagSet,
  getMessages,
  getSearchRows,
  parseHeaderFields,
  readRaw,
  searchSubject,
  searchText,
  type MailboxView,
  type SearchRow,
  type Store,
  uidsBySaveDate,
  uidsWithEmailId,
  uidsWithThreadId,
} from '../../schema/index.ts';
import type { SearchKey } from '../parser/search-keys.ts';
import { lowerBound } from '../sorted.ts';
import { addressTexts, mayMatchAddress, sentDay } from './envelope-keys.ts';

/** Messages whose ENVELOPE is read at once when an address key needs it. */
const ENVELOPE_BATCH = 500;

const dayOf = (ms: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
};

/** The message a key is tested against. */
interface Candidate {
  uid: number;
  /** Sequence number in the reader's list (RFC 3501 §2.3.1.2). */
  seq: number;
  modseq: number;
  flags: FlagSet;
  /** Its database row; read only when needsRow() says a key needs it, or when there is no view. */
  row: SearchRow | null;
}

/**
 * What a search runs over: a session's selected mailbox as its client sees it
 * (a Session is one), or any mailbox of the account for MULTISEARCH
 * (mailboxView() in search/mailbox-sources.ts) or the mail API: its messages
 * in sequence order, which of them are \Recent, the saved result "$" names
 * (RFC 5182), and the mailbox's shared view if it has one.
 */
export interface SearchView {
  deps: { store: Store };
  selected: {
    mailbox: { id: number };
    uids: ArrayLike<number>;
    recent: { has(uid: number): boolean };
    savedResult?: readonly number[];
    view?: MailboxView;
  } | null;
}

interface Context {
  session: SearchView;
  /** The rows (ascending UID) when a key needs them or there is no view; empty otherwise. */
  rows: SearchRow[];
  maxSeq: number;
  maxUid: number;
  /** Matching UIDs of each text/header/address key ('all': every message), computed before evaluation. */
  textMatches: Map<SearchKey, Set<number> | 'all'>;
  /** The saved result "$" names (RFC 5182), when the key uses it. */
  saved: ReadonlySet<number>;
  /** The time OLDER/YOUNGER count back from, in whole seconds (RFC 5032 §2). */
  nowSeconds: number;
}

/** Whether a key reads the message's database row (its columns, or its bytes through rawId). */
function needsRow(key: SearchKey): boolean {
  switch (key.k) {
    case 'date':
    case 'size':
    case 'header':
    case 'within':
      return true;
    case 'column':
      return key.column !== 'subject' || (key.value !== '' && [...key.value].length < 3);
    case 'text':
      return key.value !== '' && [...key.value].length < 3;
    default:
      return false;
  }
}

async function rawMatches(ctx: Context, test: (raw: Buffer) => boolean, among: Set<number> | null): Promise<Set<number>> {
  const out = new Set<number>();
  for (const row of ctx.rows) {
    if (among && !among.has(row.uid)) continue;
    if (test(await readRaw(ctx.session.deps.store, row.rawId))) out.add(row.uid);
  }
  return out;
}

async function prepare(ctx: Context, key: SearchKey): Promise<void> {
  const store = ctx.session.deps.store;
  const mailboxId = ctx.session.selected!.mailbox.id;
  switch (key.k) {
    case 'not':
      return prepare(ctx, key.key);
    case 'or':
      await prepare(ctx, key.a);
      return prepare(ctx, key.b);
    case 'and':
      for (const k of key.keys) await prepare(ctx, k);
      return;
    case 'text': {
      const needle = key.value.toLowerCase();
      if (needle === '') {
        ctx.textMatches.set(key, 'all');
        return;
      }
      const indexed = await searchText(store, mailboxId, key.field, key.value);
      if (indexed) {
        ctx.textMatches.set(key, indexed);
        return;
      }
      ctx.textMatches.set(
        key,
        await rawMatches(
          ctx,
          (raw) => {
            const from = key.field === 'body' ? findBodyStart(raw, 0, raw.length) : 0;
            return decodeHeaderBytes(raw.subarray(from)).toLowerCase().includes(needle);
          },
          null,
        ),
      );
      return;
    }
    case 'column': {
      const needle = key.value.toLowerCase();
      if (key.column === 'subject') {
        if (needle === '') ctx.textMatches.set(key, 'all');
        else {
          const indexed = await searchSubject(store, mailboxId, key.value);
          ctx.textMatches.set(key, indexed ?? new Set(ctx.rows.filter((r) => r.subject.toLowerCase().includes(needle)).map((r) => r.uid)));
        }
        return;
      }
      // RFC 3501 §6.4.4: FROM/TO/CC/BCC look in the envelope's address structures,
      // so an address written with comments or quoting matches its plain form
      // too; the decoded header text still matches as before.
      const field = key.column;
      const found = new Set<number>();
      const unsure: number[] = [];
      for (const row of ctx.rows) {
        if (row[field].toLowerCase().includes(needle)) found.add(row.uid);
        else if (mayMatchAddress(row[field], needle)) unsure.push(row.uid);
      }
      for (let i = 0; i < unsure.length; i += ENVELOPE_BATCH) {
        for (const m of await getMessages(store, mailboxId, unsure.slice(i, i + ENVELOPE_BATCH))) {
          if (addressTexts(m.envelope[field]).some((t) => t.toLowerCase().includes(needle))) found.add(m.uid);
        }
      }
      ctx.textMatches.set(key, found);
      return;
    }
    case 'header': {
      const needle = key.value.toLowerCase();
      const among = needle.length > 0 ? await searchText(store, mailboxId, 'headers', key.value) : null;
      ctx.textMatches.set(
        key,
        await rawMatches(
          ctx,
          (raw) =>
            parseHeaderFields(raw.subarray(0, findBodyStart(raw, 0, raw.length))).some(
              (f) => f.key === key.field && (f.value.toLowerCase().includes(needle) || decodeWords(f.value).toLowerCase().includes(needle)),
            ),
          among,
        ),
      );
      return;
    }
    case 'objectid':
      ctx.textMatches.set(key, await (key.kind === 'email' ? uidsWithEmailId : uidsWithThreadId)(store, mailboxId, key.id));
      return;
    case 'savedate':
      ctx.textMatches.set(key, await uidsBySaveDate(store, mailboxId, key.op, key.day));
      return;
    default:
      return;
  }
}

function matches(ctx: Context, key: SearchKey, m: Candidate): boolean {
  const sel = ctx.session.selected!;
  switch (key.k) {
    case 'all':
      return true;
    case 'flag':
      return m.flags.has(key.flag) === key.present;
    case 'recent':
      return sel.recent.has(m.uid) === key.present;
    case 'new':
      return sel.recent.has(m.uid) && !m.flags.has('\\Seen');
    case 'seq':
      return key.set.some((r) => {
        const from = r.from === Infinity ? ctx.maxSeq : r.from;
        const to = r.to === Infinity ? ctx.maxSeq : r.to;
        return m.seq >= Math.min(from, to) && m.seq <= Math.max(from, to);
      });
    case 'uid':
      return key.set.some((r) => {
        const from = r.from === Infinity ? ctx.maxUid : r.from;
        const to = r.to === Infinity ? ctx.maxUid : r.to;
        return m.uid >= Math.min(from, to) && m.uid <= Math.max(from, to);
      });
    case 'date': {
      // RFC 3501 §6.4.4: SENT* take the day the Date: header names in its own zone.
      const day = key.sent ? sentDay(m.row!.sentDate) : dayOf(m.row!.internalDate);
      if (day === null) return false;
      return key.op === 'before' ? day < key.day : key.op === 'on' ? day === key.day : day >= key.day;
    }
    case 'size':
      return key.larger ? m.row!.size > key.n : m.row!.size < key.n;
    case 'column':
    case 'header':
    case 'text':
    case 'objectid':
    case 'savedate': {
      const found = ctx.textMatches.get(key);
      return found === 'all' || (found?.has(m.uid) ?? false);
    }
    case 'modseq':
      return m.modseq >= key.n;
    case 'saved':
      return ctx.saved.has(m.uid);
    case 'within': {
      // RFC 5032 §2: to the second; OLDER at or before now − n, YOUNGER at or after.
      const at = Math.floor(m.row!.internalDate / 1000);
      return key.older ? at <= ctx.nowSeconds - key.seconds : at >= ctx.nowSeconds - key.seconds;
    }
    case 'not':
      return !matches(ctx, key.key, m);
    case 'or':
      return matches(ctx, key.a, m) || matches(ctx, key.b, m);
    case 'and':
      return key.keys.every((k) => matches(ctx, k, m));
  }
}

const NO_FLAGS = new FlagSet(-1, []);

/** Keys (below NOT/OR/AND) whose answer depends on a message's flags alone. */
const FLAG_KEYS = new Set<SearchKey['k']>(['flag', 'all']);

/** Keys answered before evaluation with the UIDs they match (prepare()). */
const FOUND_KEYS = new Set<SearchKey['k']>(['column', 'header', 'text', 'objectid', 'savedate']);

/**
 * When the criteria are, or are an AND including, a key prepare() answered
 * with few UIDs (SUBJECT, BODY, TEXT …), only those can match: the UIDs to
 * test (ascending; within `only` when given) instead of every message, else
 * `only` (or undefined: every message). A word in 20 of 100,000 messages is
 * then 20 tests, not 100,000.
 */
function narrowed(ctx: Context, key: SearchKey, total: number, only?: readonly number[]): readonly number[] | undefined {
  let smallest: Set<number> | null = null;
  for (const k of key.k === 'and' ? key.keys : [key]) {
    const found = FOUND_KEYS.has(k.k) ? ctx.textMatches.get(k) : undefined;
    if (found instanceof Set && (!smallest || found.size < smallest.size)) smallest = found;
  }
  if (!smallest) return only;
  const within = smallest;
  if (only) return only.filter((uid) => within.has(uid));
  // Many matches: one pass over every message costs less than sorting them.
  return within.size * 4 > total ? undefined : [...within].sort((a, b) => a - b);
}

/** Whether any key in the tree passes `test`. */
export function anyKey(key: SearchKey, test: (key: SearchKey) => boolean): boolean {
  switch (key.k) {
    case 'not':
      return anyKey(key.key, test);
    case 'or':
      return anyKey(key.a, test) || anyKey(key.b, test);
    case 'and':
      return key.keys.some((k) => anyKey(k, test));
    default:
      return test(key);
  }
}

/**
 * UIDs (ascending) of the session's messages that match, and the highest
 * MODSEQ among them; with `only` (UIDs the view holds), of those messages alone.
 */
export async function evaluateSearch(session: SearchView, key: SearchKey, only?: readonly number[]): Promise<{ uids: number[]; highestModseq: number }> {
  const sel = session.selected!;
  const view = sel.view;
  await view?.refresh();
  // This command's list: it stays valid if updates replace the session's meanwhile.
  const uids = sel.uids;
  const withRows = !view || anyKey(key, needsRow);
  let rows: SearchRow[] = [];
  if (withRows) {
    const withText = anyKey(key, (k) => k.k === 'column');
    const withSentDate = anyKey(key, (k) => k.k === 'date' && k.sent);
    rows = await getSearchRows(session.deps.store, sel.mailbox.id, withText, withSentDate, only);
  }
  const ctx: Context = {
    session,
    rows,
    maxSeq: uids.length,
    maxUid: uids.length ? uids[uids.length - 1] : 0,
    textMatches: new Map(),
    saved: anyKey(key, (k) => k.k === 'saved') ? new Set(sel.savedResult) : new Set(),
    nowSeconds: Math.floor(Date.now() / 1000),
  };
  await prepare(ctx, key);
  // From here on nothing is awaited: the view cannot change under the loop.
  const cursor = view?.cursor();
  // Criteria on flags alone (UNSEEN, FLAGGED, NOT DELETED …) give the same
  // answer for every message with the same flag set: tested once per set of
  // the view (a handful), then looked up per message.
  const bySet: Array<boolean | undefined> | null = view && !anyKey(key, (k) => !FLAG_KEYS.has(k.k)) ? [] : null;
  /** Without a view, each distinct flag list of the rows becomes one FlagSet. */
  const rowSets = new Map<string, FlagSet>();
  const m: Candidate = { uid: 0, seq: 0, modseq: 0, flags: NO_FLAGS, row: null };
  let r = 0;
  let highestModseq = 0;
  const out: number[] = [];
  // Every message, or (a live search checking what changed) those of `only`
  // found in the list, or those a key every match must pass found (below).
  const among = narrowed(ctx, key, uids.length, only);
  const count = among ? among.length : uids.length;
  for (let n = 0; n < count; n++) {
    const k = among ? lowerBound(uids, among[n]) : n;
    if (among && uids[k] !== among[n]) continue;
    const uid = uids[k];
    const i = cursor ? cursor.find(uid) : 0;
    // Expunged since (the view no longer has it, or its row is gone): not a match.
    if (i < 0) continue;
    if (withRows) {
      while (r < rows.length && rows[r].uid < uid) r++;
      if (r >= rows.length || rows[r].uid !== uid) continue;
      m.row = rows[r];
    }
    m.uid = uid;
    m.seq = k + 1;
    if (view) {
      m.modseq = view.modseqAt(i);
      m.flags = view.flagsAt(i);
    } else {
      const row = m.row!;
      m.modseq = row.modseq;
      const name = row.flags.join(' ');
      let set = rowSets.get(name);
      if (!set) rowSets.set(name, (set = new FlagSet(rowSets.size, row.flags)));
      m.flags = set;
    }
    if (bySet) {
      const id = m.flags.id;
      if (!(bySet[id] ??= matches(ctx, key, m))) continue;
    } else if (!matches(ctx, key, m)) continue;
    out.push(uid);
    highestModseq = Math.max(highestModseq, m.modseq);
  }
  return { uids: out, highestModseq };
}
