// THREADID assignment at delivery (RFC 8474 §5.2): a message joins the thread of
// a message it replies to or is replied to by, within its account, going by
// Message-ID, In-Reply-To and References only (no subject matching). The
// mail_thread_ref table maps every Message-ID seen (a message's own and the ones
// it names) to a thread token, so the order of arrival does not matter: a reply
// that arrives before its parent records the parent's ID, and the parent then
// finds it. A thread token never changes once given (THREADID is immutable) and
// a message that finds none starts a new one. The RFC 5256 REFERENCES algorithm
// behind THREAD is separate and computed per mailbox.
import crypto from 'node:crypto';
import type { WriteContext } from './store.ts';

/** References kept per message: the nearest ones and the thread's root. */
const MAX_REFERENCES = 20;
const MAX_ID_LENGTH = 250;

/** The Message-IDs that place a message in a thread. */
export interface ThreadKeys {
  own: string | null;
  /** The IDs it refers to, nearest first: In-Reply-To, then References from the last. */
  parents: string[];
}

/** msg-ids in a header value, without their angle brackets, in order. */
export function messageIds(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(/<([^<>\s]+)>/g)) if (m[1].length <= MAX_ID_LENGTH) out.push(m[1]);
  return out;
}

export function threadKeys(headers: { messageId: string; inReplyTo: string; references: string }): ThreadKeys {
  const own = messageIds(headers.messageId)[0] ?? null;
  const references = messageIds(headers.references);
  const nearest = references.slice(-MAX_REFERENCES).reverse();
  if (references.length > MAX_REFERENCES) nearest.push(references[0]);
  const parents = [...new Set([...messageIds(headers.inReplyTo).slice(0, 1), ...nearest])].filter((id) => id !== own);
  return { own, parents };
}

/** A new thread token: 16 hex digits (messages stored before threads existed have "r<raw id>"). */
export function newThreadToken(): string {
  return crypto.randomBytes(8).toString('hex');
}

/**
 * The thread token for a message being delivered to `accountId`: the thread of
 * its nearest parent on record, else the thread that already names its own
 * Message-ID (a reply arrived first), else a new one. Records its IDs for the
 * messages that come later. Call inside the delivering write.
 *
 * The IDs are recorded first and looked up after, in one sorted statement. On
 * PostgreSQL an insert waits for another delivery's uncommitted row with the
 * same ID, so once it returns every delivery that named one of these IDs before
 * us has committed and is seen: two replies delivered at once cannot both miss
 * each other and start two threads. Sorted, so two deliveries sharing IDs wait
 * for each other in one order and never deadlock.
 */
export async function assignThread(tx: WriteContext, accountId: number, keys: ThreadKeys): Promise<string> {
  const ids = [...new Set(keys.own ? [...keys.parents, keys.own] : keys.parents)];
  if (ids.length === 0) return newThreadToken();
  const candidate = newThreadToken();
  const sorted = [...ids].sort();
  const t = Date.now();
  const inserted = new Set(
    await tx.column<string>(
      `INSERT INTO mail_thread_ref (mail_account_id, message_id, thread_id, created_at) VALUES ${sorted.map(() => '(?, ?, ?, ?)').join(', ')}
       ON CONFLICT DO NOTHING RETURNING message_id`,
      ...sorted.flatMap((id) => [accountId, id, candidate, t]),
    ),
  );
  const known = ids.filter((id) => !inserted.has(id));
  if (known.length === 0) return candidate;
  const threads = new Map(
    (
      await tx.all<{ message_id: string; thread_id: string }>(
        `SELECT message_id, thread_id FROM mail_thread_ref WHERE mail_account_id = ? AND message_id IN ${tx.dialect.textList}`,
        accountId,
        JSON.stringify(known),
      )
    ).map((r) => [r.message_id, r.thread_id]),
  );
  const thread = ids.map((id) => threads.get(id)).find((token) => token !== undefined) ?? candidate;
  // The IDs this delivery recorded first join the thread it found.
  if (thread !== candidate && inserted.size > 0) {
    await tx.run(
      `UPDATE mail_thread_ref SET thread_id = ? WHERE mail_account_id = ? AND message_id IN ${tx.dialect.textList}`,
      thread,
      accountId,
      JSON.stringify([...inserted]),
    );
  }
  return thread;
}
