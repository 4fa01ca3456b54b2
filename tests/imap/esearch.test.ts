// ESEARCH (RFC 4731): SEARCH / UID SEARCH RETURN (MIN MAX COUNT ALL), the
// RFC's own examples, empty results, sequence-set compression, MODSEQ
// (§3.2), bad return options, and imapflow's returnOptions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, expectBad, flowClient, message, smithMessage, untagged, untaggedOk, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

const FEB_1994 = Date.UTC(1994, 1, 10);

/**
 * The mailbox of RFC 4731 §3.1's examples: messages 2, 10 and 11 are flagged,
 * since February 1994 and not from Smith; 5 is flagged but from Smith; 1 is
 * flagged but older; 1–3 are \Seen; 6 and 7 are \Deleted.
 */
async function rfcMailbox(): Promise<{ user: string; id: number }> {
  const account = await imap().account();
  for (let n = 1; n <= 11; n++) {
    const flags: string[] = [];
    if ([1, 2, 5, 10, 11].includes(n)) flags.push('\\Flagged');
    if (n <= 3) flags.push('\\Seen');
    if (n === 6 || n === 7) flags.push('\\Deleted');
    const raw = n === 5 ? smithMessage(`m${n}`) : message(`m${n}`);
    await imap().deliver(account.id, 'INBOX', raw, flags, n === 1 ? Date.UTC(1993, 0, 1) : FEB_1994);
  }
  return account;
}

async function expect(c: RawClient, command: string, lines: string[]): Promise<void> {
  assert.deepEqual(await untaggedOk(c, command), lines, command);
}

describe('ESEARCH', () => {
  test("RFC 4731 §3.1's examples", DEADLINE, async () => {
    const { user } = await rfcMailbox();
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    const r1 = await c.command('A282', 'SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"');
    assert.deepEqual(untagged(r1), ['* ESEARCH (TAG "A282") MIN 2 COUNT 3']);
    assert.match(r1, /A282 OK /);
    const r2 = await c.command('A283', 'SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"');
    assert.deepEqual(untagged(r2), ['* ESEARCH (TAG "A283") ALL 2,10:11']);
    const r3 = await c.command('A284', 'SEARCH RETURN (MIN) UNSEEN');
    assert.deepEqual(untagged(r3), ['* ESEARCH (TAG "A284") MIN 4']);
    // The UID indicator: MIN and MAX are UIDs (here 1 and 11).
    const r4 = await c.command('A285', 'UID SEARCH RETURN (MIN MAX) 1:5000');
    assert.deepEqual(untagged(r4), ['* ESEARCH (TAG "A285") UID MIN 1 MAX 11']);
    const r5 = await c.command('A286', 'SEARCH RETURN (COUNT) DELETED');
    assert.deepEqual(untagged(r5), ['* ESEARCH (TAG "A286") COUNT 2']);
    // The data come in one order whatever order the options were asked in.
    await expect(c, 'SEARCH RETURN (ALL COUNT MAX MIN) FLAGGED', ['* ESEARCH (TAG "t") MIN 1 MAX 11 COUNT 5 ALL 1:2,5,10:11']);
    // A plain SEARCH still answers SEARCH.
    await expect(c, 'SEARCH FLAGGED', ['* SEARCH 1 2 5 10 11']);
  });

  test('UIDs in the UID form, message numbers otherwise; ALL as a compact sequence set', DEADLINE, async () => {
    const { user, id } = await imap().account();
    for (let n = 1; n <= 12; n++) await imap().deliver(id, 'INBOX', message(`u${n}`), n % 4 === 0 ? [] : ['$Match']);
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    // Expunge 1–3: message numbers and UIDs now differ by 3.
    await c.command('d', 'STORE 1:3 +FLAGS.SILENT (\\Deleted)');
    await c.command('e', 'EXPUNGE');
    await expect(c, 'SEARCH RETURN (ALL COUNT) KEYWORD $Match', ['* ESEARCH (TAG "t") COUNT 6 ALL 2:4,6:8']);
    await expect(c, 'UID SEARCH RETURN (ALL COUNT) KEYWORD $Match', ['* ESEARCH (TAG "t") UID COUNT 6 ALL 5:7,9:11']);
    await expect(c, 'UID SEARCH RETURN (ALL) ALL', ['* ESEARCH (TAG "t") UID ALL 4:12']);
    // RETURN () is RETURN (ALL), and CHARSET may follow it.
    await expect(c, 'UID SEARCH RETURN () CHARSET UTF-8 UNKEYWORD $Match', ['* ESEARCH (TAG "t") UID ALL 4,8,12']);
    // Options are case-insensitive.
    await expect(c, 'uid search return (min) keyword $Match', ['* ESEARCH (TAG "t") UID MIN 5']);
  });

  test('no match: MIN, MAX and ALL are left out, COUNT is 0, and the response still comes (RFC 4731 §3.1)', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('only'));
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    await expect(c, 'SEARCH RETURN (MIN MAX ALL) KEYWORD nothing', ['* ESEARCH (TAG "t")']);
    await expect(c, 'UID SEARCH RETURN (MIN MAX) KEYWORD nothing', ['* ESEARCH (TAG "t") UID']);
    await expect(c, 'UID SEARCH RETURN (MIN COUNT) KEYWORD nothing', ['* ESEARCH (TAG "t") UID COUNT 0']);
    await expect(c, 'SEARCH RETURN () KEYWORD nothing', ['* ESEARCH (TAG "t")']);
    // An empty mailbox too.
    await c.command('s2', 'EXAMINE Trash');
    await expect(c, 'UID SEARCH RETURN (COUNT ALL) ALL', ['* ESEARCH (TAG "t") UID COUNT 0']);
  });

  test('MODSEQ with result options (RFC 4731 §3.2): the found message, the two, or all returned', DEADLINE, async () => {
    const { user, id } = await imap().account();
    for (let n = 1; n <= 4; n++) await imap().deliver(id, 'INBOX', message(`q${n}`));
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX (CONDSTORE)');
    // Flag 1, 2, 4 as drafts in the order 4, 1, 2, so their MODSEQs are not in UID order.
    const modseq: Record<number, number> = {};
    for (const n of [4, 1, 2]) {
      const r = await c.command('f', `STORE ${n} +FLAGS (\\Draft)`);
      modseq[n] = Number(/MODSEQ \((\d+)\)/.exec(r)![1]);
    }
    const since = modseq[4] - 1;
    await expect(c, `SEARCH RETURN (MIN) MODSEQ "/flags/\\\\draft" all ${since}`, [`* ESEARCH (TAG "t") MIN 1 MODSEQ ${modseq[1]}`]);
    await expect(c, `SEARCH RETURN (MAX) MODSEQ "/flags/\\\\draft" all ${since}`, [`* ESEARCH (TAG "t") MAX 4 MODSEQ ${modseq[4]}`]);
    await expect(c, `SEARCH RETURN (MIN MAX) MODSEQ ${since}`, [`* ESEARCH (TAG "t") MIN 1 MAX 4 MODSEQ ${Math.max(modseq[1], modseq[4])}`]);
    await expect(c, `SEARCH RETURN (MIN COUNT) MODSEQ ${since}`, [`* ESEARCH (TAG "t") MIN 1 COUNT 3 MODSEQ ${modseq[2]}`]);
    await expect(c, `UID SEARCH RETURN (ALL) MODSEQ ${since}`, [`* ESEARCH (TAG "t") UID ALL 1:2,4 MODSEQ ${modseq[2]}`]);
    // No match: no MODSEQ either.
    await expect(c, `SEARCH RETURN (COUNT) MODSEQ ${modseq[2] + 1}`, ['* ESEARCH (TAG "t") COUNT 0']);
  });

  test('bad return options get BAD and the session goes on', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('x'));
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    await expectBad(c, [
      'SEARCH RETURN (FOO) ALL',
      'SEARCH RETURN MIN ALL',
      'SEARCH RETURN ("MIN") ALL',
      'SEARCH RETURN (MIN)',
      'SEARCH RETURN',
      'SEARCH CHARSET UTF-8 RETURN (MIN) ALL',
      'SEARCH RETURN (MIN) RETURN (MAX) ALL',
      'SEARCH RETURN ((MIN)) ALL',
    ]);
    await expect(c, 'SEARCH RETURN (COUNT) ALL', ['* ESEARCH (TAG "t") COUNT 1']);
    // An unknown charset is NO [BADCHARSET], with or without RETURN.
    const r = await c.command('n', 'SEARCH RETURN (COUNT) CHARSET KOI8-R ALL');
    assert.match(r, /^n NO \[BADCHARSET \(UTF-8 US-ASCII\)\] /m);
  });

  test('imapflow: search with returnOptions gets the ESEARCH answers', DEADLINE, async () => {
    const { user, id } = await imap().account();
    for (let n = 1; n <= 6; n++) await imap().deliver(id, 'INBOX', message(`i${n}`), n % 2 ? ['\\Flagged'] : []);
    const client = flowClient(imap(), user);
    await client.connect();
    try {
      assert.ok(client.capabilities.has('ESEARCH'));
      const lock = await client.getMailboxLock('INBOX');
      try {
        const found = await client.search({ flagged: true }, { uid: true, returnOptions: ['MIN', 'MAX', 'COUNT', 'ALL'] });
        assert.deepEqual(found, { min: 1, max: 5, count: 3, all: '1,3,5' });
        const none = await client.search({ keyword: 'nothing' }, { returnOptions: ['COUNT', 'ALL'] });
        assert.deepEqual(none, { count: 0 });
        // Without returnOptions imapflow reads the plain SEARCH answer.
        assert.deepEqual(await client.search({ flagged: false }, { uid: true }), [2, 4, 6]);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });
});
