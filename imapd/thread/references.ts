// THREAD=REFERENCES (RFC 5256 §4) and THREAD=REFS (draft-ietf-morg-inthread):
// messages are linked by their References (or In-Reply-To), missing parents
// become dummies, dummies are pruned, and siblings are sorted by sent date.
// REFERENCES then gathers top-level threads with the same base subject;
// REFS does not, and orders the threads by their newest message instead of
// their first one. `messages` come in sequence order, which is UID order;
// it breaks ties between equal dates (RFC 5256 §2.2). No step recurses, so a
// thread of any depth is fine.
import type { ThreadMessage, ThreadNode } from './thread-tree.ts';

/**
 * A loop check (RFC 5256 §4 step 1A) walks at most this many ancestors; a
 * longer walk counts as a loop and the link is not made. Checks are needed
 * only for a message that already has children, and real threads are far
 * shallower, but a mailbox built to make every check long would otherwise
 * cost time in the square of its size.
 */
export const MAX_ANCESTOR_WALK = 1000;

/** A message, or a dummy for a Message-ID no message has; also the ThreadNode the algorithm returns. */
interface Container extends ThreadNode {
  message: ThreadMessage | null;
  parent: Container | null;
  childCount: number;
  /** The messages under this one once dummies are pruned (steps 2-3); LEAF until it has one. */
  children: Container[];
  /** For a dummy: its nearest real ancestor, else the top of its tree (memoized). */
  anchor: Container | null;
}

/** The children of every container that has none (never written to). */
const LEAF: Container[] = [];

const container = (): Container => ({ uid: null, message: null, parent: null, childCount: 0, children: LEAF, anchor: null });

const adopt = (parent: Container, child: Container): void => {
  if (parent.children === LEAF) parent.children = [];
  parent.children.push(child);
};

/** Sent date, then sequence order, which is UID order (RFC 5256 §2.2); for two real messages. */
const byDate = (a: Container, b: Container): number => a.message!.sentDate - b.message!.sentDate || a.uid! - b.uid!;

/** What a top-level entry sorts and is named by: itself, or a dummy's first child (steps 4 and 5). */
const representative = (c: Container): Container => (c.message ? c : c.children[0]);

const byRepresentative = (a: Container, b: Container): number => byDate(representative(a), representative(b));

/** Step 1: parent/child links from every message's references. */
function link(messages: readonly ThreadMessage[]): Container[] {
  const all: Container[] = [];
  const byId = new Map<string, Container>();
  const make = (): Container => {
    const c = container();
    all.push(c);
    return c;
  };
  const named = (id: string): Container => {
    let c = byId.get(id);
    if (!c) byId.set(id, (c = make()));
    return c;
  };
  /** Whether making `parent` the parent of `child` would close a loop. */
  const wouldLoop = (parent: Container, child: Container): boolean => {
    if (parent === child) return true;
    if (child.childCount === 0) return false; // a leaf is nobody's ancestor
    let steps = 0;
    for (let p = parent.parent; p; p = p.parent) if (p === child || ++steps > MAX_ANCESTOR_WALK) return true;
    return false;
  };
  const attach = (parent: Container, child: Container): void => {
    child.parent = parent;
    parent.childCount++;
  };
  for (const message of messages) {
    // A message without a valid Message ID, or with one an earlier message has, gets a unique one.
    let node = message.messageId ? byId.get(message.messageId) : undefined;
    if (!message.messageId || node?.message) node = make();
    else if (!node) byId.set(message.messageId, (node = make()));
    node.message = message;
    node.uid = message.uid;
    // (A) Each reference is the parent of the next, unless that one has a parent already or a loop would close.
    let last: Container | null = null;
    for (const id of message.references) {
      const c = named(id);
      if (last && !c.parent && !wouldLoop(last, c)) attach(last, c);
      last = c;
    }
    // (B) The last reference is the message's parent, replacing any other (a truncated References made it).
    if (node.parent && node.parent !== last) {
      node.parent.childCount--;
      node.parent = null;
    }
    if (last && !node.parent && !wouldLoop(last, node)) attach(last, node);
  }
  return all;
}

/** Steps 2 and 3: the top-level entries, dummies pruned (their messages move up to the nearest message, or stay under one top dummy). */
function prune(all: Container[]): Container[] {
  const anchorOf = (dummy: Container): Container => {
    const path: Container[] = [];
    let found: Container;
    for (let c = dummy; ; c = c.parent!) {
      if (c.anchor) {
        found = c.anchor;
        break;
      }
      path.push(c);
      if (!c.parent) {
        found = c;
        break;
      }
      if (c.parent.message) {
        found = c.parent;
        break;
      }
    }
    for (const c of path) c.anchor = found;
    return found;
  };
  const roots: Container[] = [];
  for (const c of all) {
    if (!c.parent) roots.push(c);
    else if (c.message) adopt(c.parent.message ? c.parent : anchorOf(c.parent), c);
  }
  // A dummy at the top with no messages goes; with one, that message takes its place.
  const top: Container[] = [];
  for (const r of roots) {
    if (r.message || r.children.length > 1) top.push(r);
    else if (r.children.length === 1) top.push(r.children[0]);
  }
  for (const c of all) if (c.children.length > 1) c.children.sort(byDate);
  return top;
}

/** Step 5: top-level threads with the same base subject are gathered (REFERENCES only). */
function gatherSubjects(top: Container[]): Container[] {
  const subjectOf = (c: Container) => representative(c).message!.baseSubject;
  const isReply = (c: Container) => representative(c).message!.replyOrForward;
  // (B) The subject table: a dummy wins over a message, a message over a reply or forward.
  const table = new Map<string, Container>();
  for (const c of top) {
    const subject = subjectOf(c);
    if (subject === '') continue;
    const held = table.get(subject);
    if (!held || (held.message && (!c.message || (isReply(held) && !isReply(c))))) table.set(subject, c);
  }
  // (C) Every other thread with that subject joins the one in the table.
  const gone = new Set<Container>();
  const added: Container[] = [];
  const changed = new Set<Container>();
  for (const c of top) {
    if (gone.has(c)) continue; // already under a dummy made below
    const subject = subjectOf(c);
    if (subject === '') continue;
    const held = table.get(subject)!;
    if (held === c) continue;
    gone.add(c);
    if (!held.message && !c.message) {
      held.children.push(...c.children);
      changed.add(held);
    } else if (!held.message || (isReply(c) && !isReply(held))) {
      adopt(held, c);
      changed.add(held);
    } else {
      const dummy = container();
      dummy.children = [held, c];
      changed.add(dummy);
      gone.add(held);
      added.push(dummy);
      table.set(subject, dummy);
    }
  }
  for (const c of changed) c.children.sort(byDate);
  return [...top.filter((c) => !gone.has(c)), ...added];
}

/** The newest message of each thread (REFS orders threads by it), by date then sequence order. */
function newestOf(thread: Container): Container {
  let newest = representative(thread);
  const stack = [thread];
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (c.message && byDate(c, newest) > 0) newest = c;
    for (const child of c.children) stack.push(child);
  }
  return newest;
}

/** The threads of `messages` (in sequence order) by RFC 5256 REFERENCES or by REFS. */
export function threadByReferences(messages: readonly ThreadMessage[], algorithm: 'references' | 'refs'): ThreadNode[] {
  let top = prune(link(messages));
  if (algorithm === 'references') {
    top.sort(byRepresentative); // (4)
    top = gatherSubjects(top); // (5)
    top.sort(byRepresentative); // (6) at the top level; every set of siblings is sorted already
  } else {
    const newest = new Map(top.map((c) => [c, newestOf(c)]));
    top.sort((a, b) => byDate(newest.get(a)!, newest.get(b)!));
  }
  return top;
}
