// SORT and UID SORT (RFC 5256 §3) with DISPLAYFROM/DISPLAYTO (RFC 5957):
// raw transcripts over mailboxes built for each sort key's edge cases, the
// RFC's own examples, the errors, and the keys of messages stored before
// Heron computed them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backfillSortKeys, finishSortKeysBackfill, findMailbox, SORT_UIDS_INLINE, sortKeysPending } from '../../schema/index.ts';
import { sortResponse } from '../../imapd/render/number-lists.ts';
import { DEADLINE, PASSWORD, untagged, useImap } from './fixture.ts';
import { withImaplibOnInbox } from './python-imaplib.ts';
import { day, expectAnswers, mail } from './mail-spec.ts';

const imap = useImap();

/** A new account whose INBOX holds these messages (internal dates given or one day apart), and a session on it. */
async function mailbox(messages: Array<{ raw: string; internalDate?: number; flags?: string[] }>, select = 'EXAMINE') {
  const { user, id } = await imap().account();
  for (const [i, m] of messages.entries()) await imap().deliver(id, 'INBOX', m.raw, m.flags ?? [], m.internalDate ?? day(i + 1));
  const c = await imap().login(user);
  assert.match(await c.command('s', `${select} INBOX`), /s OK/);
  return { c, accountId: id, user };
}

const utf8Literal = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return `{${bytes.length}+}\r\n${bytes.toString('latin1')}`;
};

describe('SORT', () => {
  test('is advertised with SORT=DISPLAY', DEADLINE, async () => {
    const { c } = await mailbox([]);
    const caps = untagged(await c.command('c', 'CAPABILITY'))[0];
    for (const cap of ['SORT', 'SORT=DISPLAY']) assert.ok(caps.split(' ').includes(cap), caps);
  });

  test('RFC 5256 §3 examples', DEADLINE, async () => {
    // A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994 → * SORT 2 84 882
    const { user, id } = await imap().account();
    const filler = async (count: number) => {
      for (let done = 0; done < count; done += 100) {
        const n = Math.min(100, count - done);
        await Promise.all(Array.from({ length: n }, () => imap().deliver(id, 'INBOX', mail({ subject: 'zz old' }), [], Date.UTC(1990, 0, 1))));
      }
    };
    const recent = async (subject: string) => (await imap().deliver(id, 'INBOX', mail({ subject }), [], Date.UTC(1994, 1, 7))).uid;
    await filler(1);
    assert.equal(await recent('Alpha'), 2);
    await filler(81);
    assert.equal(await recent('Re: beta'), 84);
    await filler(797);
    assert.equal(await recent('gamma'), 882);
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    await expectAnswers(c, [['SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994', '* SORT 2 84 882']]);

    // B283 UID SORT (SUBJECT REVERSE DATE) UTF-8 ALL → * SORT 5 3 4 1 2
    const d = (h: number) => `Mon, 7 Feb 1994 ${String(h).padStart(2, '0')}:00:00 +0000`;
    const { c: c2 } = await mailbox([
      { raw: mail({ subject: 'c', date: d(12) }) },
      { raw: mail({ subject: 'Re: c', date: d(11) }) },
      { raw: mail({ subject: 'b', date: d(10) }) },
      { raw: mail({ subject: 'B', date: d(9) }) },
      { raw: mail({ subject: 'a', date: d(8) }) },
    ]);
    await expectAnswers(c2, [
      ['UID SORT (SUBJECT REVERSE DATE) UTF-8 ALL', '* SORT 5 3 4 1 2'],
      // C284 SORT (SUBJECT) US-ASCII TEXT "not in mailbox" → * SORT
      ['SORT (SUBJECT) US-ASCII TEXT "not in mailbox"', '* SORT'],
    ]);
  });

  test('ARRIVAL and DATE: the sent date in UTC, else the internal date; equal keys in sequence order, REVERSE or not', DEADLINE, async () => {
    const at = (d: number) => Date.UTC(2024, 0, d);
    const { c } = await mailbox([
      { raw: mail({ date: 'Mon, 1 Jan 2024 10:00:00 +0000' }), internalDate: at(5) }, // sent Jan 1 10:00Z
      { raw: mail({ date: null }), internalDate: at(3) }, //                            no Date: Jan 3 00:00Z
      { raw: mail({ date: 'Mon, 1 Jan 2024 12:00:00 +0200' }), internalDate: at(4) }, // Jan 1 10:00Z, as 1
      { raw: mail({ date: 'not a date' }), internalDate: at(1) }, //                    unparseable: Jan 1 00:00Z
      { raw: mail({ date: 'Tue, 2 Jan 2024 00:00:00 -1200 (NZ, far east)' }), internalDate: at(2) }, // Jan 2 12:00Z
      { raw: mail({ date: 'foo 3' }), internalDate: at(6) }, //                         not a date either: Jan 6
    ]);
    await expectAnswers(c, [
      ['SORT (ARRIVAL) UTF-8 ALL', '* SORT 4 5 2 3 1 6'],
      ['SORT (REVERSE ARRIVAL) UTF-8 ALL', '* SORT 6 1 3 2 5 4'],
      ['SORT (DATE) UTF-8 ALL', '* SORT 4 1 3 5 2 6'],
      ['SORT (REVERSE DATE) UTF-8 ALL', '* SORT 6 2 5 1 3 4'],
      ['SORT (DATE ARRIVAL) UTF-8 ALL', '* SORT 4 3 1 5 2 6'],
      ['SORT (DATE REVERSE ARRIVAL) UTF-8 ALL', '* SORT 4 1 3 5 2 6'],
    ]);
  });

  test('SIZE: RFC822.SIZE, ties in sequence order', DEADLINE, async () => {
    const { c } = await mailbox([
      { raw: mail({ messageId: '<s1@x>', body: 'x'.repeat(300) }) },
      { raw: mail({ messageId: '<s2@x>', body: 'x'.repeat(100) }) },
      { raw: mail({ messageId: '<s3@x>', body: 'x'.repeat(300) }) },
      { raw: mail({ messageId: '<s4@x>', body: 'x'.repeat(200) }) },
    ]);
    await expectAnswers(c, [
      ['SORT (SIZE) UTF-8 ALL', '* SORT 2 4 1 3'],
      ['SORT (REVERSE SIZE) UTF-8 ALL', '* SORT 1 3 4 2'],
      ['SORT (REVERSE SIZE REVERSE ARRIVAL) UTF-8 ALL', '* SORT 3 1 4 2'],
    ]);
  });

  test('SUBJECT: the base subject, compared by i;unicode-casemap', DEADLINE, async () => {
    const d = (h: number) => `Mon, 7 Feb 1994 ${String(h).padStart(2, '0')}:00:00 +0000`;
    const { c } = await mailbox([
      { raw: mail({ subject: 'Re: [list] Fwd: banana', date: d(5) }) }, //   1 BANANA
      { raw: mail({ subject: 'apple', date: d(1) }) }, //                     2 APPLE
      { raw: mail({ subject: '=?utf-8?q?=C3=84pfel?=', date: d(2) }) }, //   3 ÄPFEL (A + U+0308: after APPLE)
      { raw: mail({ subject: 'Banana (fwd)', date: d(3) }) }, //             4 BANANA
      { raw: mail({ subject: '[fwd: Cherry]', date: d(4) }) }, //            5 CHERRY
      { raw: mail({ subject: null, date: d(6) }) }, //                       6 (none)
      { raw: mail({ subject: 'Fw: APPLE', date: d(7) }) }, //                7 APPLE
      { raw: mail({ subject: '[list]', date: d(8) }) }, //                   8 [LIST]: "[" sorts after letters
      { raw: mail({ subject: ' \t ', date: d(9) }) }, //                     9 (empty)
      { raw: mail({ subject: 'apple\r\n (fwd)', date: d(0) }) }, //          10 APPLE, folded
    ]);
    await expectAnswers(c, [
      ['SORT (SUBJECT) UTF-8 ALL', '* SORT 6 9 2 7 10 3 1 4 5 8'],
      ['SORT (REVERSE SUBJECT) UTF-8 ALL', '* SORT 8 5 1 4 3 2 7 10 6 9'],
      ['SORT (SUBJECT DATE) UTF-8 ALL', '* SORT 6 9 10 2 7 3 4 1 5 8'],
      ['SORT (SUBJECT REVERSE DATE) UTF-8 ALL', '* SORT 9 6 7 2 10 3 1 4 5 8'],
      [`SORT (SUBJECT) UTF-8 SUBJECT ${utf8Literal('äpfel')}`, '* SORT 3'],
    ]);
  });

  test('FROM, TO, CC: the first address\'s local part; DISPLAYFROM, DISPLAYTO: its display name, else its address', DEADLINE, async () => {
    const { c } = await mailbox([
      { raw: mail({ from: 'Zed Zulu <alpha@example.org>', to: 'b@x.test, a@x.test', cc: 'c@x.test' }) },
      { raw: mail({ from: 'beta@example.org', to: '"Alice" <zed@x.test>', cc: 'list: x@y.test, w@y.test;' }) },
      { raw: mail({ from: '=?utf-8?q?=C3=89mile?= <charlie@example.org>', to: null, cc: 'A@x.test' }) },
      { raw: mail({ from: '"" <Alpha@Example.org>', to: '<carol@x.test>' }) },
      { raw: mail({ from: null, to: 'Bob <bob@x.test>' }) },
      { raw: mail({ from: 'undisclosed-recipients:;', to: '=?utf-8?q?Zo=C3=AB?= <a@x.test>' }) },
    ]);
    await expectAnswers(c, [
      // Local parts: "" < ALPHA (1, 4: equal whatever the case) < BETA < CHARLIE < the group's name.
      ['SORT (FROM) UTF-8 ALL', '* SORT 5 1 4 2 3 6'],
      ['SORT (REVERSE FROM) UTF-8 ALL', '* SORT 6 3 2 1 4 5'],
      ['SORT (FROM REVERSE ARRIVAL) UTF-8 ALL', '* SORT 5 4 1 2 3 6'],
      ['SORT (TO) UTF-8 ALL', '* SORT 3 6 1 5 4 2'],
      ['SORT (CC) UTF-8 ALL', '* SORT 4 5 6 3 1 2'],
      ['SORT (REVERSE CC) UTF-8 ALL', '* SORT 2 1 3 4 5 6'],
      // Display names: "" < ALPHA@EXAMPLE.ORG (empty name) < BETA@EXAMPLE.ORG < ÉMILE < UNDISCLOSED-RECIPIENTS < ZED ZULU.
      ['SORT (DISPLAYFROM) UTF-8 ALL', '* SORT 5 4 2 3 6 1'],
      ['SORT (REVERSE DISPLAYFROM) UTF-8 ALL', '* SORT 1 6 3 2 4 5'],
      // "" < ALICE < B@X.TEST < BOB < CAROL@X.TEST < ZOË.
      ['SORT (DISPLAYTO) UTF-8 ALL', '* SORT 3 2 1 5 4 6'],
      ['SORT (DISPLAYTO FROM) UTF-8 ALL', '* SORT 3 2 1 5 4 6'],
    ]);
  });

  test('UID SORT answers UIDs; search criteria select; strings in the charset given', DEADLINE, async () => {
    const { c } = await mailbox(
      [
        { raw: mail({ subject: 'delete me' }) },
        { raw: mail({ subject: 'b', from: 'Ça va <x@example.org>' }), flags: ['\\Flagged'] },
        { raw: mail({ subject: 'a' }) },
        { raw: mail({ subject: 'c' }), flags: ['\\Flagged'] },
      ],
      'SELECT',
    );
    await c.command('d', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.match(await c.command('e', 'EXPUNGE'), /\* 1 EXPUNGE/);
    await expectAnswers(c, [
      ['SORT (SUBJECT) UTF-8 ALL', '* SORT 2 1 3'],
      ['UID SORT (SUBJECT) UTF-8 ALL', '* SORT 3 2 4'],
      ['UID SORT (REVERSE SUBJECT) UTF-8 FLAGGED', '* SORT 4 2'],
      ['SORT (SUBJECT) UTF-8 NOT FLAGGED', '* SORT 2'],
      ['SORT (SUBJECT) UTF-8 (OR SUBJECT a SUBJECT c) UID 1:3', '* SORT 2'],
      [`SORT (SUBJECT) UTF-8 FROM ${utf8Literal('ça')}`, '* SORT 1'],
      ['SORT (SUBJECT) "utf-8" FROM "x@example.org"', '* SORT 1'],
      ['SORT (SUBJECT) US-ASCII FROM "x@example.org"', '* SORT 1'],
      ['sort (subject reverse date) utf-8 all', '* SORT 2 1 3'],
    ]);
  });

  test('MODSEQ criteria add the highest MODSEQ of the messages found (RFC 7162 §3.1.5)', DEADLINE, async () => {
    const { c } = await mailbox([{ raw: mail({ subject: 'b' }) }, { raw: mail({ subject: 'a' }) }], 'SELECT');
    await c.command('e', 'ENABLE CONDSTORE');
    const modseq = Number(/MODSEQ \((\d+)\)/.exec(await c.command('f', 'STORE 1 +FLAGS (\\Seen)'))![1]);
    await expectAnswers(c, [
      ['SORT (SUBJECT) UTF-8 MODSEQ 1', `* SORT 2 1 (MODSEQ ${modseq})`],
      ['UID SORT (SUBJECT) UTF-8 UID 2 MODSEQ 1', `* SORT 2 (MODSEQ ${modseq - 1})`],
      [`SORT (SUBJECT) UTF-8 MODSEQ ${modseq + 1}`, '* SORT'],
    ]);
  });

  test('errors: NO [BADCHARSET] for an unknown charset, BAD for bad syntax, the session goes on', DEADLINE, async () => {
    const { c } = await mailbox([{ raw: mail() }]);
    const no = await c.command('n', 'SORT (DATE) ISO-8859-1 ALL');
    assert.match(no, /^n NO \[BADCHARSET \(UTF-8 US-ASCII\)\] /m);
    for (const bad of [
      'SORT (DATE)', //                 no charset
      'SORT (DATE) UTF-8', //           no search criteria
      'SORT () UTF-8 ALL', //           no sort key
      'SORT DATE UTF-8 ALL', //         not a list
      'SORT (DATUM) UTF-8 ALL', //      unknown key
      'SORT (REVERSE) UTF-8 ALL', //    REVERSE with no key
      'SORT (REVERSE REVERSE DATE) UTF-8 ALL',
      'SORT ((DATE)) UTF-8 ALL',
      'SORT (DATE) UTF-8 NOSUCHKEY',
      'SORT (DATE) UTF-8 UID 0',
      'SORT (DATE) (UTF-8) ALL',
    ]) {
      assert.match(await c.command('b', bad), /^b BAD /m, bad);
    }
    await expectAnswers(c, [
      ['SORT (DATE) UTF-8 ALL', '* SORT 1'],
      // As many keys as a line holds: a repeated key is kept once.
      [`SORT (${'DATE REVERSE SUBJECT '.repeat(3000)}SIZE) UTF-8 ALL`, '* SORT 1'],
    ]);
    await c.command('u', 'UNSELECT');
    assert.match(await c.command('x', 'SORT (DATE) UTF-8 ALL'), /^x BAD /m);
  });

  test('no EXPUNGE while SORT answers with sequence numbers (RFC 3501 §7.4.1); UID SORT may', DEADLINE, async () => {
    const { c, user } = await mailbox([{ raw: mail({ subject: 'b' }) }, { raw: mail({ subject: 'a' }) }, { raw: mail({ subject: 'c' }) }], 'SELECT');
    const other = await imap().login(user);
    await other.command('o1', 'SELECT INBOX');
    await other.command('o2', 'STORE 2 +FLAGS.SILENT (\\Deleted)');
    await other.command('o3', 'EXPUNGE');
    const sorted = await c.command('q', 'SORT (SUBJECT) UTF-8 ALL');
    assert.doesNotMatch(sorted, /EXPUNGE/);
    // The message is gone from the store: it is not listed, and numbers stay as the client knows them.
    assert.deepEqual(untagged(sorted), ['* SORT 1 3']);
    const uidSorted = await c.command('r', 'UID SORT (SUBJECT) UTF-8 ALL');
    assert.deepEqual(untagged(uidSorted), ['* SORT 1 3', '* 2 EXPUNGE']);
    await expectAnswers(c, [['SORT (SUBJECT) UTF-8 ALL', '* SORT 1 2']]);
  });

  test('a large mailbox: the store sorts the whole mailbox or just the messages found', DEADLINE, async () => {
    const count = SORT_UIDS_INLINE + 100;
    const { user, id } = await imap().account();
    const subject = (n: number) => `s${String((n * 7919) % count).padStart(5, '0')}`;
    // Deliveries in parallel may take UIDs in any order: remember which n each UID got.
    const nOf = new Map<number, number>();
    for (let from = 1; from <= count; from += 250) {
      const batch = Array.from({ length: Math.min(250, count + 1 - from) }, (_, i) => from + i);
      const delivered = await Promise.all(batch.map((n) => imap().deliver(id, 'INBOX', mail({ subject: subject(n) }), [], day(1) + n)));
      delivered.forEach((m, i) => nOf.set(m.uid, batch[i]));
    }
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    const uids = [...nOf.keys()].sort((a, b) => a - b);
    assert.deepEqual(uids, Array.from({ length: count }, (_, i) => i + 1));
    const byArrival = [...uids].sort((a, b) => nOf.get(b)! - nOf.get(a)!);
    const bySubject = [...uids].sort((a, b) => (subject(nOf.get(a)!) < subject(nOf.get(b)!) ? -1 : 1));
    const some = SORT_UIDS_INLINE + 50;
    await expectAnswers(c, [
      ['SORT (REVERSE ARRIVAL) UTF-8 ALL', `* SORT ${byArrival.join(' ')}`],
      ['SORT (SUBJECT) UTF-8 ALL', `* SORT ${bySubject.join(' ')}`],
      [`SORT (SUBJECT) UTF-8 UID 1:${some}`, `* SORT ${bySubject.filter((n) => n <= some).join(' ')}`],
      ['SORT (SUBJECT) UTF-8 UID 1:10', `* SORT ${bySubject.filter((n) => n <= 10).join(' ')}`],
    ]);
  });

  test("Python's imaplib sorts: SORT and UID SORT through its own commands", DEADLINE, async () => {
    const { user } = await mailbox(
      [
        { raw: mail({ subject: 'b', date: 'Mon, 1 Jan 2024 10:00:00 +0000' }) },
        { raw: mail({ subject: 'Re: a', date: 'Mon, 1 Jan 2024 09:00:00 +0000' }) },
        { raw: mail({ subject: 'c', date: null }) },
      ],
      'SELECT',
    );
    const result = await withImaplibOnInbox(
      imap().heron.ports.imaps,
      user,
      PASSWORD,
      `return {
  'caps': sorted(c for c in m.capabilities if c.startswith('SORT')),
  'date': text(m.sort('(REVERSE DATE)', 'UTF-8', 'ALL')[1]),
  'subject': text(m.uid('SORT', '(SUBJECT)', 'UTF-8', 'NOT', 'SUBJECT', 'c')[1]),
  'display': text(m.sort('(DISPLAYFROM REVERSE ARRIVAL)', 'US-ASCII', 'ALL')[1]),
}`,
    );
    assert.deepEqual(result, { caps: ['SORT', 'SORT=DISPLAY'], date: ['3 1 2'], subject: ['2 1'], display: ['3 2 1'] });
  });

  test('the answer is handed to the writer in pieces', () => {
    const numbers = Array.from({ length: 20_000 }, (_, i) => 20_000 - i);
    const pieces = [...sortResponse(numbers, ' (MODSEQ 7)')];
    assert.ok(pieces.length > 3);
    assert.ok(pieces.every((p) => p.length < 17 * 1024));
    assert.equal(pieces.join(''), `* SORT ${numbers.join(' ')} (MODSEQ 7)`);
    assert.deepEqual([...sortResponse([])], ['* SORT']);
  });
});

describe('sort keys of messages stored before Heron kept them', () => {
  test('SORT computes a mailbox\'s missing keys first; the backfill does them all and records it', DEADLINE, async () => {
    const { c, accountId } = await mailbox([
      { raw: mail({ subject: 'Re: b', from: 'Zed <z@x.test>', date: 'Mon, 1 Jan 2024 10:00:00 +0000', messageId: '<first@x>', references: '<p@x> <q@x>' }) },
      { raw: mail({ subject: 'a', from: 'Amy <y@x.test>', date: null, messageId: 'no valid id' }) },
    ]);
    const store = imap().heron.store;
    const box = (await findMailbox(store, accountId, 'INBOX'))!;
    const keys = () =>
      store.all<{
        uid: number; sort_subject: string; subject_is_reply: number; sort_from: string; sort_display_from: string; sort_date: number;
        thread_message_id: string; thread_references: string; sort_keys_version: number;
      }>(
        `SELECT uid, sort_subject, subject_is_reply, sort_from, sort_display_from, sort_date, thread_message_id, thread_references, sort_keys_version
         FROM mail WHERE mail_box_id = ? ORDER BY uid`,
        box.id,
      );
    const computed = await keys();
    assert.deepEqual(
      computed.map((k) => [k.sort_subject, k.subject_is_reply, k.sort_from, k.sort_display_from, k.thread_message_id, k.thread_references, k.sort_keys_version]),
      [
        ['B', 1, 'Z', 'ZED', 'first@x', 'p@x\nq@x', 1],
        ['A', 0, 'Y', 'AMY', '', '', 1],
      ],
    );
    assert.equal(computed[0].sort_date, Date.UTC(2024, 0, 1, 10));
    assert.equal(computed[1].sort_date, day(2));
    // As an older Heron left them: no keys, and no record that the backfill ran.
    await store.run(
      `UPDATE mail SET sort_date = 0, sort_subject = '', subject_is_reply = 0, sort_from = '', sort_display_from = '',
       thread_message_id = '', thread_references = '', sort_keys_version = 0 WHERE mail_box_id = ?`,
      box.id,
    );
    await store.run(`DELETE FROM heron_meta WHERE key = 'sort_keys_version'`);
    assert.equal(await sortKeysPending(store), true);
    await expectAnswers(c, [
      ['SORT (SUBJECT) UTF-8 ALL', '* SORT 2 1'],
      ['SORT (DISPLAYFROM) UTF-8 ALL', '* SORT 2 1'],
      ['SORT (REVERSE DATE) UTF-8 ALL', '* SORT 2 1'],
    ]);
    assert.deepEqual(await keys(), computed);
    // The background pass: nothing left here; the record is written once no row lacks keys.
    await store.run(`UPDATE mail SET sort_keys_version = 0 WHERE mail_box_id = ?`, box.id);
    let afterId = 0;
    for (;;) {
      const batch = await backfillSortKeys(store, { afterId, limit: 1 });
      if (batch.count === 0) break;
      assert.equal(batch.count, 1);
      afterId = batch.lastId;
    }
    assert.deepEqual(await keys(), computed);
    assert.equal(await finishSortKeysBackfill(store), true);
    assert.equal(await sortKeysPending(store), false);
  });
});
