// Hostile input: each gets BAD, NO or BYE; nothing stored changes; the server
// keeps serving other sessions.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { message, startImap, untagged } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

type Imap = Awaited<ReturnType<typeof startImap>>;
let imap: Imap;
let user: string;
let bystander: RawClient;
before(async () => {
  imap = await startImap();
  const account = await imap.account();
  user = account.user;
  await imap.deliver(account.id, 'INBOX', message('kept'));
  bystander = await imap.login(user);
  await bystander.command('s', 'SELECT INBOX');
});
after(() => imap.stop());

/** The other session still works and the mailbox is unchanged. */
async function stillServing(): Promise<void> {
  const tag = `t${crypto.randomBytes(3).toString('hex')}`;
  const r = await bystander.command(tag, 'FETCH 1:* (UID FLAGS)');
  assert.deepEqual(untagged(r), ['* 1 FETCH (UID 1 FLAGS (\\Recent))']);
  assert.match(r, new RegExp(`${tag} OK`));
}

describe('hostile input', () => {
  test('random bytes get BAD or BYE', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        const c = await imap.connect({ tls: true });
        c.write(Buffer.concat([Buffer.from(bytes), Buffer.from('\r\nzz NOOP\r\n')]));
        // Either the NOOP after the garbage is answered, or the session was ended with BYE.
        const out = await c.readUntil((s) => /zz OK|\* BYE/.test(s) || c.isClosed).catch(() => '');
        assert.ok(/zz OK|\* BYE|BAD/.test(out) || c.isClosed, JSON.stringify(out));
        c.close();
      }),
      { numRuns: 25 },
    );
    await stillServing();
  });

  test('an unterminated literal, then a dropped connection', async () => {
    const c = await imap.login(user);
    c.write('a APPEND INBOX {100}\r\n');
    await c.readUntil((s) => s.includes('+ '));
    c.write('only part of it');
    c.close();
    await stillServing();
  });

  test('a literal announced at 4 GB: NO [TOOBIG] when synchronising, BYE when not', async () => {
    const c = await imap.login(user);
    c.write('a APPEND INBOX {4294967296}\r\n');
    assert.match(await c.waitTagged('a'), /^a NO \[TOOBIG\]/);
    c.write('b LOGIN {4294967296}\r\n');
    assert.match(await c.waitTagged('b'), /^b BAD/);
    assert.match(await c.command('c', 'NOOP'), /^c OK/);
    c.write('d APPEND INBOX {4294967296+}\r\n');
    await c.readUntil((s) => s.includes('* BYE'));
    await c.waitClosed();
    await stillServing();
  });

  test('10,000 nested parentheses get BAD', async () => {
    const c = await imap.login(user);
    await c.command('s', 'SELECT INBOX');
    assert.match(await c.command('a', `FETCH 1 ${'('.repeat(10000)}FLAGS${')'.repeat(10000)}`), /^a BAD/);
    assert.match(await c.command('b', `SEARCH ${'('.repeat(10000)}ALL${')'.repeat(10000)}`), /^b BAD/);
    assert.match(await c.command('c', 'NOOP'), /^c OK/);
    await stillServing();
  });

  test('invalid sequence sets get BAD', async () => {
    const c = await imap.login(user);
    await c.command('s', 'SELECT INBOX');
    for (const set of ['0', '2', '1:2', '-1', '1,,', '*:0', '4294967296', 'abc', '1:*:2']) {
      assert.match(await c.command('a', `FETCH ${set} FLAGS`), /^a BAD/, set);
      assert.match(await c.command('b', `STORE ${set} +FLAGS (\\Deleted)`), /^b BAD/, set);
    }
    assert.match(await c.command('c', 'UID FETCH 0 FLAGS'), /^c BAD/);
    await stillServing();
  });

  test('a line longer than the cap ends the session with BYE', async () => {
    const c = await imap.login(user);
    c.write('a NOOP ' + 'x'.repeat(70 * 1024));
    await c.readUntil((s) => s.includes('* BYE'));
    await c.waitClosed();
    await stillServing();
  });

  test('too many bad commands end the session with BYE', async () => {
    const c = await imap.connect({ tls: true });
    for (let i = 0; i < 19; i++) assert.match(await c.command(`b${i}`, 'BOGUS'), /BAD/);
    c.write('last BOGUS\r\n');
    await c.readUntil((s) => s.includes('* BYE Too many invalid commands'));
    await c.waitClosed();
    await stillServing();
  });

  test('NUL and 8-bit bytes in a command line get BAD', async () => {
    const c = await imap.login(user);
    c.write(Buffer.from('a SELECT IN\0BOX\r\nb CREATE "\xff\xfe"\r\nc NOOP\r\n', 'latin1'));
    const out = await c.waitTagged('c');
    assert.match(out, /^a BAD/);
    assert.match(out, /\r\nb BAD/);
    await stillServing();
  });
});
