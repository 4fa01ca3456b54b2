// MULTIAPPEND (RFC 3502): several messages in one APPEND, stored all or none
// in one transaction, APPENDUID with a UID set (RFC 4315 §3). The edge cases:
// a message refused after others were read (too big, bad syntax, empty, no
// such mailbox) leaves nothing stored; the messages together stay within the
// account's max message size, so a MULTIAPPEND holds no more in memory than one APPEND.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, flowClient, message, untagged, untaggedOk, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

/** Sends a synchronising literal's bytes once the server asks for them. */
async function sendAfterContinuation(c: RawClient, text: string): Promise<void> {
  await c.readUntil((s) => s.startsWith('+ '), { what: 'a continuation request' });
  c.take();
  c.write(text);
}

async function statusOf(c: RawClient, mailbox: string): Promise<string> {
  return (await untaggedOk(c, `STATUS ${mailbox} (MESSAGES UIDNEXT)`, 's'))[0];
}

describe('MULTIAPPEND', () => {
  test('is advertised', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('c', 'CAPABILITY'), /^\* CAPABILITY .* MULTIAPPEND[ \r]/);
  });

  test("RFC 3502 §6.3.11's example: two messages with flags, one APPENDUID set, in order and byte-exact", DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    const first = message('Afternoon meeting', 'Hello Joe, do you think we can meet at 3:30 tomorrow?');
    const second = message('Afternoon meeting 2', 'Hello Joe, could we change that to 4:00pm tomorrow?');
    c.write(`A003 APPEND Drafts (\\Seen) "14-Jul-2020 10:00:00 +0200" {${first.length}}\r\n`);
    await sendAfterContinuation(c, `${first} (\\Seen $Todo) {${second.length}}\r\n`);
    await sendAfterContinuation(c, `${second}\r\n`);
    const done = await c.waitTagged('A003');
    const uidvalidity = /A003 OK \[APPENDUID (\d+) 1:2\] APPEND completed/.exec(done)?.[1];
    assert.ok(uidvalidity, done);
    await c.command('x', 'SELECT Drafts');
    const f = await c.command('f', 'FETCH 1:2 (UID FLAGS INTERNALDATE BODY.PEEK[])');
    assert.match(f, new RegExp(`\\* 1 FETCH \\(UID 1 FLAGS \\(\\\\Seen \\\\Recent\\) INTERNALDATE "14-Jul-2020 08:00:00 \\+0000" BODY\\[\\] \\{${first.length}\\}\\r\\n${first.replace(/[?]/g, '\\?')}\\)`));
    assert.match(f, /\* 2 FETCH \(UID 2 FLAGS \(\$Todo \\Seen \\Recent\) /);
    assert.ok(f.includes(second), 'the second message is stored as sent');
  });

  test('non-synchronising literals, each message with its own date; UIDs follow on', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('already there'));
    const c = await imap().login(user);
    const [a, b, d] = [message('m1'), message('m2'), message('m3')];
    const r = await c.command(
      'a',
      `APPEND INBOX {${a.length}+}\r\n${a} "11-Jan-2021 00:00:00 +0000" {${b.length}+}\r\n${b} () "12-Jan-2021 00:00:00 +0000" {${d.length}+}\r\n${d}`,
    );
    assert.match(r, /^a OK \[APPENDUID \d+ 2:4\] APPEND completed/m);
    await c.command('x', 'EXAMINE INBOX');
    const f = untagged(await c.command('f', 'FETCH 2:4 (UID INTERNALDATE ENVELOPE)'));
    assert.equal(f.length, 3);
    assert.match(f[0], /UID 2 .*"m1"/);
    assert.match(f[1], /UID 3 INTERNALDATE "11-Jan-2021 00:00:00 \+0000" .*"m2"/);
    assert.match(f[2], /UID 4 INTERNALDATE "12-Jan-2021 00:00:00 \+0000" .*"m3"/);
  });

  test('another session sees all the messages arrive at once', DEADLINE, async () => {
    const { user } = await imap().account();
    const watcher = await imap().login(user);
    await watcher.command('s', 'SELECT INBOX');
    const c = await imap().login(user);
    const msgs = [message('w1'), message('w2'), message('w3')];
    assert.match(await c.command('a', `APPEND INBOX ${msgs.map((m) => `{${m.length}+}\r\n${m}`).join(' ')}`), /^a OK \[APPENDUID \d+ 1:3\]/m);
    const noop = untagged(await watcher.command('n', 'NOOP'));
    assert.deepEqual(noop.filter((l) => /EXISTS/.test(l)), ['* 3 EXISTS']);
  });

  test('the third message too big: NO [TOOBIG] before its bytes, nothing stored, the connection goes on', DEADLINE, async () => {
    const { user } = await imap().account();
    const [a, b] = [message('small 1'), message('small 2')];
    // Each under the limit, together over it: the limit holds for the command's messages together.
    await imap().withMaxSize(a.length + b.length + 100, async () => {
      const c = await imap().login(user);
      const before = await statusOf(c, 'INBOX');
      c.write(`t APPEND INBOX {${a.length}}\r\n`);
      await sendAfterContinuation(c, `${a} {${b.length}}\r\n`);
      await sendAfterContinuation(c, `${b} {101}\r\n`);
      assert.match(await c.waitTagged('t'), /^t NO \[TOOBIG\]/m);
      assert.equal(await statusOf(c, 'INBOX'), before);
      // One message over the limit on its own, after a good one.
      c.write(`u APPEND INBOX {${a.length}}\r\n`);
      await sendAfterContinuation(c, `${a} {${a.length + b.length + 101}}\r\n`);
      assert.match(await c.waitTagged('u'), /^u NO \[TOOBIG\]/m);
      assert.equal(await statusOf(c, 'INBOX'), before);
      // Both small ones alone fit.
      assert.match(await c.command('v', `APPEND INBOX {${a.length}+}\r\n${a} {${b.length}+}\r\n${b}`), /^v OK \[APPENDUID \d+ 1:2\]/m);
    });
  });

  test('an oversized non-synchronising literal after others: BAD [TOOBIG], BYE, nothing stored', DEADLINE, async () => {
    const { user } = await imap().account();
    const a = message('small');
    await imap().withMaxSize(1000, async () => {
      const c = await imap().login(user);
      c.write(`t APPEND INBOX {${a.length}+}\r\n${a} {${a.length}+}\r\n${a} {2000+}\r\n`);
      const got = await c.readUntil((s) => s.includes('* BYE'), { what: 'BYE' });
      assert.match(got, /^t BAD \[TOOBIG\]/m);
      await c.waitClosed();
    });
    const c = await imap().login(user);
    assert.match(await statusOf(c, 'INBOX'), /MESSAGES 0 UIDNEXT 1/);
  });

  test('a bad message after good ones: BAD, or NO for an empty one or a missing mailbox; nothing stored', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    const a = message('good');
    const before = await statusOf(c, 'INBOX');
    const cases: Array<[string, RegExp]> = [
      [`APPEND INBOX {${a.length}+}\r\n${a} (\\Recent) {${a.length}+}\r\n${a}`, /^b BAD /m],
      [`APPEND INBOX {${a.length}+}\r\n${a} "not a date" {${a.length}+}\r\n${a}`, /^b BAD /m],
      [`APPEND INBOX {${a.length}+}\r\n${a} (\\Seen)`, /^b BAD /m],
      [`APPEND INBOX {${a.length}+}\r\n${a} "quoted, not a literal"`, /^b BAD /m],
      [`APPEND INBOX {${a.length}+}\r\n${a} {0+}\r\n`, /^b NO \[CANNOT\]/m],
      [`APPEND Nowhere {${a.length}+}\r\n${a} {${a.length}+}\r\n${a}`, /^b NO \[TRYCREATE\]/m],
    ];
    for (const [command, expected] of cases) {
      assert.match(await c.command('b', command), expected, command);
      assert.equal(await statusOf(c, 'INBOX'), before, command);
    }
    assert.match(await c.command('n', 'NOOP'), /^n OK/);
  });

  test('at most 64 literals in one command: the 65th message gets NO [LIMIT], nothing stored', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    const m = message('one of many');
    const before = await statusOf(c, 'INBOX');
    c.write(`t APPEND INBOX {${m.length}}\r\n`);
    for (let i = 1; i < 64; i++) await sendAfterContinuation(c, `${m} {${m.length}}\r\n`);
    // The 64th literal was accepted; the 65th is refused before its bytes.
    await sendAfterContinuation(c, `${m} {${m.length}}\r\n`);
    assert.match(await c.waitTagged('t'), /^t NO \[LIMIT\]/m);
    assert.equal(await statusOf(c, 'INBOX'), before);
    // 64 fit.
    const all = Array.from({ length: 64 }, () => `{${m.length}+}\r\n${m}`).join(' ');
    assert.match(await c.command('u', `APPEND INBOX ${all}`), /^u OK \[APPENDUID \d+ 1:64\]/m);
  });

  test('imapflow reads what a MULTIAPPEND stored', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    const msgs = [message('flow 1', 'one'), message('flow 2', 'two')];
    assert.match(await c.command('a', `APPEND INBOX ${msgs.map((m) => `{${m.length}+}\r\n${m}`).join(' ')}`), /^a OK/m);
    const flow = flowClient(imap(), user);
    flow.on('error', () => undefined);
    await flow.connect();
    try {
      assert.ok(flow.capabilities.has('MULTIAPPEND'));
      const lock = await flow.getMailboxLock('INBOX');
      try {
        const got = [];
        for await (const m of flow.fetch('1:*', { uid: true, source: true })) got.push({ uid: m.uid, source: m.source?.toString() });
        assert.deepEqual(got, msgs.map((m, i) => ({ uid: i + 1, source: m })));
      } finally {
        lock.release();
      }
    } finally {
      await flow.logout();
    }
  });
});
