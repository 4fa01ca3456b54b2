// Many sessions, one mailbox: changes made by another session and by delivery
// reach a session where RFC 3501 §7.4.1 allows, idle and not idle, and its
// sequence numbers always match what it was told.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { message, startImap, untagged } from './fixture.ts';

type Imap = Awaited<ReturnType<typeof startImap>>;
let imap: Imap;
before(async () => {
  imap = await startImap();
});
after(() => imap.stop());

describe('two sessions on one mailbox', () => {
  test('flag changes, delivery and expunges reach the other session; no EXPUNGE during FETCH, STORE or SEARCH', async () => {
    const { user, id } = await imap.account();
    for (const s of ['m1', 'm2', 'm3']) await imap.deliver(id, 'INBOX', message(s));
    const a = await imap.login(user);
    const b = await imap.login(user);
    await a.command('s', 'SELECT INBOX');
    await b.command('s', 'SELECT INBOX');

    // Flags set by A show up at B's next command.
    await a.command('a1', 'STORE 2 +FLAGS.SILENT (\\Seen $Done)');
    assert.deepEqual(untagged(await b.command('b1', 'NOOP')), [
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Done)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Done \\*)] Flags permitted',
      '* 2 FETCH (UID 2 FLAGS ($Done \\Seen))',
    ]);

    // A message delivered as SMTP does: EXISTS, and \Recent for the first session that sees it.
    await imap.deliver(id, 'INBOX', message('m4'));
    assert.deepEqual(untagged(await b.command('b2', 'NOOP')), ['* 4 EXISTS', '* 1 RECENT']);
    assert.deepEqual(untagged(await a.command('a2', 'NOOP')), ['* 4 EXISTS', '* 3 RECENT']); // A claimed 1-3 at SELECT; B claimed 4

    // A expunges message 1; B is in FETCH, STORE, SEARCH: no EXPUNGE, numbers unchanged.
    await a.command('a3', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.match(await a.command('a4', 'EXPUNGE'), /^\* 1 EXPUNGE\r\na4 OK/);
    const fetch = await b.command('b3', 'FETCH 1:* (UID)');
    assert.doesNotMatch(fetch, /EXPUNGE/);
    assert.deepEqual(untagged(fetch).filter((l) => /UID \d+\)$/.test(l) && !/FLAGS/.test(l)), ['* 2 FETCH (UID 2)', '* 3 FETCH (UID 3)', '* 4 FETCH (UID 4)']);
    const store = await b.command('b4', 'STORE 4 +FLAGS (\\Flagged)');
    assert.match(store, /^\* 4 FETCH \(FLAGS \(\\Flagged \\Recent\)\)\r\nb4 OK/);
    const search = await b.command('b5', 'SEARCH ALL');
    assert.match(search, /^\* SEARCH 2 3 4\r\nb5 OK/);
    // Then NOOP delivers the EXPUNGE, and the numbers move.
    assert.deepEqual(untagged(await b.command('b6', 'NOOP')), ['* 1 EXPUNGE']);
    assert.deepEqual(untagged(await b.command('b7', 'FETCH 3 UID')), ['* 3 FETCH (UID 4)']);
    // A hears of B's flag change with its own numbering.
    assert.deepEqual(untagged(await a.command('a5', 'NOOP')), ['* 3 FETCH (UID 4 FLAGS (\\Flagged))']);
    // A UID command may carry EXPUNGE (RFC 3501 §7.4.1 names only the non-UID forms).
    await a.command('a6', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await a.command('a7', 'EXPUNGE');
    assert.match(await b.command('b8', 'UID SEARCH ALL'), /^\* SEARCH 3 4\r\n\* 1 EXPUNGE\r\nb8 OK/);
  });

  test('IDLE pushes at once; DONE with pipelined commands; stray input while idling', async () => {
    const { user, id } = await imap.account();
    await imap.deliver(id, 'INBOX', message('first'));
    const a = await imap.login(user);
    const b = await imap.login(user);
    await a.command('s', 'SELECT INBOX');
    await b.command('s', 'SELECT INBOX');
    b.write('i1 IDLE\r\n');
    await b.readUntil((s) => s.includes('+ idling\r\n'));
    b.take();
    await imap.deliver(id, 'INBOX', message('second'));
    await b.readUntil((s) => s.includes('* 2 EXISTS\r\n'));
    b.take();
    await a.command('a1', 'STORE 1 +FLAGS (\\Deleted)');
    await b.readUntil((s) => s.includes('* 1 FETCH (UID 1 FLAGS (\\Deleted))\r\n'));
    b.take();
    await a.command('a2', 'EXPUNGE');
    await b.readUntil((s) => s.includes('* 1 EXPUNGE\r\n'));
    b.take();
    b.write('i2 NOOP\r\n');
    await b.readUntil((s) => s.includes('* BAD Expected DONE\r\n'));
    b.take();
    // DONE and two more commands in one packet: all answered, in order.
    b.write('DONE\r\ni3 FETCH 1 (UID)\r\ni4 NOOP\r\n');
    const out = await b.waitTagged('i4');
    assert.match(out, /^i1 OK IDLE completed\r\n\* 1 FETCH \(UID 2\)\r\ni3 OK FETCH completed\r\ni4 OK/);
    // IDLE in the authenticated state is allowed too (RFC 2177).
    await b.command('u', 'UNSELECT');
    b.write('i5 IDLE\r\n');
    await b.readUntil((s) => s.includes('+ idling\r\n'));
    b.write('done\r\n');
    assert.match(await b.waitTagged('i5'), /i5 OK/);
  });

  test('a deleted selected mailbox ends the other session', async () => {
    const { user } = await imap.account();
    const a = await imap.login(user);
    const b = await imap.login(user);
    await a.command('c', 'CREATE Doomed');
    await b.command('s', 'SELECT Doomed');
    await a.command('d', 'DELETE Doomed');
    b.write('n NOOP\r\n');
    await b.readUntil((s) => s.includes('* BYE'));
    await b.waitClosed();
  });
});
