// EXAMINE (RFC 3501 §6.3.2) and \Recent (§2.3.2): a read-only session sees
// which messages are recent but leaves them to the next SELECT; STATUS agrees.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, message, untagged, useImap } from './fixture.ts';

const imap = useImap();

const recentOf = (status: string) => Number(/RECENT (\d+)/.exec(status)?.[1]);

describe('EXAMINE and \\Recent', () => {
  test('messages APPENDed without the mailbox selected stay recent through EXAMINE and STATUS until a SELECT', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const a = await imap().login(user);
    const b = await imap().login(user);
    await a.command('s0', 'SELECT Sent'); // another mailbox selected: INBOX's APPENDs are news to nobody yet
    for (const subject of ['one', 'two']) {
      const raw = message(subject);
      assert.match(await a.command('ap', `APPEND INBOX {${raw.length}+}\r\n${raw}`), /ap OK \[APPENDUID/);
    }
    assert.equal(recentOf(await b.command('b1', 'STATUS INBOX (RECENT)')), 2);

    const examined = await a.command('e1', 'EXAMINE INBOX');
    assert.match(examined, /\* 2 EXISTS\r\n\* 2 RECENT\r\n/);
    assert.deepEqual(untagged(await a.command('e2', 'FETCH 1:* FLAGS')), ['* 1 FETCH (FLAGS (\\Recent))', '* 2 FETCH (FLAGS (\\Recent))']);
    assert.deepEqual(untagged(await a.command('e3', 'SEARCH RECENT')), ['* SEARCH 1 2']);
    assert.deepEqual(untagged(await a.command('e4', 'SEARCH NEW')), ['* SEARCH 1 2']);
    // Not consumed: STATUS (from this session and another) and a second EXAMINE agree.
    assert.equal(recentOf(await a.command('e5', 'STATUS INBOX (RECENT)')), 2);
    assert.equal(recentOf(await b.command('b2', 'STATUS INBOX (RECENT)')), 2);
    assert.match(await b.command('b3', 'EXAMINE INBOX'), /\* 2 RECENT\r\n/);

    // New mail while examined: recent for the read-only session, still unclaimed.
    await imap().deliver(id, 'INBOX', message('three'));
    assert.deepEqual(untagged(await a.command('e6', 'NOOP')), ['* 3 EXISTS', '* 3 RECENT']);
    assert.equal(recentOf(await b.command('b4', 'STATUS INBOX (RECENT)')), 3);

    // The first SELECT takes them all; after it nobody else sees them as recent.
    assert.match(await a.command('s1', 'SELECT INBOX'), /\* 3 EXISTS\r\n\* 3 RECENT\r\n/);
    assert.deepEqual(untagged(await a.command('s2', 'SEARCH RECENT')), ['* SEARCH 1 2 3']);
    assert.equal(recentOf(await b.command('b5', 'STATUS INBOX (RECENT)')), 0);
    assert.match(await b.command('b6', 'EXAMINE INBOX'), /\* 0 RECENT\r\n/);
    assert.deepEqual(untagged(await b.command('b7', 'FETCH 1:* FLAGS')), ['* 1 FETCH (FLAGS ())', '* 2 FETCH (FLAGS ())', '* 3 FETCH (FLAGS ())']);
    assert.match(await a.command('s3', 'SELECT INBOX'), /\* 0 RECENT\r\n/);
  });

  test('a message delivered while one session examines and another selects goes to the selecting one, which hears first', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const reader = await imap().login(user);
    const writer = await imap().login(user);
    await reader.command('e', 'EXAMINE INBOX');
    await writer.command('s', 'SELECT INBOX');
    await imap().deliver(id, 'INBOX', message('new'));
    // The read-write session hears first and claims it ...
    assert.deepEqual(untagged(await writer.command('w1', 'NOOP')), ['* 1 EXISTS', '* 1 RECENT']);
    // ... so the read-only one, hearing later, does not see it as recent.
    assert.deepEqual(untagged(await reader.command('r1', 'NOOP')), ['* 1 EXISTS', '* 0 RECENT']);
    assert.equal(recentOf(await reader.command('r2', 'STATUS INBOX (RECENT)')), 0);
  });

  test('while mail arrives during SELECTs and NOOPs, each message is \\Recent in exactly one session or still unclaimed', { timeout: 180_000 }, async () => {
    const { user, id } = await imap().account();
    const sessions = await Promise.all([0, 1, 2, 3, 4, 5].map(() => imap().login(user)));
    let n = 0;
    const deliveries = (count: number) => Promise.all(Array.from({ length: count }, () => imap().deliver(id, 'INBOX', message(`m${n++}`))));
    // Each session SELECTs once (a second SELECT would end its \Recent), while
    // mail is delivered and the sessions already selected pull it in.
    for (const [i, s] of sessions.entries()) {
      await Promise.all([deliveries(4), s.command(`s${i}`, 'SELECT INBOX'), ...sessions.slice(0, i).map((o) => o.command(`n${i}`, 'NOOP')), deliveries(4)]);
    }
    await deliveries(3);
    const recentIn = new Map<number, number>();
    for (const s of sessions) {
      await s.command('z', 'NOOP');
      for (const uid of untagged(await s.command('r', 'UID SEARCH RECENT'))[0].split(' ').slice(2).map(Number)) recentIn.set(uid, (recentIn.get(uid) ?? 0) + 1);
    }
    const examiner = await imap().login(user);
    await examiner.command('e', 'EXAMINE INBOX');
    for (const uid of untagged(await examiner.command('r', 'UID SEARCH RECENT'))[0].split(' ').slice(2).map(Number)) recentIn.set(uid, (recentIn.get(uid) ?? 0) + 1);
    const all = untagged(await examiner.command('a', 'UID SEARCH ALL'))[0].split(' ').slice(2).map(Number);
    assert.equal(all.length, n);
    assert.deepEqual(all.filter((uid) => recentIn.get(uid) !== 1), [], 'messages \\Recent in no session or in two');
  });
  test('\\Recent stays exact across a message another session claimed, expunges inside a recent run and new mail after them', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const a = await imap().login(user);
    const b = await imap().login(user);
    await a.command('a0', 'SELECT INBOX');
    for (let i = 1; i <= 5; i++) await imap().deliver(id, 'INBOX', message(`m${i}`));
    assert.deepEqual(untagged(await a.command('a1', 'NOOP')), ['* 5 EXISTS', '* 5 RECENT']);
    // B hears of message 6 first and claims it: A's recent messages are 1-5, then 7.
    await b.command('b0', 'SELECT INBOX');
    await imap().deliver(id, 'INBOX', message('m6'));
    assert.deepEqual(untagged(await b.command('b1', 'NOOP')), ['* 6 EXISTS', '* 1 RECENT']);
    assert.deepEqual(untagged(await a.command('a2', 'NOOP')), ['* 6 EXISTS', '* 5 RECENT']);
    await imap().deliver(id, 'INBOX', message('m7'));
    assert.deepEqual(untagged(await a.command('a3', 'NOOP')), ['* 7 EXISTS', '* 6 RECENT']);
    const flags = (r: string) => untagged(r).map((l) => /^\* (\d+) FETCH \((?:UID \d+ )?FLAGS \(([^)]*)\)/.exec(l)!.slice(1).join(':'));
    assert.deepEqual(flags(await a.command('a4', 'FETCH 1:* (FLAGS)')), ['1:\\Recent', '2:\\Recent', '3:\\Recent', '4:\\Recent', '5:\\Recent', '6:', '7:\\Recent']);
    assert.deepEqual(untagged(await a.command('a5', 'SEARCH RECENT')), ['* SEARCH 1 2 3 4 5 7']);
    assert.deepEqual(untagged(await a.command('a6', 'SEARCH NOT RECENT')), ['* SEARCH 6']);
    // Expunge UIDs 1, 3 and 5 (inside the run) and 6 (not recent here).
    await a.command('a7', 'UID STORE 1,3,5:6 +FLAGS.SILENT (\\Deleted)');
    assert.deepEqual(untagged(await a.command('a8', 'EXPUNGE')), ['* 6 EXPUNGE', '* 5 EXPUNGE', '* 3 EXPUNGE', '* 1 EXPUNGE']);
    assert.deepEqual(untagged(await a.command('a9', 'UID SEARCH RECENT')), ['* SEARCH 2 4 7']);
    assert.deepEqual(flags(await a.command('a10', 'UID FETCH 1:* (FLAGS)')), ['1:\\Recent', '2:\\Recent', '3:\\Recent']);
    // New mail after the expunges: the count is of the messages left, plus the new one.
    await imap().deliver(id, 'INBOX', message('m8'));
    assert.deepEqual(untagged(await a.command('a11', 'NOOP')), ['* 4 EXISTS', '* 4 RECENT']);
    assert.deepEqual(untagged(await a.command('a12', 'UID SEARCH RECENT')), ['* SEARCH 2 4 7 8']);
    // B's only recent message was UID 6: once B is told of its expunge, none is recent there.
    assert.deepEqual(untagged(await b.command('b2', 'NOOP')).slice(-2), ['* 4 EXISTS', '* 0 RECENT']);
    assert.deepEqual(untagged(await b.command('b3', 'SEARCH RECENT')), ['* SEARCH']);
  });
});
