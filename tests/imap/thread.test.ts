// THREAD and UID THREAD (RFC 5256 §4): ORDEREDSUBJECT, REFERENCES and REFS
// (draft-ietf-morg-inthread). Raw transcripts with the RFC's own examples and
// mailboxes built for the edge cases (loops, missing parents, a message that
// references itself, duplicate Message-IDs, subject merging, equal dates),
// and the algorithms checked directly on large and random input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { threadResponse } from '../../imapd/render/number-lists.ts';
import { threadByOrderedSubject } from '../../imapd/thread/ordered-subject.ts';
import { MAX_ANCESTOR_WALK, threadByReferences } from '../../imapd/thread/references.ts';
import type { ThreadMessage, ThreadNode } from '../../imapd/thread/thread-tree.ts';
import { SORT_UIDS_INLINE } from '../../schema/index.ts';
import { DEADLINE, PASSWORD, untagged, useImap } from './fixture.ts';
import { withImaplibOnInbox } from './python-imaplib.ts';
import { day, expectAnswers, mail, type MailSpec } from './mail-spec.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

/** Hour `h` of 7 Feb 1994 as a Date: header. */
const at = (h: number, m = 0) => `Mon, 7 Feb 1994 ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00 +0000`;

/**
 * A new account whose INBOX holds these messages, delivered one by one (so
 * UID = sequence number), internal dates one day apart unless given; `tag`
 * sets the $T keyword. Returns a session with INBOX selected.
 */
async function mailbox(messages: Array<MailSpec & { internalDate?: number; tag?: boolean }>, select = 'EXAMINE') {
  const { user, id } = await imap().account();
  for (const [i, m] of messages.entries()) {
    const delivered = await imap().deliver(id, 'INBOX', mail(m), m.tag ? ['$T'] : [], m.internalDate ?? day(i + 1));
    assert.equal(delivered.uid, i + 1);
  }
  const c = await imap().login(user);
  assert.match(await c.command('s', `${select} INBOX`), /s OK/);
  return { c, user };
}

/** Every algorithm's answer to `THREAD <alg> UTF-8 <criteria>`. */
async function expectThreads(c: RawClient, criteria: string, answers: { orderedsubject?: string; references?: string; refs?: string }) {
  for (const [alg, answer] of Object.entries(answers)) await expectAnswers(c, [[`THREAD ${alg.toUpperCase()} UTF-8 ${criteria}`, `* THREAD ${answer}`.trimEnd()]]);
}

describe('THREAD', () => {
  test('is advertised for the three algorithms', DEADLINE, async () => {
    const { c } = await mailbox([]);
    const caps = untagged(await c.command('c', 'CAPABILITY'))[0].split(' ');
    for (const cap of ['THREAD=ORDEREDSUBJECT', 'THREAD=REFERENCES', 'THREAD=REFS']) assert.ok(caps.includes(cap), cap);
    await expectThreads(c, 'ALL', { orderedsubject: '', references: '', refs: '' });
  });

  test('RFC 5256 §4: (2)(3 6 (4 23)(44 7 96)), threads of a mailbox where later messages are parents of earlier ones', DEADLINE, async () => {
    // 96 messages; these 8 (the rest untagged) make the RFC's example tree.
    const tree: Record<number, MailSpec> = {
      2: { messageId: '<t2@x>', subject: 'first', date: at(1) },
      3: { messageId: '<t3@x>', subject: 'second', date: at(2) },
      6: { messageId: '<t6@x>', subject: 'Re: second', date: at(3), references: '<t3@x>' },
      4: { messageId: '<t4@x>', subject: 'Re: second', date: at(4), references: '<t3@x> <t6@x>' },
      23: { messageId: '<t23@x>', subject: 'Re: second', date: at(5), references: '<t3@x> <t6@x> <t4@x>' },
      44: { messageId: '<t44@x>', subject: 'Re: second', date: at(6), references: '<t3@x> <t6@x>' },
      7: { messageId: '<t7@x>', subject: 'Re: second', date: at(7), inReplyTo: '<t44@x>' },
      96: { messageId: '<t96@x>', subject: 'Re: second', date: at(8), references: '<t3@x> <t6@x> <t44@x> <t7@x>' },
    };
    const { c } = await mailbox(Array.from({ length: 96 }, (_, i) => (tree[i + 1] ? { ...tree[i + 1], tag: true } : { subject: 'other', references: '<t3@x>' })));
    await expectThreads(c, 'KEYWORD $T', {
      references: '(2)(3 6 (4 23)(44 7 96))',
      refs: '(2)(3 6 (4 23)(44 7 96))',
      orderedsubject: '(2)(3 (6)(4)(23)(44)(7)(96))',
    });
    // A thread of one message, and UID THREAD (UIDs are sequence numbers here).
    await expectAnswers(c, [
      ['THREAD REFERENCES UTF-8 UID 4', '* THREAD (4)'],
      ['UID THREAD REFERENCES UTF-8 KEYWORD $T NOT UID 6', '* THREAD (2)(3 (4 23)(44 7 96))'],
    ]);
  });

  test('RFC 5256 §4: ((3)(5)), a missing parent is a dummy shown only by its children', DEADLINE, async () => {
    const { c } = await mailbox([
      { subject: 'x' },
      { subject: 'y' },
      { subject: 'Re: topic', references: '<lost@x>', tag: true, date: at(1) },
      { subject: 'z' },
      { subject: 'Re: topic', inReplyTo: '<lost@x>', tag: true, date: at(2) },
    ]);
    await expectThreads(c, 'KEYWORD $T', { references: '((3)(5))', refs: '((3)(5))', orderedsubject: '(3 5)' });
    // With one child left, the child stands in the dummy's place.
    await expectThreads(c, 'UID 5', { references: '(5)', refs: '(5)', orderedsubject: '(5)' });
  });

  test('References loops, a message that references itself, and duplicate Message-IDs make no cycles', DEADLINE, async () => {
    const { c } = await mailbox([
      { messageId: '<a@x>', references: '<b@x>', subject: 'loop a', date: at(2) }, //          1: a's parent is b
      { messageId: '<b@x>', references: '<a@x>', subject: 'loop b', date: at(1) }, //          2: b → a would close a loop: not made
      { messageId: '<self@x>', references: '<p@x> <self@x>', subject: 'self', date: at(3) }, // 3: its own parent: ignored
      { messageId: '<d@x>', subject: 'dup one', date: at(4) }, //                              4: first <d@x>
      { messageId: '<d@x>', subject: 'dup two', date: at(5) }, //                              5: same ID: a new one for it
      { messageId: '<e@x>', references: '<d@x>', subject: 'child of d', date: at(6) }, //       6: under 4, not 5
      { messageId: '<f@x>', references: '<g@x> <h@x> <g@x>', subject: 'ref loop', date: at(7) }, // 7: g → h, then h → g refused
      { messageId: '<g@x>', subject: 'g', date: at(8) }, //                                     8
      { messageId: '<h@x>', subject: 'h', date: at(9) }, //                                     9: no references: a top message
    ]);
    // 9 has no references: it leaves the parent 7's References gave it (step 1B).
    await expectThreads(c, 'ALL', {
      references: '(2 1)(3)(4 6)(5)(8 7)(9)',
      refs: '(2 1)(3)(5)(4 6)(8 7)(9)',
    });
  });

  test('the last reference is the parent even against an earlier message\'s References (step 1B); In-Reply-To when References has no ID', DEADLINE, async () => {
    const { c } = await mailbox([
      { messageId: '<a1@x>', subject: 'one', date: at(1) }, //                                         1
      { messageId: '<c1@x>', references: '<a1@x> <b1@x>', subject: 'Re: two', date: at(3) }, //        2: makes a1 → b1 → c1
      { messageId: '<b1@x>', references: '<r1@x>', subject: 'two', date: at(2) }, //                   3: b1 says r1 is its parent
      { messageId: '<i1@x>', references: 'not an id', inReplyTo: '<b1@x> <a1@x>', subject: 'Re: two', date: at(4) }, // 4: under b1
      { messageId: null, inReplyTo: 'garbage', subject: 'no id', date: at(3, 30) }, //                  5
    ]);
    await expectThreads(c, 'ALL', {
      references: '(1)(3 (2)(4))(5)',
      refs: '(1)(5)(3 (2)(4))',
      orderedsubject: '(1)(3 (2)(4))(5)',
    });
  });

  test('REFERENCES gathers threads by base subject (step 5); REFS does not, and orders threads by their newest message', DEADLINE, async () => {
    const { c } = await mailbox([
      { subject: 'Hello', date: at(1) }, //                                    1
      { subject: 'Re: hello', date: at(2) }, //                                2: a reply: under 1
      { subject: 'Lunch', date: at(3) }, //                                    3
      { subject: 'lunch', date: at(4) }, //                                    4: neither a reply: both under a new dummy
      { subject: 'Re: Plans', references: '<x@x>', date: at(5) }, //           5  } a dummy with two messages
      { subject: 'Re: plans', references: '<x@x>', date: at(7) }, //           6  }
      { subject: 'Re: [team] plans', references: '<y@x>', date: at(6) }, //    7  } another dummy, same subject: merged
      { subject: 'Fwd: Plans', references: '<y@x>', date: at(8) }, //          8  }
      { subject: 'plans', date: at(9) }, //                                    9: joins the dummy
      { subject: '', date: at(10) }, //                                        10: an empty subject gathers nothing
      { subject: null, date: at(11) }, //                                      11
      { subject: 'Re: hello', date: at(12), references: '<elsewhere@x>' }, //  12: under 1 too
    ]);
    await expectThreads(c, 'ALL', {
      references: '(1 (2)(12))((3)(4))((5)(7)(6)(8)(9))(10)(11)',
      refs: '(1)(2)(3)(4)((5)(6))((7)(8))(9)(10)(11)(12)',
      orderedsubject: '(1 (2)(12))(3 4)(5 (7)(6)(8)(9))(10 11)',
    });
  });

  test('siblings and threads in sent-date order, the internal date standing in for a missing Date:, ties in sequence order', DEADLINE, async () => {
    const { c } = await mailbox([
      { messageId: '<p@x>', subject: 'p', date: at(5) }, //                             1
      { references: '<p@x>', subject: 'Re: p', date: at(9) }, //                        2
      { references: '<p@x>', subject: 'Re: p', date: null, internalDate: Date.UTC(1994, 1, 7, 7) }, // 3: 07:00 by its internal date
      { references: '<p@x>', subject: 'Re: p', date: at(9) }, //                        4: ties with 2
      { references: '<p@x>', subject: 'Re: p', date: 'Mon, 7 Feb 1994 08:00:00 -0200' }, // 5: 10:00Z
      { subject: 'q', date: at(5) }, //                                                 6: ties with 1
      { subject: 'r', date: 'garbage', internalDate: Date.UTC(1994, 1, 7, 4) }, //      7: 04:00
    ]);
    await expectThreads(c, 'ALL', {
      references: '(7)(1 (3)(2)(4)(5))(6)',
      refs: '(7)(6)(1 (3)(2)(4)(5))',
      orderedsubject: '(7)(1 (3)(2)(4)(5))(6)',
    });
  });

  test('UID THREAD answers UIDs; no EXPUNGE during THREAD (RFC 3501 §7.4.1), UID THREAD may; errors', DEADLINE, async () => {
    const { c, user } = await mailbox(
      [
        { messageId: '<a@x>', subject: 'a', date: at(1) },
        { messageId: '<gone@x>', subject: 'gone', date: at(2) },
        { references: '<a@x>', subject: 'Re: a', date: at(3) },
      ],
      'SELECT',
    );
    const other = await imap().login(user);
    await other.command('o1', 'SELECT INBOX');
    await other.command('o2', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
    await other.command('o3', 'EXPUNGE');
    const threaded = await c.command('t', 'THREAD REFERENCES UTF-8 ALL');
    assert.deepEqual(untagged(threaded), ['* THREAD (1 3)']);
    assert.deepEqual(untagged(await c.command('u', 'UID THREAD REFERENCES UTF-8 ALL')), ['* THREAD (1 3)', '* 2 EXPUNGE']);
    await expectAnswers(c, [
      ['THREAD REFERENCES UTF-8 ALL', '* THREAD (1 2)'],
      ['UID THREAD REFERENCES UTF-8 ALL', '* THREAD (1 3)'],
      ['UID THREAD REFS US-ASCII ALL', '* THREAD (1 3)'],
      ['uid thread orderedsubject "utf-8" all', '* THREAD (1 3)'],
    ]);
    assert.match(await c.command('n', 'THREAD REFERENCES ISO-8859-1 ALL'), /^n NO \[BADCHARSET \(UTF-8 US-ASCII\)\] /m);
    for (const bad of ['THREAD', 'THREAD REFERENCES', 'THREAD REFERENCES UTF-8', 'THREAD JWZ UTF-8 ALL', 'THREAD (REFERENCES) UTF-8 ALL', 'THREAD REFERENCES UTF-8 BOGUS']) {
      assert.match(await c.command('b', bad), /^b BAD /m, bad);
    }
    await c.command('x', 'UNSELECT');
    assert.match(await c.command('y', 'THREAD REFERENCES UTF-8 ALL'), /^y BAD /m);
  });

  test("Python's imaplib threads: THREAD and UID THREAD through its own commands", DEADLINE, async () => {
    const { user } = await mailbox([
      { messageId: '<r@x>', subject: 'root', date: at(1) },
      { references: '<r@x>', subject: 'Re: root', date: at(3) },
      { references: '<r@x>', subject: 'Re: root', date: at(2) },
      { subject: 'alone', date: at(4) },
    ]);
    const result = await withImaplibOnInbox(
      imap().heron.ports.imaps,
      user,
      PASSWORD,
      `return {
  'caps': sorted(c for c in m.capabilities if c.startswith('THREAD')),
  'references': text(m.thread('REFERENCES', 'UTF-8', 'ALL')[1]),
  'refs': text(m.uid('THREAD', 'REFS', 'UTF-8', 'ALL')[1]),
  'orderedsubject': text(m.thread('ORDEREDSUBJECT', 'US-ASCII', 'NOT', 'SUBJECT', 'alone')[1]),
}`,
    );
    assert.deepEqual(result, {
      caps: ['THREAD=ORDEREDSUBJECT', 'THREAD=REFERENCES', 'THREAD=REFS'],
      references: ['(1 (3)(2))(4)'],
      refs: ['(1 (3)(2))(4)'],
      orderedsubject: ['(1 (3)(2))'],
    });
  });

  test('a mailbox larger than what the store reads by UID list', DEADLINE, async () => {
    // Chains of ten, each message's References naming every one before it in its chain;
    // message j of chain k is dated (1 + j):k.
    const count = SORT_UIDS_INLINE + 10;
    const { user, id } = await imap().account();
    const chainOf = (n: number) => Math.floor((n - 1) / 10);
    const placeOf = (n: number) => (n - 1) % 10;
    const spec = (n: number): MailSpec => ({
      messageId: `<n${n}@x>`,
      subject: `chain ${chainOf(n)}`,
      references: placeOf(n) === 0 ? null : Array.from({ length: placeOf(n) }, (_, j) => `<n${n - placeOf(n) + j}@x>`).join(' '),
      date: at(1 + placeOf(n), chainOf(n) % 60),
    });
    // Deliveries in parallel may take UIDs in any order: remember which n each UID got.
    const nOf = new Map<number, number>();
    for (let from = 1; from <= count; from += 250) {
      const batch = Array.from({ length: Math.min(250, count + 1 - from) }, (_, i) => from + i);
      const delivered = await Promise.all(batch.map((n) => imap().deliver(id, 'INBOX', mail(spec(n)))));
      delivered.forEach((m, i) => nOf.set(m.uid, batch[i]));
    }
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    /** The expected threads of the messages with these UIDs: each chain's messages in chain order, threads by their first one's date. */
    const expected = (uids: number[]) => {
      const chains = new Map<number, number[]>();
      for (const uid of uids) chains.set(chainOf(nOf.get(uid)!), [...(chains.get(chainOf(nOf.get(uid)!)) ?? []), uid]);
      const threads = [...chains.values()].map((t) => t.sort((a, b) => nOf.get(a)! - nOf.get(b)!));
      const date = (uid: number) => (1 + placeOf(nOf.get(uid)!)) * 60 + (chainOf(nOf.get(uid)!) % 60);
      threads.sort((a, b) => date(a[0]) - date(b[0]) || a[0] - b[0]);
      return `* THREAD ${threads.map((t) => `(${t.join(' ')})`).join('')}`;
    };
    const all = [...nOf.keys()];
    await expectAnswers(c, [
      ['UID THREAD REFERENCES UTF-8 ALL', expected(all)],
      ['UID THREAD REFERENCES UTF-8 UID 1:20', expected(all.filter((uid) => uid <= 20))],
    ]);
  });
});

// ---------------------------------------------------------------- the algorithms themselves

const msg = (uid: number, messageId: string, references: string[] = [], sentDate = uid, baseSubject = `S${uid}`, replyOrForward = false): ThreadMessage => ({
  uid,
  messageId,
  references,
  sentDate,
  baseSubject,
  replyOrForward,
});

const render = (threads: ThreadNode[]) => [...threadResponse(threads, (uid) => uid)].join('');

describe('threading algorithms', () => {
  test('a chain of 50,000 replies and a thread of 50,000 siblings: no recursion, no stack overflow', () => {
    const n = 50_000;
    const chain = Array.from({ length: n }, (_, i) => msg(i + 1, `c${i + 1}`, i === 0 ? [] : [`c${i}`]));
    for (const alg of ['references', 'refs'] as const) {
      const out = render(threadByReferences(chain, alg));
      assert.equal(out, `* THREAD (${Array.from({ length: n }, (_, i) => i + 1).join(' ')})`);
    }
    const wide = Array.from({ length: n }, (_, i) => msg(i + 1, `w${i + 1}`, i === 0 ? [] : ['w1']));
    const out = render(threadByReferences(wide, 'references'));
    assert.ok(out.startsWith('* THREAD (1 (2)(3)(4)'));
    assert.ok(out.endsWith(`(${n}))`));
    // The same chain arriving newest first: every parent is found late.
    const reversed = [...chain].reverse().map((m, i) => ({ ...m, uid: i + 1 }));
    assert.equal(render(threadByReferences(reversed, 'references')), `* THREAD (${Array.from({ length: n }, (_, i) => n - i).join(' ')})`);
  });

  test(`a loop check walks at most ${MAX_ANCESTOR_WALK} ancestors`, () => {
    // A chain deeper than the bound, then a message that names an unparented
    // node with children under the chain's deepest message: that link is not made.
    const depth = MAX_ANCESTOR_WALK + 5;
    const messages = Array.from({ length: depth }, (_, i) => msg(i + 1, `d${i + 1}`, i === 0 ? [] : [`d${i}`]));
    messages.push(msg(depth + 1, 'kid', ['orphan'])); // orphan (a dummy) gets a child
    messages.push(msg(depth + 2, 'late', [`d${depth}`, 'orphan'])); // d<depth> → orphan: the walk is too long
    const threads = threadByReferences(messages, 'references');
    const out = render(threads);
    assert.ok(out.includes(`(${depth + 1})`), 'kid stays apart');
    // Shallow, the same link is made.
    const shallow = [msg(1, 'd1'), msg(2, 'kid', ['orphan']), msg(3, 'late', ['d1', 'orphan'])];
    assert.equal(render(threadByReferences(shallow, 'references')), '* THREAD (1 (2)(3))');
  });

  test('any input: every message once, dummies only at the top with two or more children, siblings in date order', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', ''];
    const message = fc.record({
      messageId: fc.constantFrom(...ids),
      references: fc.array(fc.constantFrom(...ids.slice(0, 6), 'x', 'y'), { maxLength: 4 }),
      sentDate: fc.integer({ min: 0, max: 5 }),
      baseSubject: fc.constantFrom('', 'S', 'T'),
      replyOrForward: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 14 }), fc.constantFrom('references', 'refs', 'orderedsubject'), (specs, alg) => {
        const messages = specs.map((s, i) => ({ ...s, uid: i + 1 }));
        const threads = alg === 'orderedsubject' ? threadByOrderedSubject(messages) : threadByReferences(messages, alg as 'references' | 'refs');
        const seen: number[] = [];
        const key = (node: ThreadNode): [number, number] => {
          const m = messages[(node.uid ?? node.children[0].uid!) - 1];
          return [m.sentDate, m.uid];
        };
        const ordered = (nodes: readonly ThreadNode[]) => {
          for (let i = 1; i < nodes.length; i++) {
            const [d1, u1] = key(nodes[i - 1]);
            const [d2, u2] = key(nodes[i]);
            assert.ok(d1 < d2 || (d1 === d2 && u1 < u2), 'siblings in date order');
          }
        };
        const stack = threads.map((t) => ({ node: t, top: true }));
        while (stack.length > 0) {
          const { node, top } = stack.pop()!;
          if (node.uid === null) {
            assert.ok(top, 'a dummy only at the top');
            assert.ok(node.children.length >= 2, 'a dummy has two or more children');
          } else seen.push(node.uid);
          ordered(node.children);
          for (const child of node.children) stack.push({ node: child, top: false });
        }
        assert.deepEqual(seen.sort((a, b) => a - b), messages.map((m) => m.uid));
        if (alg !== 'refs') ordered(threads);
      }),
      { numRuns: 3000 },
    );
  });

  test('the answer is handed to the writer in pieces', () => {
    const n = 20_000;
    const threads = threadByReferences(
      Array.from({ length: n }, (_, i) => msg(i + 1, `p${i + 1}`, i % 2 === 0 ? [] : [`p${i}`])),
      'refs',
    );
    const pieces = [...threadResponse(threads, (uid) => uid + 100_000)];
    assert.ok(pieces.length > 3);
    assert.ok(pieces.every((p) => p.length < 17 * 1024));
    assert.ok(pieces.join('').startsWith('* THREAD (100001 100002)(100003 100004)'));
    assert.deepEqual([...threadResponse([], (uid) => uid)], ['* THREAD']);
  });
});
