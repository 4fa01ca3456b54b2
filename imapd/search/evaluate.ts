// SEARCH evaluation over every message of the selected mailbox, no result
// caps. Text keys are answered by the store's full-text index (searchText);
// what the index cannot answer (strings under 3 characters, HEADER on a given
// field) is checked against the stored bytes. It needs only a SearchView (a
// session is one), so the mail API's search (server/api/emailengine) uses it too.
import {
  decodeHeaderBytes,
  decodeWords,
  findBodyStart,
  getMessages,
  getSearchRows,
  hasFlag,
  parseHeaderFields,
  readRaw,
  searchText,
  type SearchRow,
  type Store,
  uidsBySaveDate,
  uidsWithEmailId,
  uidsWithThreadId,
} from '../../schema/index.ts';
import type { SearchKey } from '../parser/search-keys.ts';
import { addressTexts, mayMatchAddress, sentDay } from './envelope-keys.ts';

/**
 * What a search runs over: a session's selected mailbox as its client sees it
 * (a Session is one), or any mailbox of the account for MULTISEARCH
 * (mailboxView() in search/mailbox-sources.ts): its messages in sequence order, which of them are
 * \Recent, and the saved result "$" names (RFC 5182).
 */
export interface SearchView {
  deps: { store: Store };
  selected: {
    mailbox: { id: number };
    uids: readonly number[];
    recent: ReadonlySet<number>;
    savedResult?: readonly number[];
  } | null;
}

/** Messages whose ENVELOPE is read at once when an address key needs it. */
const ENVELOPE_BATCH = 500;

const dayOf = (ms: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
};

interface Context {
  session: SearchView;
  rows: SearchRow[];
  seqs: Map<number, number>;
  maxSeq: number;
  maxUid: number;
  /** Matching UIDs of each key the store answers (text, header, object IDs, save dates), computed before evaluation. */
  textMatches: Map<SearchKey, Set<number>>;
  /** The saved result "$" names (RFC 5182), when the key uses it. */
  saved: ReadonlySet<number>;
  /** The time OLDER/YOUNGER count back from, in whole seconds (RFC 5032 §2). */
  nowSeconds: number;
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
        ctx.textMatches.set(key, new Set(ctx.rows.map((r) => r.uid)));
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
      if (key.column === 'subject') return;
      // RFC 3501 §6.4.4: FROM/TO/CC/BCC look in the envelope's address structures,
      // so an address written with comments or quoting matches its plain form
      // too; the decoded header text still matches as before.
      const field = key.column;
      const needle = key.value.toLowerCase();
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

function matches(ctx: Context, key: SearchKey, row: SearchRow): boolean {
  const sel = ctx.session.selected!;
  switch (key.k) {
    case 'all':
      return true;
    case 'flag':
      return hasFlag(row.flags, key.flag) === key.present;
    case 'recent':
      return sel.recent.has(row.uid) === key.present;
    case 'new':
      return sel.recent.has(row.uid) && !hasFlag(row.flags, '\\Seen');
    case 'seq': {
      const seq = ctx.seqs.get(row.uid) ?? 0;
      return key.set.some((r) => {
        const from = r.from === Infinity ? ctx.maxSeq : r.from;
        const to = r.to === Infinity ? ctx.maxSeq : r.to;
        return seq >= Math.min(from, to) && seq <= Math.max(from, to);
      });
    }
    case 'uid':
      return key.set.some((r) => {
        const from = r.from === Infinity ? ctx.maxUid : r.from;
        const to = r.to === Infinity ? ctx.maxUid : r.to;
        return row.uid >= Math.min(from, to) && row.uid <= Math.max(from, to);
      });
    case 'date': {
      // RFC 3501 §6.4.4: SENT* take the day the Date: header names in its own zone.
      const day = key.sent ? sentDay(row.sentDate) : dayOf(row.internalDate);
      if (day === null) return false;
      return key.op === 'before' ? day < key.day : key.op === 'on' ? day === key.day : day >= key.day;
    }
    case 'size':
      return key.larger ? row.size > key.n : row.size < key.n;
    case 'column':
      if (key.column !== 'subject') return ctx.textMatches.get(key)?.has(row.uid) ?? false;
      return row.subject.toLowerCase().includes(key.value.toLowerCase());
    case 'header':
    case 'text':
    case 'objectid':
    case 'savedate':
      return ctx.textMatches.get(key)?.has(row.uid) ?? false;
    case 'modseq':
      return row.modseq >= key.n;
    case 'saved':
      return ctx.saved.has(row.uid);
    case 'within': {
      // RFC 5032 §2: to the second; OLDER at or before now − n, YOUNGER at or after.
      const at = Math.floor(row.internalDate / 1000);
      return key.older ? at <= ctx.nowSeconds - key.seconds : at >= ctx.nowSeconds - key.seconds;
    }
    case 'not':
      return !matches(ctx, key.key, row);
    case 'or':
      return matches(ctx, key.a, row) || matches(ctx, key.b, row);
    case 'and':
      return key.keys.every((k) => matches(ctx, k, row));
  }
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
  const known = new Set(only ?? sel.uids);
  const withText = anyKey(key, (k) => k.k === 'column');
  const withSentDate = anyKey(key, (k) => k.k === 'date' && k.sent);
  const rows = (await getSearchRows(session.deps.store, sel.mailbox.id, withText, withSentDate, only)).filter((r) => known.has(r.uid));
  // Message numbers only when a key asks for them: a live search checking one changed message skips the map.
  const seqs = new Map<number, number>();
  if (anyKey(key, (k) => k.k === 'seq')) sel.uids.forEach((uid, i) => seqs.set(uid, i + 1));
  const ctx: Context = {
    session,
    rows,
    seqs,
    maxSeq: sel.uids.length,
    maxUid: sel.uids.length ? sel.uids[sel.uids.length - 1] : 0,
    textMatches: new Map(),
    saved: anyKey(key, (k) => k.k === 'saved') ? new Set(sel.savedResult) : new Set(),
    nowSeconds: Math.floor(Date.now() / 1000),
  };
  await prepare(ctx, key);
  let highestModseq = 0;
  const uids: number[] = [];
  for (const row of rows) {
    if (!matches(ctx, key, row)) continue;
    uids.push(row.uid);
    highestModseq = Math.max(highestModseq, row.modseq);
  }
  return { uids, highestModseq };
}
