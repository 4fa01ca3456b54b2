// Search return options and the ESEARCH response, for every searching command
// (SEARCH and UID SEARCH here, ESEARCH for MULTISEARCH, and SORT/UID SORT for
// ESORT and CONTEXT=SORT):
//
//   RETURN (MIN MAX COUNT ALL)   RFC 4731 §3.1 (ESEARCH)
//   RETURN (SAVE)                RFC 5182 §2 (SEARCHRES)
//   RETURN (CONTEXT UPDATE)      RFC 5267 §4.2–4.3 (CONTEXT=SEARCH / CONTEXT=SORT)
//   RETURN (PARTIAL m:n)         RFC 5267 §4.4, with the "-m:-n" ranges of RFC 9394 §3.1
//
// A command reads the clause with readReturnOptions(args) (it comes before
// CHARSET and the criteria, RFC 4466 §2.6), evaluates its criteria into a
// result list IN THE REQUESTED ORDER (mailbox order for SEARCH, sort order for
// SORT), and then:
//   - writer.respond(esearchPieces(correlator, byUid, options, ids, modseq))
//     writes "* ESEARCH (TAG "x") UID MIN 2 MAX 9 COUNT 3 ALL 2,5,9" (MIN and
//     MAX are the first and last of the list, RFC 5267 §3.1, so the same code
//     serves SORT); sendsEsearch(options) says whether a response goes out at
//     all (SAVE alone sends none, RFC 5182 §2.1);
//   - reportedResults(options, results) is what SAVE stores in "$" (RFC 5182
//     §2.4, RFC 9394 §3.2) and what the MODSEQ result item covers (RFC 4731 §3.2);
//   - options.update asks for a live context (search/contexts.ts).
import { ParseError, type Token } from '../parser/tokens.ts';
import type { Args } from '../parser/args.ts';
import { type FetchItem, parseFetchItems } from '../parser/fetch-items.ts';
import { compactSetPieces } from '../render/sequence-set.ts';
import { string } from '../render/quote.ts';

/** A PARTIAL range (RFC 9394 §4 partial-range): `low`..`high` counted from the first result, or from the last when `fromEnd`. */
export interface PartialRange {
  /** As the client wrote it: the response echoes it (RFC 5267 §4.4). */
  text: string;
  fromEnd: boolean;
  low: number;
  high: number;
}

export interface ReturnOptions {
  min: boolean;
  max: boolean;
  count: boolean;
  all: boolean;
  partial: PartialRange | null;
  save: boolean;
  /** RFC 5267 §4.2: a hint that the criteria will be used again; nothing to do. */
  context: boolean;
  update: boolean;
  /** RFC 5465 §7: UPDATE (fetch-att …): what to FETCH of new messages that join the live result. */
  updateFetch?: FetchItem[];
}

const FLAGS = ['MIN', 'MAX', 'COUNT', 'ALL', 'SAVE', 'CONTEXT', 'UPDATE'] as const;
const PARTIAL = /^(-?)([1-9]\d{0,9}):(-?)([1-9]\d{0,9})$/;

/** RETURN (ALL): what ESEARCH without result options (RFC 7377 §2.1) and an IMAP4rev2 SEARCH without RETURN (RFC 9051 §6.4.4) answer. */
export function returnAll(): ReturnOptions {
  return { min: false, max: false, count: false, all: true, partial: null, save: false, context: false, update: false };
}

/** The RETURN (...) list of a searching command, if it has one. */
export function readReturnOptions(args: Args): ReturnOptions | null {
  const first = args.peek();
  if (first?.t !== 'atom' || first.v.toUpperCase() !== 'RETURN') return null;
  args.next('RETURN');
  return parseReturnOptions(args.list('return options'));
}

export function parseReturnOptions(tokens: readonly Token[]): ReturnOptions {
  const o: ReturnOptions = { min: false, max: false, count: false, all: false, partial: null, save: false, context: false, update: false };
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok.t !== 'atom') throw new ParseError('invalid return option');
    const name = tok.v.toUpperCase();
    if (name === 'PARTIAL') {
      const range = tokens[++i];
      const m = range?.t === 'atom' ? PARTIAL.exec(range.v) : null;
      // RFC 9394 §4: both ends count from the same end; no "*", no 0.
      if (!m || m[1] !== m[3] || Number(m[2]) > 0xffffffff || Number(m[4]) > 0xffffffff) throw new ParseError('invalid PARTIAL range');
      // RFC 5267 §4.4, RFC 9394 §3.1: one PARTIAL or one ALL at most.
      if (o.partial) throw new ParseError('PARTIAL given twice');
      const [a, b] = [Number(m[2]), Number(m[4])];
      o.partial = { text: range.t === 'atom' ? range.v : '', fromEnd: m[1] === '-', low: Math.min(a, b), high: Math.max(a, b) };
    } else if (name === 'UPDATE' && tokens[i + 1]?.t === 'list') {
      o.update = true;
      o.updateFetch = parseFetchItems(tokens[++i]);
    } else if ((FLAGS as readonly string[]).includes(name)) {
      o[name.toLowerCase() as Lowercase<(typeof FLAGS)[number]>] = true;
    } else {
      throw new ParseError(`unknown return option ${tok.v.slice(0, 30)}`);
    }
  }
  if (o.partial && o.all) throw new ParseError('PARTIAL and ALL cannot be combined');
  return o;
}

/** Whether any option asks for result data (MIN, MAX, COUNT, ALL, PARTIAL). */
export function asksForData(o: ReturnOptions): boolean {
  return o.min || o.max || o.count || o.all || o.partial !== null;
}

/** RFC 5182 §2.1: SAVE with no data option suppresses the ESEARCH response; any other list without one means ALL (RFC 4731 §3.1). */
export function sendsEsearch(o: ReturnOptions): boolean {
  return asksForData(o) || !o.save;
}

/** The part of `results` (in the requested order) a PARTIAL range names. */
export function partialWindow<T>(range: PartialRange, results: readonly T[]): T[] {
  if (!range.fromEnd) return results.slice(range.low - 1, range.high);
  // RFC 9394 §3.1: -1 is the last result, -2 the one before it.
  return results.slice(Math.max(0, results.length - range.high), Math.max(0, results.length - range.low + 1));
}

/**
 * The results a response reports one by one: all of them when ALL or COUNT is
 * asked for (or nothing is), otherwise only the MIN, MAX and PARTIAL ones. This
 * is what SAVE stores (RFC 5182 §2.4, RFC 9394 §3.2) and what the MODSEQ item
 * covers (RFC 4731 §3.2). Kept in the requested order.
 */
export function reportedResults<T>(o: ReturnOptions, results: readonly T[]): T[] {
  if (o.all || o.count || !asksForData(o) || results.length === 0) return [...results];
  const picked = new Set<T>();
  if (o.min) picked.add(results[0]);
  if (o.max) picked.add(results[results.length - 1]);
  if (o.partial) for (const r of partialWindow(o.partial, results)) picked.add(r);
  return results.filter((r) => picked.has(r));
}

/**
 * The return data of an ESEARCH response for `ids` (sequence numbers or UIDs,
 * in the requested order), item by item, each after a space; a long ALL set
 * comes in several pieces. RFC 4731 §3.1: with no match, MIN, MAX and ALL are
 * left out and COUNT is 0; PARTIAL answers NIL (RFC 5267 §4.4). `modseq` is
 * the MODSEQ item when the criteria used MODSEQ (RFC 4731 §3.2).
 */
export function* esearchItems(o: ReturnOptions, ids: readonly number[], modseq: number | null = null): Generator<string> {
  const all = o.all || !asksForData(o);
  if (o.min && ids.length) yield ` MIN ${ids[0]}`;
  if (o.max && ids.length) yield ` MAX ${ids[ids.length - 1]}`;
  if (o.count) yield ` COUNT ${ids.length}`;
  if (all && ids.length) {
    yield ' ALL ';
    yield* compactSetPieces(ids);
  }
  if (o.partial) {
    const window = partialWindow(o.partial, ids);
    yield ` PARTIAL (${o.partial.text} `;
    yield* window.length ? compactSetPieces(window) : ['NIL'];
    yield ')';
  }
  if (modseq !== null && ids.length) yield ` MODSEQ ${modseq}`;
}

/** The whole `* ESEARCH (correlator) [UID] data` response as pieces for writer.respond(). */
export function* esearchPieces(correlatorText: string, byUid: boolean, o: ReturnOptions, ids: readonly number[], modseq: number | null = null): Generator<string> {
  yield `* ${esearchResponse(correlatorText, byUid, '')}`;
  yield* esearchItems(o, ids, modseq);
}

/** The search correlator (RFC 4466 §2.6.2; MAILBOX, its name as on the wire, and UIDVALIDITY from RFC 7377 §2.1). */
/** `mailbox.name` as rendered for the session (render/mailbox-name.ts). */
export function correlator(tag: string, mailbox?: { name: string; uidvalidity: number }): string {
  return mailbox ? `TAG ${string(tag)} MAILBOX ${mailbox.name} UIDVALIDITY ${mailbox.uidvalidity}` : `TAG ${string(tag)}`;
}

/** "ESEARCH (TAG "x") UID data", without the leading "* ". */
export function esearchResponse(correlatorText: string, byUid: boolean, data: string): string {
  return `ESEARCH (${correlatorText})${byUid ? ' UID' : ''}${data ? ' ' + data : ''}`;
}
