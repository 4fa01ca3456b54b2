// THREAD=ORDEREDSUBJECT (RFC 5256 §4): messages sorted by base subject and
// then sent date; each run of one base subject is a thread whose first
// message is its top and whose other messages are that message's children
// (siblings of each other, in date order); the threads are ordered by the
// sent date of their first message. Messages without a subject form one
// thread of their own, as in Dovecot. Ties in dates go by sequence order.
// Since the threads' order depends only on dates, messages are grouped by
// subject (no string is ever compared for order).
import type { ThreadMessage, ThreadNode } from './thread-tree.ts';

/** Sent date, then sequence order, which is UID order (RFC 5256 §2.2). */
const byDate = (a: ThreadMessage, b: ThreadMessage) => a.sentDate - b.sentDate || a.uid - b.uid;

/** The threads of `messages` (in sequence order). */
export function threadByOrderedSubject(messages: readonly ThreadMessage[]): ThreadNode[] {
  const bySubject = new Map<string, ThreadMessage[]>();
  for (const m of messages) {
    const group = bySubject.get(m.baseSubject);
    if (group) group.push(m);
    else bySubject.set(m.baseSubject, [m]);
  }
  const threads = [...bySubject.values()].map((group) => group.sort(byDate));
  threads.sort((a, b) => byDate(a[0], b[0]));
  return threads.map(([first, ...rest]) => ({ uid: first.uid, children: rest.map((m) => ({ uid: m.uid, children: [] })) }));
}
