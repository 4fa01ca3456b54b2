// What SEARCH/UID SEARCH with RETURN options and ESEARCH (MULTISEARCH) share
// once their criteria are parsed: the charset check, the ESEARCH response
// for one mailbox (RFC 4731 §3, with MODSEQ per §3.2), saving "$" (RFC 5182
// §2.1, §2.4) and keeping a search up to date (RFC 5267 §4.3).
//
// A SORT with RETURN options (ESORT and CONTEXT=SORT, RFC 5267 §3–4) is the
// same extendedSearch() with an evaluator that sorts: its results, the ESEARCH
// response, "$" and the live context then follow sort order.
import { getMessageRowsFor } from '../../schema/index.ts';
import { type SearchKey, usesModseq } from '../parser/search-keys.ts';
import { string } from '../render/quote.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';
import { anyKey, evaluateSearch, type SearchView } from './evaluate.ts';
import { esearchPieces, reportedResults, type ReturnOptions, sendsEsearch } from './return-options.ts';

export interface ExtendedSearch {
  tag: string;
  /** UIDs (UID SEARCH, ESEARCH) or message numbers (SEARCH) in the response and in updates. */
  byUid: boolean;
  /** search/return-options.ts correlator(). */
  correlator: string;
  options: ReturnOptions;
  key: SearchKey;
}

/**
 * Before evaluating a search with RETURN (UPDATE): BAD when a live search
 * already uses the tag (RFC 5267 §4.3), an untagged NO [NOUPDATE] and false
 * when the session has as many as it may (§4.3.1; the other options are still
 * answered), else true.
 */
export function mayKeepUpdated(session: Session, tag: string, searchesSelected = true): boolean {
  const contexts = session.selected!.contexts;
  if (contexts.has(tag)) throw new ImapResponse('BAD', 'Tag reuse: a live search already has this tag');
  // RFC 7377 §2.2: an ESEARCH is kept up to date only in the selected mailbox.
  const refusal = !searchesSelected ? 'Updates cover only the selected mailbox, which this search does not include' : contexts.full ? 'Too many live searches; this one will not be updated' : null;
  if (refusal) session.writer.untagged(`NO [NOUPDATE ${string(tag)}] ${refusal}`);
  return refusal === null;
}

/** RFC 5182 §2.1: a search that was to SAVE and answers NO leaves "$" empty; one that answers BAD leaves it alone. */
export function forgetSavedOnFailure(session: Session, options: ReturnOptions | null, err: unknown): void {
  if (options?.save && session.selected && !(err instanceof ImapResponse && err.status === 'BAD')) session.selected.savedResult = [];
}

/** What a searching command's criteria select now, as UIDs in the requested order (mailbox order unless sorted). */
export type Evaluator = () => Promise<{ uids: number[]; highestModseq: number }>;

/**
 * Makes the search a live context of the selected mailbox, holding `uids`
 * (RFC 5267 §4.3). `sorted` is the evaluator of a SORT (CONTEXT=SORT): its
 * results are sorted again whole when a change adds or removes any.
 */
export function keepUpdated(session: Session, search: ExtendedSearch, uids: number[], sorted?: Evaluator): void {
  const { key } = search;
  const numbered = anyKey(key, (k) => k.k === 'seq' || (k.k === 'uid' && k.set.some((r) => r.to === Infinity)));
  const timeDependent = anyKey(key, (k) => k.k === 'within');
  // Message numbers, "*" (the last message), "$" and the clock make a message's match depend on more than itself.
  const eachOnItsOwn = !numbered && !timeDependent && !anyKey(key, (k) => k.k === 'saved');
  const evaluate = sorted ?? (() => evaluateSearch(session, key));
  session.selected!.contexts.add(
    session,
    {
      tag: search.tag,
      byUid: search.byUid,
      correlator: search.correlator,
      recompute: async () => (await evaluate()).uids,
      matchingAmong: eachOnItsOwn ? async (among) => (among.length ? (await evaluateSearch(session, key, among)).uids : []) : undefined,
      inSortOrder: sorted !== undefined,
      timeDependent,
      dependsOnNumbers: numbered,
      fetch: search.options.updateFetch,
    },
    uids,
  );
}

/** RFC 5182 §2.4: what SAVE keeps of a result (UIDs in the requested order; "$" keeps them ascending). */
export function saveResult(session: Session, options: ReturnOptions, uids: readonly number[]): void {
  session.selected!.savedResult = reportedResults(options, uids).sort((a, b) => a - b);
}

/** Writes the ESEARCH response for one mailbox's result (UIDs in the requested order), unless SAVE alone suppresses it. */
export async function writeEsearch(session: Session, view: SearchView, search: ExtendedSearch, result: { uids: number[]; highestModseq: number }): Promise<void> {
  if (!sendsEsearch(search.options)) return;
  const ids = search.byUid ? result.uids : result.uids.map((uid) => session.seqOf(uid));
  const modseq = usesModseq(search.key) ? await modseqOf(view, search.options, result) : null;
  await session.writer.respond(esearchPieces(search.correlator, search.byUid, search.options, ids, modseq));
}

/** RFC 4731 §3.2: the highest MODSEQ among the messages the response reports (MIN/MAX/PARTIAL alone, or all). */
async function modseqOf(view: SearchView, options: ReturnOptions, result: { uids: number[]; highestModseq: number }): Promise<number> {
  const reported = reportedResults(options, result.uids);
  if (reported.length === result.uids.length) return result.highestModseq;
  const rows = await getMessageRowsFor(view.deps.store, view.selected!.mailbox.id, reported);
  return rows.reduce((max, row) => Math.max(max, row.modseq), 0);
}

/**
 * SEARCH / UID SEARCH with RETURN options in the selected mailbox, or SORT /
 * UID SORT with them when `sorted` (their evaluator) is given: RFC 5267 §3.1,
 * MIN and MAX are then the first and last message in sort order and ALL keeps
 * that order; SAVE keeps the same messages (RFC 5182 §2.4).
 */
export async function extendedSearch(session: Session, search: ExtendedSearch, sorted?: Evaluator): Promise<void> {
  const live = search.options.update && mayKeepUpdated(session, search.tag);
  const result = await (sorted ? sorted() : evaluateSearch(session, search.key));
  await writeEsearch(session, session, search, result);
  if (search.options.save) saveResult(session, search.options, result.uids);
  if (live) keepUpdated(session, search, result.uids, sorted);
}
