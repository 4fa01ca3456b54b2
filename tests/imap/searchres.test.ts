// SEARCHRES (RFC 5182): SEARCH RETURN (SAVE) and "$" in later commands, the
// RFC's examples (§2.2–2.4), pipelining, and when "$" is emptied or shrinks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, message, smithMessage, untagged, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

const FEB_1994 = Date.UTC(1994, 1, 10);

/** 11 messages: 2, 10, 11 flagged, recent and not from Smith; 5 flagged from Smith; 1 flagged but from 1993; 3 and 7 have $Junk. */
async function mailbox(): Promise<{ user: string; id: number }> {
  const account = await imap().account();
  for (let n = 1; n <= 11; n++) {
    const flags = [1, 2, 5, 10, 11].includes(n) ? ['\\Flagged'] : [];
    if (n === 3 || n === 7) flags.push('$Junk');
    await imap().deliver(account.id, 'INBOX', n === 5 ? smithMessage(`m${n}`) : message(`m${n}`, n === 4 ? 'a much longer body '.repeat(300) : 'short'), flags, n === 1 ? Date.UTC(1993, 0, 1) : FEB_1994);
  }
  return account;
}

/** The message numbers "$" names now, read with SEARCH $. */
async function saved(c: RawClient): Promise<string> {
  const r = await c.command('chk', 'SEARCH $');
  assert.match(r, /chk OK /);
  return untagged(r)[0];
}

/** Sends several commands at once (pipelined) and returns everything up to the last one's tagged reply. */
async function pipeline(c: RawClient, commands: Array<[tag: string, command: string]>): Promise<string> {
  c.write(commands.map(([tag, command]) => `${tag} ${command}\r\n`).join(''));
  let out = '';
  for (const [tag] of commands) out += await c.waitTagged(tag);
  return out;
}

describe('SEARCHRES', () => {
  test('Examples 1 and 2: SAVE answers no SEARCH/ESEARCH, FETCH $ fetches the saved messages, pipelined too', DEADLINE, async () => {
    const { user } = await mailbox();
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    const r1 = await c.command('A282', 'SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"');
    assert.deepEqual(untagged(r1), []);
    assert.match(r1, /^A282 OK /);
    const r2 = await c.command('A283', 'FETCH $ (UID FLAGS)');
    assert.deepEqual(untagged(r2), ['* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))', '* 10 FETCH (UID 10 FLAGS (\\Flagged \\Recent))', '* 11 FETCH (UID 11 FLAGS (\\Flagged \\Recent))']);
    // Example 2: the same two commands sent together.
    const both = await pipeline(c, [
      ['B282', 'SEARCH RETURN (SAVE) FLAGGED NOT FROM "Smith" SINCE 1-Feb-1994'],
      ['B283', 'FETCH $ (UID)'],
    ]);
    assert.equal(both, 'B282 OK SEARCH completed\r\n* 2 FETCH (UID 2)\r\n* 10 FETCH (UID 10)\r\n* 11 FETCH (UID 11)\r\nB283 OK FETCH completed\r\n');
  });

  test('Examples 3 and 4: "$" in another SEARCH, as UID $ or $, alone or in OR', DEADLINE, async () => {
    const { user } = await mailbox();
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    assert.match(await c.command('A300', 'SEARCH RETURN (SAVE) SINCE 1-Jan-1994 NOT FROM "Smith"'), /A300 OK/);
    // Message 4 is the large one.
    assert.deepEqual(untagged(await c.command('A301', 'UID SEARCH UID $ SMALLER 4096')), ['* SEARCH 2 3 6 7 8 9 10 11']);
    assert.deepEqual(untagged(await c.command('A302', 'UID SEARCH $ SMALLER 4096')), ['* SEARCH 2 3 6 7 8 9 10 11']);
    assert.deepEqual(untagged(await c.command('A303', 'SEARCH NOT $')), ['* SEARCH 1 5']);
    // Example 4: $ OR'ed with message numbers, and a literal search string.
    assert.match(await c.command('P282', 'SEARCH RETURN (SAVE) KEYWORD $Junk'), /P282 OK/);
    const r = await c.command('P283', 'SEARCH CHARSET UTF-8 (OR $ 1,9:10) TEXT {5+}\r\nshort');
    assert.deepEqual(untagged(r), ['* SEARCH 1 3 7 9 10']);
  });

  test('Example 5: a SEARCH that was to SAVE and answers NO empties "$"; BAD, or NO without SAVE, leaves it', DEADLINE, async () => {
    const { user } = await mailbox();
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    await c.command('B282', 'SEARCH RETURN (SAVE) KEYWORD $Junk');
    assert.equal(await saved(c), '* SEARCH 3 7');
    // A BAD command (unknown key) does not change "$".
    assert.match(await c.command('B283', 'SEARCH RETURN (SAVE) NOSUCHKEY'), /B283 BAD /);
    assert.equal(await saved(c), '* SEARCH 3 7');
    // A NO without SAVE does not either (§2.1; Example 5 in RFC 5182 shows B283 without SAVE, which
    // contradicts §2.1 — RFC 9051 §6.4.4.4 fixed the example by adding SAVE).
    assert.match(await c.command('B284', 'SEARCH CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4+}\r\nXXXX'), /B284 NO \[BADCHARSET/);
    assert.equal(await saved(c), '* SEARCH 3 7');
    assert.match(await c.command('B285', 'SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4+}\r\nXXXX'), /B285 NO \[BADCHARSET/);
    assert.equal(await saved(c), '* SEARCH');
  });

  test('Examples 6 and 7: an empty "$" is valid and names nothing; COPY $ and STORE $ pipelined', DEADLINE, async () => {
    const { user } = await mailbox();
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    const empty = await pipeline(c, [
      ['E282', 'SEARCH RETURN (SAVE) SINCE 28-Oct-2006 NOT FROM "Eric"'],
      ['E283', 'COPY $ "Trash"'],
      ['E284', 'FETCH $ (UID)'],
      ['E285', 'UID STORE $ +FLAGS (\\Answered)'],
    ]);
    assert.equal(
      empty,
      'E282 OK SEARCH completed\r\nE283 OK COPY completed; no messages\r\nE284 OK FETCH completed\r\nE285 OK STORE completed\r\n',
    );
    const junk = await pipeline(c, [
      ['F282', 'SEARCH RETURN (SAVE) KEYWORD $Junk'],
      ['F283', 'COPY $ "Junk"'],
      ['F284', 'STORE $ +FLAGS.Silent (\\Deleted)'],
    ]);
    assert.match(junk, /^F282 OK SEARCH completed\r\nF283 OK \[COPYUID \d+ 3,7 1:2\] COPY completed\r\nF284 OK STORE completed\r\n$/);
    assert.deepEqual(untagged(await c.command('x', 'SEARCH DELETED')), ['* SEARCH 3 7']);
    const inJunk = await c.command('st', 'STATUS Junk (MESSAGES)');
    assert.match(inJunk, /\* STATUS "Junk" \(MESSAGES 2\)/);
  });

  test('Examples 9 and 10: the last SAVE wins; with MIN/MAX alone "$" holds only those (§2.4)', DEADLINE, async () => {
    const { user } = await mailbox();
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    await pipeline(c, [
      ['H282', 'SEARCH RETURN (SAVE) KEYWORD $Junk'],
      ['H283', 'SEARCH RETURN (SAVE) FLAGGED'],
    ]);
    assert.equal(await saved(c), '* SEARCH 1 2 5 10 11');
    const cases: Array<[options: string, esearch: string, dollar: string]> = [
      ['(ALL)', 'ALL 2,10:11', '* SEARCH 1 2 5 10 11'], // "$" unchanged
      ['(ALL SAVE)', 'ALL 2,10:11', '* SEARCH 2 10 11'],
      ['(SAVE MIN)', 'MIN 2', '* SEARCH 2'],
      ['(MAX SAVE MIN)', 'MIN 2 MAX 11', '* SEARCH 2 11'],
      ['(MAX SAVE MIN COUNT)', 'MIN 2 MAX 11 COUNT 3', '* SEARCH 2 10 11'],
      ['(SAVE MIN)', 'MIN 2', '* SEARCH 2'],
      ['(ALL SAVE MIN)', 'MIN 2 ALL 2,10:11', '* SEARCH 2 10 11'],
      ['(SAVE COUNT)', 'COUNT 3', '* SEARCH 2 10 11'],
    ];
    for (const [options, esearch, dollar] of cases) {
      const r = await c.command('C283', `SEARCH RETURN ${options} SINCE 1-Feb-1994 FLAGGED NOT FROM "Smith"`);
      assert.deepEqual(untagged(r), [`* ESEARCH (TAG "C283") ${esearch}`], options);
      assert.equal(await saved(c), dollar, options);
    }
    // No match with MIN: "$" is empty.
    await c.command('C284', 'SEARCH RETURN (SAVE MIN) KEYWORD nothing');
    assert.equal(await saved(c), '* SEARCH');
  });

  test('"$" is kept as messages: UID SEARCH (SAVE) then FETCH $ and vice versa; UID FETCH, MOVE, UID EXPUNGE $', DEADLINE, async () => {
    const { user } = await mailbox();
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    // Message numbers and UIDs differ once 1 is gone.
    await c.command('d', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await c.command('e', 'EXPUNGE');
    await c.command('u', 'UID SEARCH RETURN (SAVE) KEYWORD $Junk');
    assert.deepEqual(untagged(await c.command('f', 'FETCH $ (UID)')), ['* 2 FETCH (UID 3)', '* 6 FETCH (UID 7)']);
    assert.deepEqual(untagged(await c.command('g', 'UID FETCH $ (FLAGS)')), ['* 2 FETCH (UID 3 FLAGS ($Junk \\Recent))', '* 6 FETCH (UID 7 FLAGS ($Junk \\Recent))']);
    await c.command('v', 'SEARCH RETURN (SAVE) 9:10');
    assert.deepEqual(untagged(await c.command('h', 'UID FETCH $ (UID)')), ['* 9 FETCH (UID 10)', '* 10 FETCH (UID 11)']);
    // MOVE $ reports the EXPUNGEs; "$" then names nothing that is left.
    const moved = await c.command('m', 'MOVE $ Trash');
    assert.match(moved, /\* OK \[COPYUID \d+ 10:11 1:2\] Moved\r\n\* 10 EXPUNGE\r\n\* 9 EXPUNGE\r\nm OK /);
    assert.deepEqual(untagged(await c.command('h2', 'FETCH $ (UID)')), []);
    // UID EXPUNGE $ removes exactly the saved messages that are \Deleted.
    await c.command('w', 'STORE 1:3 +FLAGS.SILENT (\\Deleted)');
    await c.command('x', 'SEARCH RETURN (SAVE) 2:4');
    const ex = await c.command('y', 'UID EXPUNGE $');
    assert.deepEqual(untagged(ex), ['* 3 EXPUNGE', '* 2 EXPUNGE']);
    assert.equal(await saved(c), '* SEARCH 2');
    assert.deepEqual(untagged(await c.command('z', 'UID SEARCH ALL')), ['* SEARCH 2 5 6 7 8 9']);
  });

  test('"$" is emptied by SELECT, EXAMINE, CLOSE and UNSELECT', DEADLINE, async () => {
    const { user } = await mailbox();
    const c = await imap().login(user);
    for (const leave of ['SELECT INBOX', 'EXAMINE INBOX', 'UNSELECT', 'CLOSE']) {
      await c.command('s', 'SELECT INBOX');
      await c.command('k', 'SEARCH RETURN (SAVE) FLAGGED');
      assert.equal(await saved(c), '* SEARCH 1 2 5 10 11');
      await c.command('l', leave);
      if (!leave.startsWith('SELECT') && !leave.startsWith('EXAMINE')) {
        // Without a mailbox "$" cannot be used at all.
        assert.match(await c.command('n', 'FETCH $ (UID)'), /^n BAD /m);
        await c.command('s', 'SELECT INBOX');
      }
      assert.equal(await saved(c), '* SEARCH', leave);
      assert.deepEqual(untagged(await c.command('f', 'FETCH $ (UID)')), [], leave);
    }
  });

  test('a message expunged by another session leaves "$" once the EXPUNGE is reported', DEADLINE, async () => {
    const { user } = await mailbox();
    const a = await imap().login(user);
    const b = await imap().login(user);
    await a.command('s', 'SELECT INBOX');
    await b.command('s', 'SELECT INBOX');
    await a.command('k', 'UID SEARCH RETURN (SAVE) FLAGGED');
    await b.command('d', 'UID STORE 2 +FLAGS.SILENT (\\Deleted)');
    await b.command('e', 'UID EXPUNGE 2');
    // The FETCH may not report the EXPUNGE (RFC 3501 §7.4.1): message 2 keeps its number, its data is gone.
    assert.deepEqual(untagged(await a.command('f', 'FETCH $ (UID)')), ['* 1 FETCH (UID 1)', '* 5 FETCH (UID 5)', '* 10 FETCH (UID 10)', '* 11 FETCH (UID 11)']);
    assert.deepEqual(untagged(await a.command('n', 'NOOP')), ['* 2 EXPUNGE']);
    assert.deepEqual(untagged(await a.command('g', 'FETCH $ (UID)')), ['* 1 FETCH (UID 1)', '* 4 FETCH (UID 5)', '* 9 FETCH (UID 10)', '* 10 FETCH (UID 11)']);
    assert.equal(await saved(a), '* SEARCH 1 4 9 10');
  });

  test('"$" is a whole sequence set: mixed with numbers it is BAD', DEADLINE, async () => {
    const { user } = await mailbox();
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    for (const bad of ['FETCH $,1 (UID)', 'FETCH 1:$ (UID)', 'SEARCH $:3', 'UID STORE $$ +FLAGS (x)', 'COPY ($) Trash']) {
      assert.match(await c.command('b', bad), /^b BAD /m, bad);
    }
    assert.match(await c.command('o', 'FETCH $ (UID)'), /^o OK /m);
  });
});
