// STORE and the keywords it creates: every session is told of a keyword in an
// untagged FLAGS before any FETCH shows it (RFC 3501 §7.2.6), whoever set it —
// its own STORE or APPEND, another session, delivery or another store writer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findMailbox, storeFlags } from '../../schema/index.ts';
import { DEADLINE, flowClient, message, untagged, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

/**
 * FETCH lines of a transcript that show a keyword the last FLAGS response on
 * that connection did not list (keywords compare case-insensitively).
 */
function unannounced(transcript: string): string[] {
  let known = new Set<string>();
  const bad: string[] = [];
  for (const line of transcript.split('\r\n')) {
    const flags = /^\* FLAGS \(([^)]*)\)$/.exec(line);
    if (flags) {
      known = new Set(flags[1].split(' ').map((f) => f.toLowerCase()));
      continue;
    }
    const fetch = /^\* \d+ FETCH \(.*\bFLAGS \(([^)]*)\)/.exec(line);
    if (fetch && fetch[1].split(' ').some((f) => f !== '' && !f.startsWith('\\') && !known.has(f.toLowerCase()))) bad.push(line);
  }
  return bad;
}

const count = (transcript: string, re: RegExp) => transcript.split('\r\n').filter((l) => re.test(l)).length;

describe('keywords are announced before a FETCH shows them', () => {
  test('SELECT and EXAMINE list the keywords in use, in FLAGS and PERMANENTFLAGS', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('junk'), ['$Junk', '\\Seen']);
    await imap().deliver(id, 'INBOX', message('work'), ['Work', '$junk']);
    const c = await imap().login(user);
    const sel = untagged(await c.command('s', 'SELECT INBOX'));
    // "$Junk" and "$junk" are one keyword (RFC 3501 §2.3.2): listed once.
    assert.ok(sel.includes('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk Work)'), sel.join('\n'));
    assert.ok(sel.includes('* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk Work \\*)] Flags permitted'), sel.join('\n'));
    const ex = untagged(await c.command('e', 'EXAMINE INBOX'));
    assert.ok(ex.includes('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk Work)'), ex.join('\n'));
    assert.ok(ex.includes('* OK [PERMANENTFLAGS ()] Read-only mailbox'), ex.join('\n'));
    // Nothing new: FETCH needs no FLAGS of its own.
    assert.deepEqual(untagged(await c.command('f', 'FETCH 1:* FLAGS')).filter((l) => !/ FETCH /.test(l)), []);
  });

  test('STORE echo, FETCH, .SILENT then FETCH, UID STORE: a new keyword gets FLAGS first, once', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('one'));
    await imap().deliver(id, 'INBOX', message('two'));
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    assert.deepEqual(untagged(await c.command('a', 'STORE 1 +FLAGS ($Label1)')), [
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 \\*)] Flags permitted',
      '* 1 FETCH (FLAGS ($Label1 \\Recent))',
    ]);
    // Announced already (in another case): no second FLAGS.
    assert.deepEqual(untagged(await c.command('b', 'STORE 2 +FLAGS ($LABEL1)')), ['* 2 FETCH (FLAGS ($LABEL1 \\Recent))']);
    // .SILENT shows nothing, so it announces nothing; the FETCH that shows it does.
    assert.deepEqual(untagged(await c.command('c', 'STORE 2 +FLAGS.SILENT ($Label2)')), []);
    assert.deepEqual(untagged(await c.command('d', 'FETCH 2 FLAGS')), [
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 $Label2)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 $Label2 \\*)] Flags permitted',
      '* 2 FETCH (FLAGS ($LABEL1 $Label2 \\Recent))',
    ]);
    const uidStore = untagged(await c.command('e', 'UID STORE 1 FLAGS ($Label3)'));
    assert.equal(uidStore.length, 3);
    assert.match(uidStore[0], /^\* FLAGS \(.* \$Label3\)$/);
    assert.equal(uidStore[2], '* 1 FETCH (UID 1 FLAGS ($Label3 \\Recent))');
    // An APPEND with a keyword into the selected mailbox: the FETCH that shows it announces it.
    const raw = message('three');
    await c.command('f', `APPEND INBOX ($Label4) {${raw.length}+}\r\n${raw}`);
    const fetched = untagged(await c.command('g', 'FETCH 3 FLAGS'));
    assert.match(fetched[0], /^\* FLAGS \(.* \$Label4\)$/);
    assert.equal(fetched.at(-1), '* 3 FETCH (FLAGS ($Label4 \\Recent))');
  });

  test('several sessions storing $Label1–$Label5, delivery and another writer: no FETCH shows an unannounced keyword', { timeout: 180_000 }, async () => {
    const { user, id } = await imap().account();
    const MESSAGES = 12;
    for (let i = 0; i < MESSAGES; i++) await imap().deliver(id, 'INBOX', message(`m${i}`), i === 0 ? ['$Seed'] : []);
    const box = await findMailbox(imap().heron.store, id, 'INBOX');
    const writers = [await imap().login(user), await imap().login(user), await imap().login(user)];
    const reader = await imap().login(user); // EXAMINE: read-only, still told of keywords
    const idler = await imap().login(user);
    const transcripts = new Map<RawClient, string>();
    const log = (c: RawClient, text: string) => transcripts.set(c, (transcripts.get(c) ?? '') + text);
    for (const c of writers) log(c, await c.command('s', 'SELECT INBOX'));
    log(reader, await reader.command('s', 'EXAMINE INBOX'));
    log(idler, await idler.command('s', 'SELECT INBOX'));
    idler.write('i IDLE\r\n');
    await idler.readUntil((b) => b.includes('+ idling\r\n'));

    for (let round = 0; round < 30; round++) {
      for (const [n, c] of writers.entries()) {
        const seq = ((round * 5 + n * 7) % MESSAGES) + 1;
        const label = `$Label${((round + n) % 5) + 1}`;
        const other = `$Label${((round + n + 2) % 5) + 1}`;
        const commands = [
          `STORE ${seq} +FLAGS (${label})`,
          `STORE ${seq}:${Math.min(seq + 2, MESSAGES)} +FLAGS.SILENT (${label} ${other})`,
          `FETCH 1:* (UID FLAGS)`,
          `UID STORE ${seq} FLAGS (${other} \\Seen)`,
          `STORE ${seq} -FLAGS (${label})`,
          'NOOP',
        ];
        log(c, await c.command(`w${round}`, commands[(round + n) % commands.length]));
      }
      log(reader, await reader.command(`r${round}`, round % 2 ? 'FETCH 1:* FLAGS' : 'NOOP'));
      if (round === 10) {
        const raw = message('appended');
        log(writers[0], await writers[0].command('ap', `APPEND INBOX ($Label6) {${raw.length}+}\r\n${raw}`));
      }
      // Delivery (as SMTP stores it) and another store writer (as the API does).
      if (round === 15) await imap().deliver(id, 'INBOX', message('delivered'), ['$Label7']);
      if (round === 20) await storeFlags(imap().heron.store, { mailboxId: box!.id, uids: [2, 3], op: 'add', flags: ['$Label8'] });
    }
    // The idler hears of the last keyword while still idling, then ends IDLE.
    await idler.readUntil((b) => /FETCH \(UID \d+ FLAGS \([^)]*\$Label8/.test(b));
    idler.write('DONE\r\n');
    log(idler, await idler.waitTagged('i'));
    for (const c of [...writers, reader]) log(c, await c.command('z', 'FETCH 1:* FLAGS'));

    for (const [c, transcript] of transcripts) {
      assert.deepEqual(unannounced(transcript), [], 'a FETCH showed a keyword before FLAGS listed it');
      // The check had something to check: keywords were shown, and announced after SELECT.
      assert.ok(count(transcript, /^\* \d+ FETCH .*\$Label/) > 0, `no keyword FETCH on a session:\n${transcript.slice(0, 2000)}`);
      assert.ok(count(transcript, /^\* FLAGS /) > 1, 'no FLAGS after SELECT');
      assert.ok(!c.isClosed);
    }
    // Every keyword set anywhere reached the FLAGS of each session that fetched all flags at the end.
    for (const c of [...writers, reader]) {
      const last = transcripts.get(c)!.split('\r\n').filter((l) => l.startsWith('* FLAGS ')).at(-1)!;
      for (let k = 1; k <= 8; k++) assert.ok(last.includes(`$Label${k}`), `$Label${k} missing from ${last}`);
      assert.ok(last.includes('$Seed'));
    }
  });

  test('imapflow sees the keywords in use when it opens a mailbox', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('tagged'), ['$Important']);
    const client = flowClient(imap(), user);
    await client.connect();
    try {
      const box = await client.mailboxOpen('INBOX');
      assert.ok(box.flags.has('$Important'), [...box.flags].join(' '));
      assert.ok(box.permanentFlags?.has('$Important'));
      assert.ok(box.permanentFlags?.has('\\*'));
    } finally {
      await client.logout();
    }
  });
});
