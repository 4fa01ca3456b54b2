// THREAD=ORDEREDSUBJECT (RFC 5256 §4): messages sorted by base subject and
// then sent date; each run of one base subject is a thread whose first
// message is its top and whose other messages are that message's children
// (siblings of each other, in date order); the threads are ordered by the
// sent date of their first message. Messages without a subject form one
// thread of their own, as in Dovecot. Ties in dates go by sequence order.
import { compareOctets } from '../../schema/index.ts';
import type { ThreadMessage, ThreadNode } from './thread-tree.ts';

/** The threads of `messages` (in sequence order). */
export function threadByOrderedSubject(messages: readonly ThreadMessage[]): ThreadNode[] {
  const seq = new Map(messages.map((m, i) => [m, i]));
  const byDate = (a: ThreadMessage, b: ThreadMessage) => a.sentDate - b.sentDate || seq.get(a)! - seq.get(b)!;
  const sorted = [...messages].sort((a, b) => compareOctets(a.baseSubject, b.baseSubject) || byDate(a, b));
  const threads: Array<{ first: ThreadMessage; node: ThreadNode }> = [];
  let current: { first: ThreadMessage; node: ThreadNode } | null = null;
  for (const m of sorted) {
    if (current && current.first.baseSubject === m.baseSubject) current.node.children.push({ uid: m.uid, children: [] });
    else threads.push((current = { first: m, node: { uid: m.uid, children: [] } }));
  }
  threads.sort((a, b) => byDate(a.first, b.first));
  return threads.map((t) => t.node);
}
