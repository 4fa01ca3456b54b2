// STATUS=SIZE (RFC 8438): STATUS … (SIZE) is the sum of the messages'
// RFC822.SIZE, computed by one query, so it is exact whatever else is writing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, message, untagged, useImap } from './fixture.ts';

const imap = useImap();

function status(response: string): Record<string, number> {
  const m = /^\* STATUS \S+ \(([^)]*)\)\r\n/.exec(response);
  assert.ok(m, response);
  const parts = m[1].split(' ');
  const out: Record<string, number> = {};
  for (let i = 0; i < parts.length; i += 2) out[parts[i]] = Number(parts[i + 1]);
  return out;
}

describe('STATUS=SIZE', () => {
  test('the sum of RFC822.SIZE, as the RFC example asks it; follows APPEND, COPY and EXPUNGE', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('cap', 'CAPABILITY'), /^\* CAPABILITY [^\r]* STATUS=SIZE/);
    assert.match(await c.command('e', 'STATUS Trash (MESSAGES SIZE)'), /^\* STATUS "Trash" \(MESSAGES 0 SIZE 0\)\r\n/);
    for (const body of ['short', 'a somewhat longer body '.repeat(40), 'é€ utf-8 body']) await imap().deliver(id, 'INBOX', message(`Size ${body.length}`, body));
    const raw = message('Appended', 'x'.repeat(5000));
    await c.command('a', `APPEND INBOX {${Buffer.byteLength(raw)}+}\r\n${raw}`);
    await c.command('s', 'SELECT INBOX');
    const sizes = untagged(await c.command('f', 'FETCH 1:* RFC822.SIZE')).map((l) => Number(/RFC822\.SIZE (\d+)/.exec(l)![1]));
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.deepEqual(status(await c.command('st', 'STATUS INBOX (MESSAGES SIZE)')), { MESSAGES: 4, SIZE: total });
    await c.command('cp', 'COPY 2:3 Trash');
    assert.deepEqual(status(await c.command('st2', 'STATUS Trash (SIZE)')), { SIZE: sizes[1] + sizes[2] });
    await c.command('d', 'STORE 1,4 +FLAGS.SILENT (\\Deleted)');
    await c.command('x', 'EXPUNGE');
    assert.deepEqual(status(await c.command('st3', 'STATUS INBOX (SIZE MESSAGES UNSEEN)')), { SIZE: sizes[1] + sizes[2], MESSAGES: 2, UNSEEN: 2 });
    assert.match(await c.command('st4', 'STATUS Nowhere (SIZE)'), /^st4 NO \[NONEXISTENT\]/);
    assert.match(await c.command('st5', 'STATUS INBOX (SIZES)'), /^st5 BAD /);
  });

  test('exact under concurrent deliveries and expunges: every answer is one consistent count', DEADLINE, async () => {
    const { user, id } = await imap().account();
    // Messages of one size, so a consistent answer is SIZE = MESSAGES × that size.
    const raw = message('Same size', 'y'.repeat(300));
    const each = Buffer.byteLength(raw);
    for (let i = 0; i < 20; i++) await imap().deliver(id, 'INBOX', raw);
    const reader = await imap().login(user);
    const writer = await imap().login(user);
    await writer.command('s', 'SELECT INBOX');
    const writes = (async () => {
      for (let round = 0; round < 10; round++) {
        await Promise.all([imap().deliver(id, 'INBOX', raw), imap().deliver(id, 'INBOX', raw)]);
        await writer.command(`d${round}`, `STORE 1 +FLAGS.SILENT (\\Deleted)`);
        await writer.command(`x${round}`, 'EXPUNGE');
      }
    })();
    const answers: Array<Record<string, number>> = [];
    let done = false;
    void writes.finally(() => (done = true));
    for (let i = 0; !done || i < 5; i++) answers.push(status(await reader.command(`r${i}`, 'STATUS INBOX (MESSAGES SIZE)')));
    await writes;
    for (const a of answers) assert.equal(a.SIZE, a.MESSAGES * each, JSON.stringify(a));
    assert.deepEqual(status(await reader.command('last', 'STATUS INBOX (MESSAGES SIZE)')), { MESSAGES: 30, SIZE: 30 * each });
  });
});
