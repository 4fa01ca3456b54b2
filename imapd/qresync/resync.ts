// What a QRESYNC client is told about the changes it missed: VANISHED (EARLIER)
// for messages expunged since its MODSEQ (SELECT/EXAMINE with QRESYNC, RFC 7162
// §3.2.5; UID FETCH … (CHANGEDSINCE m VANISHED), §3.2.6) and, on SELECT, a
// FETCH (UID FLAGS MODSEQ) for every message changed or added since.
//
// Expunges come from the journal while it reaches back to the client's MODSEQ.
// When the retention policy has pruned expunges newer than that MODSEQ, the
// journal cannot say which of them the client already knew of, so Heron
// reports every UID the client may know (its known-uids, else 1:UIDNEXT-1)
// that no longer exists: a superset, as RFC 7162 §3.2.5.2 describes for a
// server without (enough) expunge history, narrowed by the client's sequence
// match data. VANISHED (EARLIER) does not change message numbers, and a client
// ignores the UIDs in it that it never knew.
import { expungedSince, findMailboxById, getMessageRows, messagesChangedSince, prunedExpungeModseq } from '../../schema/index.ts';
import type { SequenceSet } from '../parser/args.ts';
import { appendRange, chunkedSets } from '../render/sequence-set.ts';
import type { Session } from '../session.ts';
import { lowerBound } from '../sorted.ts';
import { inSet } from './params.ts';

/** Longest sequence set in one VANISHED (EARLIER) response; more go out as several responses. */
const MAX_SET_LENGTH = 4000;

export interface VanishedQuery {
  /** The client's MODSEQ: expunges above it are reported. */
  since: number;
  /** Journal rows above this are left to the session's next update (they are newer than what it reported). */
  until: number;
  /** Only these UIDs ("*" resolved); null: any. */
  within: SequenceSet | null;
  /** UIDs at or below this are known to the client already (§3.2.5.2 sequence match data). */
  aboveUid: number;
}

/**
 * Writes VANISHED (EARLIER) for the UIDs expunged since `q.since`. UIDs still in
 * the session's view are left out: their expunge reaches it as VANISHED when
 * the session reports it (RFC 3501 §7.4.1 timing).
 */
export async function reportVanishedEarlier(session: Session, q: VanishedQuery): Promise<void> {
  const sel = session.selected!;
  const store = session.deps.store;
  if (q.since >= q.until) return;
  const wanted = (uid: number) => uid > q.aboveUid && (!q.within || inSet(q.within, uid)) && session.seqOf(uid) === 0;
  let ranges: Array<[number, number]> = [];
  for await (const page of expungedSince(store, sel.mailbox.id, q.since, q.until)) {
    for (const uid of page) if (wanted(uid)) appendRange(ranges, uid, uid);
  }
  // Read after the journal (see prunedExpungeModseq): a prune in between only makes the answer larger.
  if (q.since < (await prunedExpungeModseq(store, sel.mailbox.id))) ranges = await missingUids(session, q);
  for (const set of chunkedSets(ranges, MAX_SET_LENGTH)) {
    session.writer.untagged(`VANISHED (EARLIER) ${set}`);
    const full = session.writer.waitForRoom();
    if (full) await full;
  }
}

/**
 * The fallback answer: UIDs the client may know (within the query, below
 * UIDNEXT, above `aboveUid`) that exist neither in the session's view nor
 * among the messages delivered since the view was read.
 */
async function missingUids(session: Session, q: VanishedQuery): Promise<Array<[number, number]>> {
  const sel = session.selected!;
  const store = session.deps.store;
  const box = await findMailboxById(store, sel.mailbox.id);
  const top = (box?.uidnext ?? 1) - 1;
  const viewTop = sel.uids.length ? sel.uids[sel.uids.length - 1] : 0;
  // Messages that arrived after the view was read are not vanished, only not yet announced.
  const arrived = top > viewTop ? (await getMessageRows(store, sel.mailbox.id, viewTop + 1, top)).map((r) => r.uid) : [];
  const present = [...sel.uids, ...arrived];
  const scope = q.within ?? [{ from: 1, to: top }];
  const out: Array<[number, number]> = [];
  for (const r of scope) {
    const from = Math.max(r.from, q.aboveUid + 1);
    const to = Math.min(r.to, top);
    // Walk the present UIDs inside [from, to]; the gaps between them are missing.
    let next = from;
    for (let i = lowerBound(present, from); i < present.length && present[i] <= to && next <= to; i++) {
      if (present[i] > next) appendRange(out, next, present[i] - 1);
      next = present[i] + 1;
    }
    if (next <= to) appendRange(out, next, to);
  }
  return out;
}

/**
 * SELECT/EXAMINE with QRESYNC: a FETCH (UID FLAGS MODSEQ) for every message in
 * the session's view whose MODSEQ is above the client's (changed or new),
 * limited to its known UIDs when it gave them (§3.2.5).
 */
export async function reportChangedMessages(session: Session, since: number, within: SequenceSet | null): Promise<void> {
  const sel = session.selected!;
  for await (const page of messagesChangedSince(session.deps.store, sel.mailbox.id, since)) {
    const rows = page.filter((m) => session.seqOf(m.uid) > 0 && (!within || inSet(within, m.uid)));
    session.announceKeywords(rows.flatMap((r) => r.flags));
    for (const row of rows) {
      session.writer.untagged(`${session.seqOf(row.uid)} FETCH (UID ${row.uid} FLAGS ${session.flagsOf(row.uid, row.flags)} MODSEQ (${row.modseq}))`);
      const full = session.writer.waitForRoom();
      if (full) await full;
    }
  }
}
