// The change journal (mail_change) as QRESYNC reads it, and its retention.
//
// QRESYNC (RFC 7162 §3.2.5, §3.2.6) asks which UIDs were expunged after a
// MODSEQ the client names. Expunge rows are kept for the retention period
// (HERON_IMAP_EXPUNGE_RETENTION_DAYS); older ones are removed and the highest
// MODSEQ removed is kept on the mailbox (mail_box.pruned_expunge_modseq). A
// client whose MODSEQ is below that mark is answered without the journal
// (imapd/qresync/resync.ts): every UID it may know that no longer exists is
// reported VANISHED (EARLIER), which RFC 7162 §3.2.5.2 allows. "new" and
// "flags" rows only serve sessions that are connected (each message row keeps
// its own MODSEQ, which is what QRESYNC's FETCH answers come from), so they are
// kept for a shorter time.
import { parseFlags } from './flags.ts';
import { lockMailboxes, type MessageSummary } from './messages.ts';
import { type Store, write } from './store.ts';

/** Rows read per query when a result may be large (a client that was away for months). */
const PAGE = 5000;

/**
 * UIDs expunged from a mailbox with sinceModseq < MODSEQ <= untilModseq,
 * ascending and each once, a page at a time.
 */
export async function* expungedSince(store: Store, mailboxId: number, sinceModseq: number, untilModseq: number): AsyncGenerator<number[]> {
  for (let after = 0; ; ) {
    const uids = await store.column<number>(
      `SELECT DISTINCT uid FROM mail_change WHERE mail_box_id = ? AND kind = 'expunge' AND modseq > ? AND modseq <= ? AND uid > ? ORDER BY uid LIMIT ?`,
      mailboxId,
      sinceModseq,
      untilModseq,
      after,
      PAGE,
    );
    if (uids.length > 0) yield uids;
    if (uids.length < PAGE) return;
    after = uids[uids.length - 1];
  }
}

/**
 * The highest MODSEQ of an expunge the retention policy removed (0: none). Read
 * it after the journal: if a prune runs in between, the caller sees the higher
 * mark and answers without the journal, which is never too little.
 */
export async function prunedExpungeModseq(store: Store, mailboxId: number): Promise<number> {
  const row = await store.get<{ pruned_expunge_modseq: number }>(`SELECT pruned_expunge_modseq FROM mail_box WHERE id = ?`, mailboxId);
  return row?.pruned_expunge_modseq ?? 0;
}

/** Messages whose MODSEQ is above `sinceModseq` (changed or new since), in UID order, a page at a time. */
export async function* messagesChangedSince(store: Store, mailboxId: number, sinceModseq: number): AsyncGenerator<MessageSummary[]> {
  for (let after = 0; ; ) {
    const rows = await store.all<{ uid: number; modseq: number; flags: string }>(
      `SELECT uid, modseq, flags FROM mail WHERE mail_box_id = ? AND modseq > ? AND uid > ? ORDER BY uid LIMIT ?`,
      mailboxId,
      sinceModseq,
      after,
      PAGE,
    );
    if (rows.length > 0) yield rows.map((r) => ({ uid: r.uid, modseq: r.modseq, flags: parseFlags(r.flags) }));
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].uid;
  }
}

export interface RetentionPolicy {
  /** Expunge rows older than this are removed (QRESYNC then answers without them). */
  expungeRetentionMs: number;
  /** "new" and "flags" rows older than this are removed. */
  changeRetentionMs: number;
}

/** Live sessions pull the journal within moments; a week covers a node that lost its change feed for days. */
export const CHANGE_RETENTION_MS = 7 * 86_400_000;

export interface PruneResult {
  expunges: number;
  changes: number;
  threadRefs: number;
}

/**
 * Removes journal rows past the retention policy, and thread records whose
 * thread has no message left, in batches (each its own short write, so other
 * writers are never held up for long). Safe to run on several nodes at once.
 */
export async function pruneJournal(store: Store, policy: RetentionPolicy, at = Date.now()): Promise<PruneResult> {
  const result: PruneResult = { expunges: 0, changes: 0, threadRefs: 0 };
  for (let n = PAGE; n === PAGE; ) {
    n = await pruneExpunges(store, at - policy.expungeRetentionMs);
    result.expunges += n;
  }
  for (let n = PAGE; n === PAGE; ) {
    n = (
      await store.run(
        `DELETE FROM mail_change WHERE id IN (SELECT id FROM mail_change WHERE created_at < ? AND kind <> 'expunge' ORDER BY created_at LIMIT ?)`,
        at - policy.changeRetentionMs,
        PAGE,
      )
    ).changes;
    result.changes += n;
  }
  // Thread records older than the expunge retention whose thread has no message left.
  for (let after = 0; ; ) {
    const page = await store.all<{ id: number; dead: number }>(
      `SELECT r.id, CASE WHEN EXISTS (SELECT 1 FROM mail m WHERE m.mail_account_id = r.mail_account_id AND m.thread_id = r.thread_id) THEN 0 ELSE 1 END AS dead
       FROM mail_thread_ref r WHERE r.created_at < ? AND r.id > ? ORDER BY r.id LIMIT ?`,
      at - policy.expungeRetentionMs,
      after,
      PAGE,
    );
    const dead = page.filter((r) => r.dead).map((r) => r.id);
    if (dead.length > 0) result.threadRefs += (await store.run(`DELETE FROM mail_thread_ref WHERE id IN ${store.dialect.intList}`, JSON.stringify(dead))).changes;
    if (page.length < PAGE) break;
    after = page[page.length - 1].id;
  }
  return result;
}

/** One batch of expunge rows older than `cutoff`: raises each mailbox's mark, then removes them. */
async function pruneExpunges(store: Store, cutoff: number): Promise<number> {
  return write(store, async (tx) => {
    const rows = await tx.all<{ id: number; mail_box_id: number; modseq: number }>(
      `SELECT id, mail_box_id, modseq FROM mail_change WHERE created_at < ? AND kind = 'expunge' ORDER BY created_at LIMIT ?`,
      cutoff,
      PAGE,
    );
    if (rows.length === 0) return 0;
    const highest = new Map<number, number>();
    for (const r of rows) highest.set(r.mail_box_id, Math.max(highest.get(r.mail_box_id) ?? 0, r.modseq));
    await lockMailboxes(tx, [...highest.keys()]);
    for (const [mailboxId, modseq] of highest) {
      await tx.run(`UPDATE mail_box SET pruned_expunge_modseq = ? WHERE id = ? AND pruned_expunge_modseq < ?`, modseq, mailboxId, modseq);
    }
    await tx.run(`DELETE FROM mail_change WHERE id IN ${tx.dialect.intList}`, JSON.stringify(rows.map((r) => r.id)));
    return rows.length;
  });
}
