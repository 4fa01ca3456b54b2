// The QRESYNC select parameter (RFC 7162 §3.2.5, grammar in §7):
//
//   "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids]
//                    [SP seq-match-data] ")"
//   seq-match-data = "(" known-sequence-set SP known-uid-set ")"
//
// Pure parsing and the arithmetic on the sets; no session, no store.
import { parseSequenceSet, type SequenceSet } from '../parser/args.ts';
import { ParseError, type Token } from '../parser/tokens.ts';

export interface QresyncParams {
  uidvalidity: number;
  /** The client's last known HIGHESTMODSEQ. */
  modseq: number;
  /** The UIDs the client knows (null: all, §3.2.5 "If the list of known UIDs is not provided"). */
  knownUids: SequenceSet | null;
  /** §3.2.5.2 message sequence match data: message numbers and the UIDs the client had for them. */
  seqMatch: { seqs: SequenceSet; uids: SequenceSet } | null;
}

const MAX_UINT32 = 0xffffffffn;
/** mod-sequence-value (RFC 7162 §7): up to 2^63 - 1. */
const MAX_MODSEQ = 2n ** 63n - 1n;

function numberAtom(tok: Token | undefined, what: string, max: bigint): number {
  if (!tok || tok.t !== 'atom' || !/^\d{1,20}$/.test(tok.v)) throw new ParseError(`QRESYNC: expected ${what}`);
  // nz-number and mod-sequence-value are both at least 1.
  if (BigInt(tok.v) < 1n || BigInt(tok.v) > max) throw new ParseError(`QRESYNC: ${what} out of range`);
  // Heron's MODSEQs stay far below 2^53: a larger one (from another server) is simply above them all.
  return Math.min(Number(tok.v), Number.MAX_SAFE_INTEGER);
}

/** A sequence set in which "*" is not allowed (§7: known-uids, known-sequence-set, known-uid-set). */
function starlessSet(tok: Token | undefined, what: string): SequenceSet {
  if (!tok || tok.t !== 'atom' || tok.v.includes('*')) throw new ParseError(`QRESYNC: expected ${what} without "*"`);
  return parseSequenceSet(tok.v);
}

/** Members of a set (ranges are from <= to after parsing). */
export function setSize(set: SequenceSet): number {
  return set.reduce((n, r) => n + (r.to - r.from + 1), 0);
}

/** §3.2.5.2: "in ascending order": each range after the one before it. */
function ascending(set: SequenceSet): boolean {
  return set.every((r, i) => i === 0 || r.from > set[i - 1].to);
}

/** The list after the QRESYNC atom: "(uidvalidity modseq [known-uids] [seq-match-data])". */
export function parseQresync(tok: Token | undefined): QresyncParams {
  if (!tok || tok.t !== 'list') throw new ParseError('QRESYNC: expected a parenthesised list');
  const items = tok.v;
  const uidvalidity = numberAtom(items[0], 'UIDVALIDITY', MAX_UINT32);
  const modseq = numberAtom(items[1], 'mod-sequence', MAX_MODSEQ);
  let at = 2;
  let knownUids: SequenceSet | null = null;
  if (items[at]?.t === 'atom') knownUids = starlessSet(items[at++], 'known UIDs');
  let seqMatch: QresyncParams['seqMatch'] = null;
  const match = items[at];
  if (match) {
    if (match.t !== 'list' || match.v.length !== 2) throw new ParseError('QRESYNC: expected (known-sequence-set known-uid-set)');
    const seqs = starlessSet(match.v[0], 'known sequence set');
    const uids = starlessSet(match.v[1], 'known UID set');
    if (!ascending(seqs) || !ascending(uids)) throw new ParseError('QRESYNC: sequence match data must be in ascending order');
    if (setSize(seqs) !== setSize(uids)) throw new ParseError('QRESYNC: sequence match data sets differ in length');
    seqMatch = { seqs, uids };
    at++;
  }
  if (at !== items.length) throw new ParseError('QRESYNC: unexpected parameters');
  return { uidvalidity, modseq, knownUids, seqMatch };
}

/** The members of a set, ascending, one at a time (sets may be huge; callers stop early). */
export function* members(set: SequenceSet): Generator<number> {
  for (const r of set) for (let n = r.from; n <= r.to; n++) yield n;
}

/**
 * RFC 7162 §3.2.5.2: the highest UID of the sequence match data whose pair
 * still matches the mailbox (message number n has that UID now), taking the
 * pairs in order and stopping at the first that does not. The client knows of
 * every expunge at or below it, so VANISHED (EARLIER) leaves those UIDs out.
 * 0 when no pair matches. `uids` is the mailbox's UID list (number n at n-1).
 */
export function matchedUid(seqMatch: NonNullable<QresyncParams['seqMatch']>, uids: ArrayLike<number>): number {
  let last = 0;
  const uidIter = members(seqMatch.uids);
  for (const seq of members(seqMatch.seqs)) {
    const uid = uidIter.next().value as number;
    if (seq > uids.length || uids[seq - 1] !== uid) break;
    last = uid;
  }
  return last;
}

/** Whether `n` is in the set; "*" (Infinity) as the upper end of a range means no upper bound. */
export function inSet(set: SequenceSet, n: number): boolean {
  return set.some((r) => n >= r.from && n <= r.to);
}
