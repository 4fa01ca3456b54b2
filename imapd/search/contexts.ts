// Live search contexts (RFC 5267 §4.3: CONTEXT=SEARCH, and CONTEXT=SORT for a
// SORT command): a searching command with RETURN (UPDATE) leaves its result
// list here, and whenever the selected mailbox changes the list is computed
// again and the client is told the difference as unsolicited ESEARCH
// responses, `REMOVEFROM (position set …)` and `ADDTO (position set …)`, with
// positions in the list as the client holds it (§4.3.2–4.3.4). Positions are
// real ones (never the 0 that §4.3.3 allows for SEARCH), so a client paging
// with PARTIAL can tell whether a change falls in its window.
//
// How a searching command uses it (commands/search.ts through
// search/extended-search.ts; a SORT (commands/sort.ts) passes a `recompute`
// that returns its sort order, and inSortOrder):
//   contexts.has(tag)      a live context already uses this tag: answer BAD (§4.3)
//   contexts.full          no room: send `* NO [NOUPDATE "tag"]` and go on (§4.3.1)
//   contexts.add(session, { tag, byUid, correlator, recompute, matchingAmong?,
//                           inSortOrder, timeDependent, dependsOnNumbers }, results)
// CANCELUPDATE calls cancel(tags). The session calls refresh() from
// sendUpdates after it has taken in the journal: REMOVEFROM goes out at once,
// before the EXPUNGEs that cause it (§4.3.4), and the function it returns
// writes ADDTO after the EXISTS of the new messages (§4.3.3). That is when
// FETCH, EXISTS and EXPUNGE go out: after every command, at once during IDLE
// (§4.3: "at the same time as the FETCH, EXISTS, or EXPUNGE responses").
// Contexts belong to the selected mailbox (SelectedMailbox.contexts) and end
// with it: "updates will cease when the mailbox is no longer selected" (§4.3).
import type { Session } from '../session.ts';
import { compactSet, toRanges } from '../render/sequence-set.ts';
import type { FetchItem } from '../parser/fetch-items.ts';
import { fetchUnasked } from '../notify/fetch-unasked.ts';
import { esearchResponse } from './return-options.ts';

/** Live updating contexts per session; past this, UPDATE gets NOUPDATE (RFC 5267 §4.3.1: at least one). */
export const MAX_UPDATE_CONTEXTS = 5;
/** A result that depends on the clock (WITHIN) is computed again at most this often when asked… */
const TIME_RECHECK_MS = 1000;
/** …and this often while the client idles, when nothing else would ask (RFC 5032 §2: "periodically"). */
const IDLE_TIME_RECHECK_MS = 30_000;
/** ADDTO/REMOVEFROM pairs per ESEARCH response, so one large change is several lines of bounded length. */
const PAIRS_PER_RESPONSE = 200;
/** Past this many changed messages a live search is computed whole rather than message by message. */
const INCREMENTAL_LIMIT = 2000;

/** A search whose results the client wants kept up to date. */
export interface LiveSearch {
  /** The searching command's tag: the context's name (CANCELUPDATE) and correlator. */
  tag: string;
  /** UID SEARCH / UID SORT / ESEARCH report UIDs; SEARCH / SORT message numbers (§4.3.2). */
  byUid: boolean;
  /** The correlator text, e.g. `TAG "B01"` (search/return-options.ts correlator()). */
  correlator: string;
  /** The results now, as UIDs in the requested order (mailbox order for SEARCH). */
  recompute(): Promise<number[]>;
  /**
   * Only for criteria every message matches or not on its own (no message
   * numbers, "*", "$" or clock): which of `uids` match now, ascending. A
   * change to a few messages is then checked on those messages, not the whole
   * mailbox: in mailbox order the results are merged; in sort order, whose
   * keys never change, nothing is sorted again unless some message joined or
   * left.
   */
  matchingAmong?(uids: readonly number[]): Promise<number[]>;
  /** The results are in sort order (SORT, CONTEXT=SORT), not mailbox order. */
  inSortOrder: boolean;
  /** RFC 5032: OLDER/YOUNGER results change with time alone. */
  timeDependent: boolean;
  /** The criteria use message numbers or "*": EXPUNGEs change what they name. */
  dependsOnNumbers: boolean;
  /** RFC 5465 §7: FETCH these of each new message that joins the result, before its ADDTO. */
  fetch?: readonly FetchItem[];
}

interface Context extends LiveSearch {
  /** What the client holds: UIDs in the requested order. */
  results: number[];
  evaluatedAt: number;
}

/** One ADDTO or REMOVEFROM pair: a run of results and where it starts (1-based). */
export interface ContextChange {
  position: number;
  uids: number[];
}

type ContextSession = Pick<Session, 'writer' | 'seqOf' | 'idleNotify' | 'isClosed' | 'selected'>;

export class SearchContexts {
  private readonly live = new Map<string, Context>();
  private timer: NodeJS.Timeout | null = null;

  get size(): number {
    return this.live.size;
  }

  get full(): boolean {
    return this.live.size >= MAX_UPDATE_CONTEXTS;
  }

  has(tag: string): boolean {
    return this.live.has(tag);
  }

  add(session: ContextSession, search: LiveSearch, results: number[]): void {
    this.live.set(search.tag, { ...search, results, evaluatedAt: Date.now() });
    if (search.timeDependent) this.watchClock(session);
  }

  /** Ends the named contexts (RFC 5267 §4.3.5); false, and nothing ends, when one of them is not live. */
  cancel(tags: readonly string[]): boolean {
    if (!tags.every((t) => this.live.has(t))) return false;
    for (const t of tags) this.live.delete(t);
    return true;
  }

  /**
   * Computes each context again when the mailbox changed (`changes`: the
   * journal rows just taken in, by UID), or its result depends on the clock,
   * and writes REMOVEFROM for what left it. The returned function writes ADDTO
   * for what joined it: call it once the client has been told of the new
   * messages (EXISTS), saying whether EXPUNGEs went out meanwhile, after which
   * criteria with message numbers are computed once more (their numbers moved).
   * Null when there is nothing to do afterwards.
   */
  async refresh(session: Session, changes: readonly { uid: number; kind?: string }[]): Promise<((expunged: boolean) => Promise<void>) | null> {
    const now = Date.now();
    const touched = new Set(changes.map((c) => c.uid));
    const arrived = new Set(changes.filter((c) => c.kind === 'new').map((c) => c.uid));
    const additions: Array<() => Promise<void>> = [];
    for (const c of this.live.values()) {
      if (touched.size === 0 && !(c.timeDependent && now - c.evaluatedAt >= TIME_RECHECK_MS)) continue;
      let next: number[];
      if (c.matchingAmong && touched.size > 0 && touched.size <= INCREMENTAL_LIMIT) {
        const matching = await c.matchingAmong([...touched].filter((uid) => session.seqOf(uid) > 0).sort((a, b) => a - b));
        if (!c.inSortOrder) next = mergeAscending(c.results.filter((uid) => !touched.has(uid)), matching);
        else next = sameMembers(c.results, touched, matching) ? c.results : await c.recompute();
      } else {
        next = await c.recompute();
      }
      c.evaluatedAt = now;
      // Numbers are rendered when written: message numbers before the EXPUNGEs for
      // REMOVEFROM, after them and after EXISTS for ADDTO (RFC 5267 §4.3.3–4).
      const added = this.replace(session, c, next);
      if (added.length) {
        additions.push(async () => {
          // RFC 5465 §7: EXISTS, then the FETCH of new messages that joined (not of those a flag change brought), then ADDTO.
          const joined = c.fetch ? added.flatMap((p) => p.uids).filter((uid) => arrived.has(uid)) : [];
          if (joined.length) await fetchUnasked(session, toRanges(joined.sort((a, b) => a - b)).map(([from, to]) => ({ from, to })), c.fetch!);
          this.write(session, c, 'ADDTO', added);
        });
      }
    }
    const numbered = [...this.live.values()].filter((c) => c.dependsOnNumbers);
    if (additions.length === 0 && numbered.length === 0) return null;
    return async (expunged) => {
      for (const write of additions) await write();
      if (!expunged) return;
      // The EXPUNGEs renumbered the messages: "1:3" may now name others. Not caused by
      // an expunge, these changes may follow the EXPUNGE responses.
      for (const c of numbered) {
        const added = this.replace(session, c, await c.recompute());
        if (added.length) this.write(session, c, 'ADDTO', added);
      }
    };
  }

  /** Makes `next` the context's results: writes REMOVEFROM now, returns the ADDTO pairs. */
  private replace(session: ContextSession, c: Context, next: number[]): ContextChange[] {
    const { removed, added } = contextChanges(c.results, next);
    c.results = next;
    if (removed.length) this.write(session, c, 'REMOVEFROM', removed);
    return added;
  }

  private write(session: ContextSession, c: Context, item: 'ADDTO' | 'REMOVEFROM', changes: readonly ContextChange[]): void {
    for (let i = 0; i < changes.length; i += PAIRS_PER_RESPONSE) {
      const pairs = changes.slice(i, i + PAIRS_PER_RESPONSE).map((p) => `${p.position} ${compactSet(c.byUid ? p.uids : p.uids.map((u) => session.seqOf(u)))}`);
      session.writer.untagged(esearchResponse(c.correlator, c.byUid, `${item} (${pairs.join(' ')})`));
    }
  }

  /** While a context depends on the clock, an idling client is woken now and then to have it computed again. */
  private watchClock(session: ContextSession): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      const stillSelected = session.selected?.contexts === this;
      if (session.isClosed || !stillSelected || ![...this.live.values()].some((c) => c.timeDependent)) {
        clearInterval(this.timer!);
        this.timer = null;
        return;
      }
      session.idleNotify?.();
    }, IDLE_TIME_RECHECK_MS);
    this.timer.unref();
  }
}

/**
 * The REMOVEFROM and ADDTO pairs that turn `before` into `after` (both in the
 * requested order), applied in order as RFC 5267 §4.3.2 says: first the
 * removals, each position counted after the runs before it were removed
 * (§4.3.4), then the additions, each position where its run stands in `after`
 * (§4.3.3). Results present in both keep their relative order in mailbox order
 * and under SORT's fixed keys; if they ever did not, everything is removed and
 * added again, which is still correct.
 */
export function contextChanges(before: readonly number[], after: readonly number[]): { removed: ContextChange[]; added: ContextChange[] } {
  if (ascending(before) && ascending(after)) return mergeWalk(before, after);
  const inAfter = new Set(after);
  const inBefore = new Map(before.map((uid, i) => [uid, i]));
  let last = -1;
  for (const uid of after) {
    const at = inBefore.get(uid);
    if (at === undefined) continue;
    if (at < last) return { removed: runs(before, () => false, true), added: runs(after, () => false, false) };
    last = at;
  }
  return { removed: runs(before, (uid) => inAfter.has(uid), true), added: runs(after, (uid) => inBefore.has(uid), false) };
}

function ascending(list: readonly number[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1] >= list[i]) return false;
  return true;
}

/** contextChanges for two ascending lists (mailbox order): one walk, no hashing, however large the lists. */
function mergeWalk(before: readonly number[], after: readonly number[]): { removed: ContextChange[]; added: ContextChange[] } {
  const removed: ContextChange[] = [];
  const added: ContextChange[] = [];
  let gone = 0;
  let i = 0;
  let j = 0;
  let lastRemoved = -2;
  let lastAdded = -2;
  while (i < before.length || j < after.length) {
    if (j >= after.length || (i < before.length && before[i] < after[j])) {
      if (lastRemoved === i - 1) removed[removed.length - 1].uids.push(before[i]);
      else removed.push({ position: i + 1 - gone, uids: [before[i]] });
      lastRemoved = i;
      gone++;
      i++;
    } else if (i >= before.length || after[j] < before[i]) {
      if (lastAdded === j - 1) added[added.length - 1].uids.push(after[j]);
      else added.push({ position: j + 1, uids: [after[j]] });
      lastAdded = j;
      j++;
    } else {
      i++;
      j++;
    }
  }
  return { removed, added };
}

/** Whether each of `touched` is among `results` exactly when it is among `matching`. */
function sameMembers(results: readonly number[], touched: ReadonlySet<number>, matching: readonly number[]): boolean {
  const held = new Set(results);
  const now = new Set(matching);
  for (const uid of touched) if (held.has(uid) !== now.has(uid)) return false;
  return true;
}

/** Two ascending lists of distinct numbers as one. */
function mergeAscending(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) out.push(j >= b.length || (i < a.length && a[i] < b[j]) ? a[i++] : b[j++]);
  return out;
}

/** Runs of entries of `list` that `kept` rejects, with 1-based positions (shifted by earlier removals when `removing`). */
function runs(list: readonly number[], kept: (uid: number) => boolean, removing: boolean): ContextChange[] {
  const out: ContextChange[] = [];
  let gone = 0;
  let run: ContextChange | null = null;
  for (let i = 0; i < list.length; i++) {
    if (!kept(list[i])) {
      if (!run) run = { position: i + 1 - gone, uids: [] };
      run.uids.push(list[i]);
    } else if (run) {
      out.push(run);
      if (removing) gone += run.uids.length;
      run = null;
    }
  }
  if (run) out.push(run);
  return out;
}
