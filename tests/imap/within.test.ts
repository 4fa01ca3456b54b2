// WITHIN (RFC 5032): YOUNGER n / OLDER n seconds before now, on the internal
// date, to the second; the RFC's example; syntax errors; and a live context
// whose result changes as time passes, with no change to the mailbox.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, expectBad, message, untagged, untaggedOk, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();
const DAY = 86_400_000;

async function search(c: RawClient, criteria: string): Promise<string> {
  return (await untaggedOk(c, `SEARCH ${criteria}`))[0];
}

describe('WITHIN', () => {
  test('is advertised', DEADLINE, async () => {
    const c = await imap().connect({ tls: true });
    assert.match(await c.command('c', 'CAPABILITY'), /^\* CAPABILITY .* WITHIN[ \r]/);
  });

  test("RFC 5032 §4's example: unseen messages of the past 3 days", DEADLINE, async () => {
    const { user, id } = await imap().account();
    const now = Date.now();
    // 1: 1 day old, unseen; 2: 2 days, seen; 3: 4 days, unseen; 4: 2.9 days, unseen; 5: an hour, unseen.
    await imap().deliver(id, 'INBOX', message('w1'), [], now - DAY);
    await imap().deliver(id, 'INBOX', message('w2'), ['\\Seen'], now - 2 * DAY);
    await imap().deliver(id, 'INBOX', message('w3'), [], now - 4 * DAY);
    await imap().deliver(id, 'INBOX', message('w4'), [], now - 2.9 * DAY);
    await imap().deliver(id, 'INBOX', message('w5'), [], now - 3_600_000);
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    const r = await c.command('a1', 'SEARCH UNSEEN YOUNGER 259200');
    assert.deepEqual(untagged(r), ['* SEARCH 1 4 5']);
    assert.equal(await search(c, 'OLDER 259200'), '* SEARCH 3');
    assert.equal(await search(c, 'YOUNGER 259200'), '* SEARCH 1 2 4 5');
    assert.equal(await search(c, 'NOT YOUNGER 7200'), '* SEARCH 1 2 3 4');
    assert.equal(await search(c, 'OR OLDER 300000 YOUNGER 7200'), '* SEARCH 3 5');
    assert.equal(await search(c, 'OLDER 90000 YOUNGER 259200'), '* SEARCH 2 4');
    assert.equal(await search(c, 'younger 4294967295'), '* SEARCH 1 2 3 4 5');
    assert.equal(await search(c, 'OLDER 4294967295'), '* SEARCH');
    // With ESEARCH and UIDs.
    assert.deepEqual(untagged(await c.command('e', 'UID SEARCH RETURN (MIN MAX COUNT) YOUNGER 259200')), ['* ESEARCH (TAG "e") UID MIN 1 MAX 5 COUNT 4']);
  });

  test('the internal date counts, not Date:, and to the second: OLDER is at or before now − n, YOUNGER at or after', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const now = Math.floor(Date.now() / 1000) * 1000;
    // Date: says 1994; the internal date is 100 s ago.
    await imap().deliver(id, 'INBOX', message('fresh'), [], now - 100_000);
    await imap().deliver(id, 'INBOX', message('older'), [], now - 1000_000);
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    assert.equal(await search(c, 'YOUNGER 500'), '* SEARCH 1');
    assert.equal(await search(c, 'OLDER 500'), '* SEARCH 2');
    assert.equal(await search(c, 'YOUNGER 50'), '* SEARCH');
    assert.equal(await search(c, 'OLDER 5000'), '* SEARCH');
    assert.equal(await search(c, 'SENTBEFORE 1-Jan-2000 YOUNGER 500'), '* SEARCH 1');
  });

  test('a missing, zero, negative, non-numeric or too large interval is BAD', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('x'));
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    await expectBad(
      c,
      ['YOUNGER', 'YOUNGER 0', 'OLDER -5', 'OLDER 1.5', 'YOUNGER abc', 'OLDER 4294967296', 'YOUNGER 099', 'OLDER "60"', 'YOUNGER (60)'].map((bad) => `SEARCH ${bad}`),
    );
    assert.equal(await search(c, 'YOUNGER 3600'), '* SEARCH 1');
  });

  test('a live context with YOUNGER/OLDER follows the clock: the message moves from one result to the other', DEADLINE, async () => {
    const { user, id } = await imap().account();
    // 52 s old: YOUNGER 60 holds it for about 8 more seconds.
    const born = Date.now() - 52_000;
    await imap().deliver(id, 'INBOX', message('ageing'), [], born);
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    assert.deepEqual(untagged(await c.command('Y', 'UID SEARCH RETURN (UPDATE) YOUNGER 60')), ['* ESEARCH (TAG "Y") UID ALL 1']);
    assert.deepEqual(untagged(await c.command('O', 'UID SEARCH RETURN (UPDATE COUNT) OLDER 60')), ['* ESEARCH (TAG "O") UID COUNT 0']);
    // Nothing in the mailbox changes. In the second the message is exactly 60 s old it is both (RFC 5032 §2:
    // "less recent than or equal", "more recent than or equal"); after it, only OLDER. NOOPs hear of each change once.
    const heard: string[] = [];
    while (heard.length < 2) {
      assert.ok(Date.now() < born + 75_000, `no update within 15 s of the message turning 60 s old: ${heard}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const lines = untagged(await c.command('n', 'NOOP'));
      if (lines.includes('* ESEARCH (TAG "Y") UID REMOVEFROM (1 1)')) assert.ok(Date.now() >= born + 60_000, 'YOUNGER 60 dropped the message early');
      heard.push(...lines);
    }
    assert.deepEqual(heard.sort(), ['* ESEARCH (TAG "O") UID ADDTO (1 1)', '* ESEARCH (TAG "Y") UID REMOVEFROM (1 1)']);
    assert.deepEqual(untagged(await c.command('n', 'NOOP')), []);
  });
});
