// CONTEXT=SORT (RFC 5267 §4): SORT / UID SORT RETURN (UPDATE) keeps a sorted
// result up to date with ADDTO / REMOVEFROM whose positions are places in the
// sort order (§4.3.2–4.3.4), as other sessions, SMTP or this session change
// the mailbox; REMOVEFROM before the EXPUNGE, ADDTO after EXISTS; CANCELUPDATE;
// the NOUPDATE limit shared with CONTEXT=SEARCH; PARTIAL with UPDATE.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { contextChanges, MAX_UPDATE_CONTEXTS } from '../../imapd/search/contexts.ts';
import { at, datedMailbox } from './dated-mailbox.ts';
import { DEADLINE, untaggedOk as ok } from './fixture.ts';
import { mail } from './mail-spec.ts';
import { applyChanges, idleThroughSmtpMail, useImapWithDns } from './live-context.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImapWithDns();

/** Two sessions on one new dated mailbox (dated-mailbox.ts): `a` keeps the contexts, `b` changes things. */
async function twoSessions(): Promise<{ a: RawClient; b: RawClient; id: number; user: string }> {
  const { c: a, id, user } = await datedMailbox(imap());
  const b = await imap().login(user);
  assert.match(await b.command('s', 'SELECT INBOX'), /s OK/);
  return { a, b, id, user };
}

const esearch = (lines: string[]) => lines.filter((l) => l.startsWith('* ESEARCH'));
const withoutRecent = (lines: string[]) => lines.filter((l) => !/ RECENT$/.test(l));

describe('CONTEXT=SORT', () => {
  test('UID SORT RETURN (UPDATE): flags changed elsewhere; REMOVEFROM and ADDTO at their places in the sort order', DEADLINE, async () => {
    const { a, b } = await twoSessions();
    // \Flagged 1 4 6, by Date: 4 6 1.
    assert.deepEqual(await ok(a, 'UID SORT RETURN (UPDATE ALL) (DATE) UTF-8 FLAGGED'), ['* ESEARCH (TAG "t") UID ALL 4,6,1']);
    // A change that neither adds nor removes a result: FETCH only (nothing is sorted again).
    await ok(b, 'UID STORE 1:2 +FLAGS.SILENT (\\Seen)');
    const unchanged = await ok(a, 'NOOP');
    assert.deepEqual(esearch(unchanged), []);
    assert.equal(unchanged.filter((l) => / FETCH \(UID (1|2) FLAGS/.test(l)).length, 2);
    // 6 leaves from position 2; 5 (09:00) joins between 4 (08:00) and 1 (11:00).
    await ok(b, 'UID STORE 6 -FLAGS.SILENT (\\Flagged)');
    await ok(b, 'UID STORE 5 +FLAGS.SILENT (\\Flagged)');
    const lines = await ok(a, 'NOOP');
    assert.deepEqual(esearch(lines), ['* ESEARCH (TAG "t") UID REMOVEFROM (2 6)', '* ESEARCH (TAG "t") UID ADDTO (2 5)']);
    assert.equal(lines.filter((l) => / FETCH \(UID (5|6) FLAGS/.test(l)).length, 2);
    // [4 5 1]: 2 (12:00) and 3 (13:00) join at the end, one run.
    await ok(b, 'UID STORE 2:3 +FLAGS.SILENT (\\Flagged)');
    assert.deepEqual(esearch(await ok(a, 'NOOP')), ['* ESEARCH (TAG "t") UID ADDTO (4 2:3)']);
    // [4 5 1 2 3]: removing 4 and 2, the second position counts after the first removal (§4.3.4).
    await ok(b, 'UID STORE 2,4 -FLAGS.SILENT (\\Flagged)');
    assert.deepEqual(esearch(await ok(a, 'NOOP')), ['* ESEARCH (TAG "t") UID REMOVEFROM (1 4 3 2)']);
    assert.deepEqual(esearch(await ok(a, 'NOOP')), []);
    assert.deepEqual(await ok(a, 'UID SORT (DATE) UTF-8 FLAGGED'), ['* SORT 5 1 3']);
  });

  test('REVERSE order: a run joining at the front keeps the sort order ("3,2", never "3:2")', DEADLINE, async () => {
    const { a, b } = await twoSessions();
    assert.deepEqual(await ok(a, 'UID SORT RETURN (UPDATE) (REVERSE DATE) UTF-8 FLAGGED'), ['* ESEARCH (TAG "t") UID ALL 1,6,4']);
    await ok(b, 'UID STORE 2:3 +FLAGS.SILENT (\\Flagged)');
    assert.deepEqual(esearch(await ok(a, 'NOOP')), ['* ESEARCH (TAG "t") UID ADDTO (1 3,2)']);
  });

  test('SORT RETURN (UPDATE): message numbers; REMOVEFROM before the EXPUNGE, ADDTO after EXISTS in sort position', DEADLINE, async () => {
    const { a, b, id } = await twoSessions();
    assert.deepEqual(await ok(a, 'SORT RETURN (UPDATE) (REVERSE DATE) UTF-8 ALL'), ['* ESEARCH (TAG "t") ALL 3,2,1,6,5,4']);
    await ok(b, 'UID STORE 2 +FLAGS.SILENT (\\Deleted)');
    await ok(b, 'UID EXPUNGE 2');
    assert.deepEqual(await ok(a, 'NOOP'), ['* ESEARCH (TAG "t") REMOVEFROM (2 2)', '* 2 EXPUNGE']);
    // UIDs 7 (14:00: first) and 8 (07:00: last) arrive: messages 6 and 7.
    await imap().deliver(id, 'INBOX', mail({ subject: 'late', date: at(14) }));
    await imap().deliver(id, 'INBOX', mail({ subject: 'early', date: at(7) }));
    assert.deepEqual(withoutRecent(await ok(a, 'NOOP')), ['* 7 EXISTS', '* ESEARCH (TAG "t") ADDTO (1 6 7 7)']);
    // Both at once: REMOVEFROM, EXPUNGE, EXISTS, ADDTO.
    await ok(b, 'NOOP');
    await ok(b, 'UID STORE 7 +FLAGS.SILENT (\\Deleted)');
    await ok(b, 'UID EXPUNGE 7');
    await imap().deliver(id, 'INBOX', mail({ subject: 'middle', date: at(10) }));
    // [7 3 1 6 5 4 8] by UID → [3 1 6 9 5 4 8]: UID 9 (10:00, message 7 after the EXPUNGE) at position 4.
    assert.deepEqual(withoutRecent(await ok(a, 'NOOP')), ['* ESEARCH (TAG "t") REMOVEFROM (1 6)', '* 6 EXPUNGE', '* 7 EXISTS', '* ESEARCH (TAG "t") ADDTO (4 7)']);
    assert.deepEqual(await ok(a, 'SORT (REVERSE DATE) UTF-8 ALL'), ['* SORT 2 1 5 7 4 3 6']);
  });

  test('criteria with message numbers are sorted again once EXPUNGEs renumber the messages', DEADLINE, async () => {
    const { a, b } = await twoSessions();
    // Messages 1:3 are UIDs 1 2 3 (11:00, 12:00, 13:00).
    assert.deepEqual(await ok(a, 'SORT RETURN (UPDATE) (DATE) UTF-8 1:3'), ['* ESEARCH (TAG "t") ALL 1:3']);
    await ok(b, 'UID STORE 1 +FLAGS.SILENT (\\Deleted)');
    await ok(b, 'UID EXPUNGE 1');
    // Then 1:3 names UIDs 2 3 4, and UID 4 (08:00, now message 3) comes first.
    assert.deepEqual(await ok(a, 'NOOP'), ['* ESEARCH (TAG "t") REMOVEFROM (1 1)', '* 1 EXPUNGE', '* ESEARCH (TAG "t") ADDTO (1 3)']);
  });

  test("this session's own STORE, EXPUNGE and APPEND update its sorted context before the tagged OK", DEADLINE, async () => {
    const { a } = await twoSessions();
    assert.deepEqual(await ok(a, 'UID SORT RETURN (UPDATE COUNT) (SUBJECT) UTF-8 UNFLAGGED'), ['* ESEARCH (TAG "t") UID COUNT 3']);
    // Unflagged by subject: 2 (a) 3 (e) 5 (f).
    const stored = await ok(a, 'STORE 4 -FLAGS (\\Flagged)');
    assert.deepEqual(esearch(stored), ['* ESEARCH (TAG "t") UID ADDTO (2 4)']);
    const raw = mail({ subject: 'b2' });
    const appended = await a.command('ap', `APPEND INBOX {${raw.length}+}\r\n${raw}`);
    assert.match(appended, /\* 7 EXISTS\r\n\* \d+ RECENT\r\n\* ESEARCH \(TAG "t"\) UID ADDTO \(3 7\)\r\nap OK \[APPENDUID \d+ 7\]/);
    await ok(a, 'UID STORE 2 +FLAGS.SILENT (\\Deleted)');
    assert.deepEqual(await ok(a, 'EXPUNGE'), ['* ESEARCH (TAG "t") UID REMOVEFROM (1 2)', '* 2 EXPUNGE']);
  });

  test('during IDLE: mail from SMTP joins at its sort position after EXISTS; an expunge elsewhere leaves', DEADLINE, async () => {
    const { a, b, user } = await twoSessions();
    assert.deepEqual(await ok(a, 'UID SORT RETURN (UPDATE COUNT) (REVERSE DATE) UTF-8 ALL'), ['* ESEARCH (TAG "t") UID COUNT 6']);
    // Sent now: the newest Date, first in REVERSE DATE.
    assert.match(await idleThroughSmtpMail(a, imap(), user, 'ADDTO'), /^\* 7 EXISTS\r\n\* \d+ RECENT\r\n\* ESEARCH \(TAG "t"\) UID ADDTO \(1 7\)\r\n$/);
    // [7 3 2 1 6 5 4]: UID 2 leaves from position 3.
    await ok(b, 'UID STORE 2 +FLAGS.SILENT (\\Deleted)');
    await ok(b, 'UID EXPUNGE 2');
    await a.readUntil((buf) => buf.includes('EXPUNGE'));
    assert.match(a.take(), /\* ESEARCH \(TAG "t"\) UID REMOVEFROM \(3 2\)\r\n\* 2 EXPUNGE\r\n$/);
    a.write('DONE\r\n');
    await a.waitTagged('i');
  });

  test('CANCELUPDATE stops a sorted context; the tag is BAD while live; SORT and SEARCH contexts share the NOUPDATE limit', DEADLINE, async () => {
    const { a, b } = await twoSessions();
    await a.command('S1', 'UID SORT RETURN (UPDATE) (DATE) UTF-8 FLAGGED');
    const reused = await a.command('S1', 'UID SORT RETURN (UPDATE) (SUBJECT) UTF-8 ALL');
    assert.match(reused, /^S1 BAD /);
    await a.command('S2', 'UID SEARCH RETURN (UPDATE) FLAGGED');
    assert.match(await a.command('c', 'CANCELUPDATE "S1"'), /^c OK /);
    await ok(b, 'UID STORE 5 +FLAGS.SILENT (\\Flagged)');
    assert.deepEqual(esearch(await ok(a, 'NOOP')), ['* ESEARCH (TAG "S2") UID ADDTO (3 5)']);
    for (let n = 2; n <= MAX_UPDATE_CONTEXTS; n++) assert.match(await a.command(`g${n}`, 'UID SORT RETURN (UPDATE) (DATE) UTF-8 FLAGGED'), new RegExp(`g${n} OK `));
    const refused = await a.command('B02', 'UID SORT RETURN (UPDATE MIN) (DATE) UTF-8 FLAGGED');
    assert.match(refused, /^\* NO \[NOUPDATE "B02"\] [^\r\n]+\r\n\* ESEARCH \(TAG "B02"\) UID MIN 4\r\nB02 OK /);
  });

  test('PARTIAL with UPDATE: the window is over the sort order, the updates cover every result (§4.4)', DEADLINE, async () => {
    const { a, b } = await twoSessions();
    assert.deepEqual(await ok(a, 'UID SORT RETURN (UPDATE PARTIAL 1:2) (DATE) UTF-8 ALL'), ['* ESEARCH (TAG "t") UID PARTIAL (1:2 4:5)']);
    await ok(b, 'UID STORE 3 +FLAGS.SILENT (\\Deleted)');
    await ok(b, 'UID EXPUNGE 3');
    assert.deepEqual(esearch(await ok(a, 'NOOP')), ['* ESEARCH (TAG "t") UID REMOVEFROM (6 3)']);
  });

  test('the positions turn any sorted list into the new one when results keep their relative order', () => {
    // A sort order (any permutation of the UIDs) and two results drawn from it, each in that order.
    const scenario = fc
      .uniqueArray(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 40 })
      .chain((order) => fc.tuple(fc.constant(order), fc.subarray(order), fc.subarray(order)));
    fc.assert(
      fc.property(scenario, ([, before, after]) => {
        const changes = contextChanges(before, after);
        assert.deepEqual(applyChanges(before, changes), after);
        // Nothing both kept and reported: a result in both lists is never removed and added again.
        const moved = new Set(changes.removed.flatMap((r) => r.uids));
        for (const add of changes.added) for (const uid of add.uids) assert.ok(!moved.has(uid) || !before.includes(uid) || !after.includes(uid));
      }),
      { numRuns: 500 },
    );
  });
});
