// SEARCH evaluation over every message of the selected mailbox, no result
// caps. Text keys are answered by the store's full-text index (searchText);
// what the index cannot answer (strings under 3 characters, HEADER on a given
// field) is checked against the stored bytes.
import { decodeHeaderBytes, findBodyStart, getSearchRows, hasFlag, parseHeaderFields, readRaw, searchText, type SearchRow } from '../../schema/index.ts';
import libmime from 'libmime';
import type { SearchKey } from '../parser/search-keys.ts';
import type { Session } from '../session.ts';

const dayOf = (ms: number): number => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
};

function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

interface Context {
  session: Session;
  rows: SearchRow[];
  seqs: Map<number, number>;
  maxSeq: number;
  maxUid: number;
  /** Matching UIDs of each text/header key, computed before evaluation. */
  textMatches: Map<SearchKey, Set<number>>;
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
      const at = key.sent ? row.dateHeader : row.internalDate;
      if (at === null) return false;
      const day = dayOf(at);
      return key.op === 'before' ? day < key.day : key.op === 'on' ? day === key.day : day >= key.day;
    }
    case 'size':
      return key.larger ? row.size > key.n : row.size < key.n;
    case 'column':
      return row[key.column].toLowerCase().includes(key.value.toLowerCase());
    case 'header':
    case 'text':
      return ctx.textMatches.get(key)?.has(row.uid) ?? false;
    case 'modseq':
      return row.modseq >= key.n;
    case 'not':
      return !matches(ctx, key.key, row);
    case 'or':
      return matches(ctx, key.a, row) || matches(ctx, key.b, row);
    case 'and':
      return key.keys.every((k) => matches(ctx, k, row));
  }
}

/** Whether any key tests the subject or address columns (FROM, TO, CC, BCC, SUBJECT). */
function usesColumns(key: SearchKey): boolean {
  switch (key.k) {
    case 'column':
      return true;
    case 'not':
      return usesColumns(key.key);
    case 'or':
      return usesColumns(key.a) || usesColumns(key.b);
    case 'and':
      return key.keys.some(usesColumns);
    default:
      return false;
  }
}

/** UIDs (ascending) of the session's messages that match, and the highest MODSEQ among them. */
export async function evaluateSearch(session: Session, key: SearchKey): Promise<{ uids: number[]; highestModseq: number }> {
  const sel = session.selected!;
  const known = new Set(sel.uids);
  const rows = (await getSearchRows(session.deps.store, sel.mailbox.id, usesColumns(key))).filter((r) => known.has(r.uid));
  const seqs = new Map<number, number>();
  sel.uids.forEach((uid, i) => seqs.set(uid, i + 1));
  const ctx: Context = {
    session,
    rows,
    seqs,
    maxSeq: sel.uids.length,
    maxUid: sel.uids.length ? sel.uids[sel.uids.length - 1] : 0,
    textMatches: new Map(),
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
