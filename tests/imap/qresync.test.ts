// QRESYNC (RFC 7162 §3.2): ENABLE, SELECT/EXAMINE with the QRESYNC parameter
// (VANISHED (EARLIER) and FETCH of what changed, known UIDs, sequence match
// data), UID FETCH (CHANGEDSINCE … VANISHED), VANISHED in place of EXPUNGE
// wherever a session reports removals, [CLOSED], the HIGHESTMODSEQ rules, and
// the answer once the journal no longer reaches back (the retention policy).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findMailbox } from '../../schema/index.ts';
import { matchedUid, parseQresync } from '../../imapd/qresync/params.ts';
import { chunkedSets, toRanges } from '../../imapd/render/sequence-set.ts';
import { DEADLINE, message, untagged, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();
const DAY = 86_400_000;

/** The number in a response code (HIGHESTMODSEQ, UIDVALIDITY) or a STATUS item. */
function code(response: string, name: string): number {
  const m = new RegExp(`[[(]${name} (\\d+)[\\])]`).exec(response);
  assert.ok(m, `no ${name} in ${JSON.stringify(response)}`);
  return Number(m[1]);
}

/** Untagged lines a QRESYNC select adds to a plain one, and the [CLOSED] line. */
const syncLines = (response: string) => untagged(response).filter((l) => /^\* (VANISHED|\d+ FETCH|OK \[CLOSED\])/.test(l));

/** An account with messages `1..count` in INBOX, and a session that has enabled QRESYNC. */
async function mailbox(count: number): Promise<{ user: string; id: number; c: RawClient }> {
  const { user, id } = await imap().account();
  for (let i = 1; i <= count; i++) await imap().deliver(id, 'INBOX', message(`m${i}`));
  const c = await imap().login(user);
  assert.match(await c.command('e', 'ENABLE QRESYNC'), /^\* ENABLED QRESYNC\r\ne OK/);
  return { user, id, c };
}

/** Another session of the account that changes the mailbox while the first one is away, then leaves. */
async function meanwhile(user: string, commands: string[]): Promise<void> {
  const b = await imap().login(user);
  await b.command('bs', 'SELECT INBOX');
  for (const [i, cmd] of commands.entries()) assert.match(await b.command(`b${i}`, cmd), new RegExp(`b${i} OK`));
  await b.command('bl', 'LOGOUT');
}

describe('QRESYNC', () => {
  test('advertised; ENABLE QRESYNC enables CONDSTORE; the parameter without it, and bad parameters, are BAD', DEADLINE, async () => {
    const { user } = await imap().account();
    let c = await imap().login(user);
    const caps = (await c.command('c', 'CAPABILITY')).split('\r\n')[0].split(' ');
    assert.ok(caps.includes('CONDSTORE') && caps.includes('QRESYNC'), caps.join(' '));
    // RFC 7162 §3.2.5: BAD before ENABLE QRESYNC; so is VANISHED in UID FETCH (§3.2.6).
    assert.match(await c.command('s0', 'SELECT INBOX (QRESYNC (1 1))'), /^s0 BAD /);
    assert.match(await c.command('s1', 'SELECT INBOX (CONDSTORE)'), /s1 OK/);
    assert.match(await c.command('f0', 'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)'), /^f0 BAD /);
    assert.match(await c.command('e', 'ENABLE CONDSTORE QRESYNC'), /^\* ENABLED CONDSTORE QRESYNC\r\ne OK/);
    for (const bad of [
      '(QRESYNC (0 1))', // uidvalidity is nz-number
      '(QRESYNC (1 0))', // mod-sequence-value is at least 1
      '(QRESYNC (1 9223372036854775808))', // … and at most 2^63-1
      '(QRESYNC (4294967296 1))',
      '(QRESYNC)',
      '(QRESYNC (1))',
      '(QRESYNC (1 x))',
      '(QRESYNC (1 1 1:*))', // §7: "*" is not allowed in known-uids
      '(QRESYNC (1 1 1:6 (1:* 1:6)))',
      '(QRESYNC (1 1 1:6 (1:2 1)))', // the two sets differ in length
      '(QRESYNC (1 1 1:6 (2,1 1,2)))', // not ascending
      '(QRESYNC (1 1 1:6 (1 1) 5))',
      '(QRESYNC (1 1) QRESYNC (1 1))',
      '(QRESYNC (1 1) FOO)',
      '()',
    ]) {
      assert.match(await c.command('sb', `SELECT INBOX ${bad}`), /^sb BAD /, bad);
    }
    // The BAD changed nothing: still selected.
    assert.match(await c.command('n', 'CHECK'), /^n OK/);
    // 20 BADs end a session (README, Limits): the rest on a new one.
    c.close();
    c = await imap().login(user);
    assert.match(await c.command('e2', 'ENABLE QRESYNC'), /^\* ENABLED QRESYNC\r\n/);
    assert.match(await c.command('s2', 'SELECT INBOX'), /s2 OK/);
    // The largest mod-sequence is above anything Heron has given: nothing changed since.
    assert.deepEqual(syncLines(await c.command('big', 'SELECT INBOX (QRESYNC (1 9223372036854775807))')), ['* OK [CLOSED] Previous mailbox is now closed']);
    // §3.2.6: VANISHED only with UID FETCH and with CHANGEDSINCE.
    assert.match(await c.command('f1', 'FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)'), /^f1 BAD /);
    assert.match(await c.command('f2', 'UID FETCH 1:* (FLAGS) (VANISHED)'), /^f2 BAD /);
    assert.match(await c.command('f3', 'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)'), /^f3 BAD /);
    assert.match(await c.command('f4', 'UID FETCH 1:* (FLAGS) (VANISHED CHANGEDSINCE 1)'), /^f4 OK/);
  });

  test('SELECT with QRESYNC: VANISHED (EARLIER), then FETCH (UID FLAGS MODSEQ) of what changed or arrived (RFC 7162 §3.2.5)', DEADLINE, async () => {
    const { user, id, c } = await mailbox(10);
    const first = await c.command('s1', 'SELECT INBOX');
    const uidvalidity = code(first, 'UIDVALIDITY');
    const known = code(first, 'HIGHESTMODSEQ');
    await c.command('u', 'UNSELECT');
    // While this client is away: flags, expunges, new mail.
    await meanwhile(user, ['UID STORE 3 +FLAGS (\\Seen)', 'UID STORE 7 +FLAGS ($Work)', 'UID STORE 2,4,5 +FLAGS (\\Deleted)', 'UID EXPUNGE 2,4:5']);
    await imap().deliver(id, 'INBOX', message('m11'));
    await imap().deliver(id, 'INBOX', message('m12'), ['\\Flagged']);

    const resync = await c.command('s2', `SELECT INBOX (QRESYNC (${uidvalidity} ${known}))`);
    const now = code(resync, 'HIGHESTMODSEQ');
    const modseqs = [...resync.matchAll(/UID (\d+) FLAGS \([^)]*\) MODSEQ \((\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.ok(modseqs.every(([, m]) => m > known && m <= now));
    // Remaining UIDs 1,3,6,7,8,9,10,11,12: UID 3 is message 2, UID 7 is 4, UID 11 is 8.
    assert.deepEqual(
      syncLines(resync).map((l) => l.replace(/MODSEQ \(\d+\)/, 'MODSEQ (m)')),
      [
        '* VANISHED (EARLIER) 2,4:5',
        '* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (m))',
        '* 4 FETCH (UID 7 FLAGS ($Work) MODSEQ (m))',
        '* 8 FETCH (UID 11 FLAGS (\\Recent) MODSEQ (m))',
        '* 9 FETCH (UID 12 FLAGS (\\Flagged \\Recent) MODSEQ (m))',
      ],
    );
    assert.match(resync, /\* 9 EXISTS\r\n/);
    assert.match(resync, /s2 OK \[READ-WRITE\]/);
    // VANISHED (EARLIER) comes after the mailbox's data and before the FETCHes, as in the RFC's examples.
    assert.ok(resync.indexOf('HIGHESTMODSEQ') < resync.indexOf('VANISHED (EARLIER)'));

    // Known UIDs with gaps (§3.2.5): only those are reported, expunged or changed.
    const narrowed = await c.command('s3', `EXAMINE INBOX (QRESYNC (${uidvalidity} ${known} 1:3,5,7:9))`);
    assert.deepEqual(
      syncLines(narrowed).map((l) => l.replace(/MODSEQ \(\d+\)/, 'MODSEQ (m)')),
      ['* OK [CLOSED] Previous mailbox is now closed', '* VANISHED (EARLIER) 2,5', '* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (m))', '* 4 FETCH (UID 7 FLAGS ($Work) MODSEQ (m))'],
    );
    // Known UIDs beyond any ever given are fine (the RFC's 1:7 on a mailbox of 6).
    assert.deepEqual(syncLines(await c.command('s4', `EXAMINE INBOX (QRESYNC (${uidvalidity} ${known} 4:99))`)).slice(1, 2), ['* VANISHED (EARLIER) 4:5']);
    // Another UIDVALIDITY: the client's cache is void; a plain SELECT (§3.2.5).
    assert.deepEqual(syncLines(await c.command('s5', `SELECT INBOX (QRESYNC (${uidvalidity + 1} ${known}))`)), ['* OK [CLOSED] Previous mailbox is now closed']);
    // Up to date: nothing to say.
    assert.deepEqual(syncLines(await c.command('s6', `SELECT INBOX (QRESYNC (${uidvalidity} ${now}))`)), ['* OK [CLOSED] Previous mailbox is now closed']);
    // CONDSTORE and QRESYNC together are one parameter list.
    assert.match(await c.command('s7', `SELECT INBOX (CONDSTORE QRESYNC (${uidvalidity} ${now}))`), /s7 OK \[READ-WRITE\]/);
  });

  test('sequence match data (RFC 7162 §3.2.5.2): matching pairs narrow VANISHED (EARLIER) to the UIDs above them', DEADLINE, async () => {
    const { user, c } = await mailbox(12);
    const first = await c.command('s1', 'SELECT INBOX');
    const [uidvalidity, known] = [code(first, 'UIDVALIDITY'), code(first, 'HIGHESTMODSEQ')];
    await c.command('u', 'UNSELECT');
    await meanwhile(user, ['UID STORE 3,9 +FLAGS.SILENT (\\Deleted)', 'UID EXPUNGE 3,9']);
    // Now: UIDs 1,2,4,5,6,7,8,10,11,12 (message 4 is UID 5, message 8 is UID 10).
    const select = (data: string) => c.command('s', `EXAMINE INBOX (QRESYNC (${uidvalidity} ${known} ${data}))`).then((r) => syncLines(r).filter((l) => l.startsWith('* VANISHED')));
    // The client's old numbering: message 2 was UID 2 (still true), message 4 was UID 4 (no longer).
    assert.deepEqual(await select('1:12 (2,4 2,4)'), ['* VANISHED (EARLIER) 3,9']);
    // Message 1 is UID 1 and message 2 is UID 2: the client knows of every expunge up to UID 2.
    assert.deepEqual(await select('1:12 (1:2 1:2)'), ['* VANISHED (EARLIER) 3,9']);
    // As RFC 7162 §3.2.5.2 puts it: message 2 is UID 2 but message 10 is no longer UID 10,
    // so the lowest UID reported is 3; pairs after a mismatch do not count.
    assert.deepEqual(await select('(2,10,11 2,10,11)'), ['* VANISHED (EARLIER) 3,9']);
    // All pairs match up to message 8 = UID 10 (the client already renumbered): only UIDs above 10.
    assert.deepEqual(await select('1:12 (1,4,8 1,5,10)'), []);
    // Without the third parameter, known-uids is 1:UIDNEXT-1.
    assert.deepEqual(await select('(4 5)'), ['* VANISHED (EARLIER) 9']);
  });

  test('UID FETCH (CHANGEDSINCE m VANISHED): expunged UIDs of the set first, then the changes (RFC 7162 §3.2.6)', DEADLINE, async () => {
    const { user, c } = await mailbox(8);
    const known = code(await c.command('s1', 'SELECT INBOX'), 'HIGHESTMODSEQ');
    await meanwhile(user, ['UID STORE 2,3,6 +FLAGS.SILENT (\\Deleted)', 'UID EXPUNGE 2:3,6', 'UID STORE 4 +FLAGS ($Later)']);
    // This session still shows UIDs 2, 3 and 6: they are reported once the session may (a NOOP),
    // after the flag change (numbered as the client still numbers them).
    assert.deepEqual(untagged(await c.command('n', 'NOOP')), [
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Later)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Later \\*)] Flags permitted',
      `* 4 FETCH (UID 4 FLAGS ($Later \\Recent) MODSEQ (${known + 3}))`,
      '* VANISHED 2:3,6',
    ]);
    const out = await c.command('f', `UID FETCH 1:* (FLAGS) (CHANGEDSINCE ${known} VANISHED)`);
    assert.deepEqual(untagged(out), ['* VANISHED (EARLIER) 2:3,6', `* 2 FETCH (UID 4 FLAGS ($Later \\Recent) MODSEQ (${known + 3}))`]);
    // Only the set's UIDs; UIDs never given are not "vanished".
    assert.deepEqual(untagged(await c.command('f2', `UID FETCH 3:5,100:200 (FLAGS) (CHANGEDSINCE ${known} VANISHED)`)), [
      '* VANISHED (EARLIER) 3',
      `* 2 FETCH (UID 4 FLAGS ($Later \\Recent) MODSEQ (${known + 3}))`,
    ]);
    // With QRESYNC on, UID FETCH responses carry MODSEQ even when not asked (§3.2.4); FETCH does not.
    assert.match(await c.command('f3', 'UID FETCH 1 (FLAGS)'), /^\* 1 FETCH \(UID 1 FLAGS \(\\Recent\) MODSEQ \(\d+\)\)\r\n/);
    assert.match(await c.command('f4', 'FETCH 1 (FLAGS)'), /^\* 1 FETCH \(FLAGS \(\\Recent\)\)\r\n/);
    // Setting \Seen by a FETCH reports the new FLAGS and MODSEQ.
    assert.match(await c.command('f5', 'FETCH 1 (BODY[TEXT])'), /^\* 1 FETCH \(BODY\[TEXT\] \{13\}\r\nHello world\r\n FLAGS \(\\Seen \\Recent\) MODSEQ \(\d+\)\)\r\n/);
  });

  test('VANISHED replaces EXPUNGE: EXPUNGE, UID EXPUNGE, MOVE, another session, IDLE; tagged HIGHESTMODSEQ; CLOSE says nothing', DEADLINE, async () => {
    const { user, id, c } = await mailbox(9);
    await c.command('s', 'SELECT INBOX');
    // A session without QRESYNC on the same mailbox keeps getting EXPUNGE.
    const plain = await imap().login(user);
    await plain.command('ps', 'SELECT INBOX');

    await c.command('d1', 'STORE 2,4 +FLAGS.SILENT (\\Deleted)');
    const expunge = await c.command('x1', 'EXPUNGE');
    assert.match(expunge, /^\* VANISHED 2,4\r\nx1 OK \[HIGHESTMODSEQ (\d+)\] EXPUNGE completed\r\n$/);
    assert.deepEqual(untagged(await plain.command('p1', 'NOOP')), ['* 4 EXPUNGE', '* 2 EXPUNGE']);

    await c.command('d2', 'UID STORE 5:6 +FLAGS.SILENT (\\Deleted)');
    assert.match(await c.command('x2', 'UID EXPUNGE 5'), /^\* VANISHED 5\r\nx2 OK \[HIGHESTMODSEQ \d+\]/);

    // RFC 6851 §4.4: MOVE's removals are VANISHED too, after the COPYUID.
    const move = await c.command('m', 'UID MOVE 7:8 Trash');
    assert.match(move, /^\* OK \[COPYUID \d+ 7:8 1:2\] Moved\r\n\* VANISHED 7:8\r\nm OK \[HIGHESTMODSEQ (\d+)\] MOVE completed\r\n$/);
    assert.equal(code(move, 'HIGHESTMODSEQ'), code(await c.command('st', 'STATUS INBOX (HIGHESTMODSEQ)'), 'HIGHESTMODSEQ'));

    // Another session's expunge arrives as VANISHED at the next command that may carry it.
    const other = await imap().login(user);
    await other.command('os', 'SELECT INBOX');
    await other.command('o1', 'UID STORE 1 +FLAGS.SILENT (\\Deleted)');
    await other.command('o2', 'UID EXPUNGE 1');
    // Not during FETCH (RFC 3501 §7.4.1); then RFC 7162 §3.2: a HIGHESTMODSEQ below the waiting expunge.
    const fetch = await c.command('f', 'FETCH 1:* (FLAGS MODSEQ)');
    assert.doesNotMatch(fetch, /VANISHED/);
    const pendingMark = code(fetch, 'HIGHESTMODSEQ');
    assert.match(fetch, /\* OK \[HIGHESTMODSEQ \d+\] Expunges pending\r\nf OK/);
    assert.deepEqual(untagged(await c.command('n', 'NOOP')), ['* VANISHED 1']);
    assert.ok(pendingMark < code(await c.command('st2', 'STATUS INBOX (HIGHESTMODSEQ)'), 'HIGHESTMODSEQ'));

    // During IDLE: at once, whoever expunges (another session, or a delivery and its removal by the API path).
    c.write('i IDLE\r\n');
    await c.readUntil((b) => b.includes('+ idling\r\n'));
    c.take();
    await other.command('o3', 'UID STORE 3 +FLAGS.SILENT (\\Deleted)');
    await other.command('o4', 'UID EXPUNGE 3');
    await c.readUntil((b) => b.includes('* VANISHED 3\r\n'));
    await imap().deliver(id, 'INBOX', message('late'));
    await c.readUntil((b) => /\* \d+ EXISTS\r\n/.test(b));
    c.write('DONE\r\n');
    assert.match(await c.waitTagged('i'), /i OK IDLE completed/);

    // CLOSE expunges silently (RFC 3501 §6.4.2), with QRESYNC too.
    await c.command('d3', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    assert.match(await c.command('cl', 'CLOSE'), /^cl OK/);
  });

  test('[CLOSED] marks the end of the previous mailbox: SELECT, EXAMINE, and a SELECT that fails (RFC 7162 §3.2.11, RFC 9051 §7.1)', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.doesNotMatch(await c.command('s1', 'SELECT INBOX'), /CLOSED/);
    assert.match(await c.command('s2', 'EXAMINE Trash'), /^\* OK \[CLOSED\] Previous mailbox is now closed\r\n\* FLAGS/);
    assert.match(await c.command('s3', 'SELECT INBOX'), /^\* OK \[CLOSED\]/);
    assert.match(await c.command('s4', 'SELECT Nowhere'), /^\* OK \[CLOSED\] Previous mailbox is now closed\r\ns4 NO \[NONEXISTENT\]/);
    // The failed SELECT left no mailbox selected: no [CLOSED] next time, and FETCH is refused.
    assert.match(await c.command('f', 'FETCH 1 FLAGS'), /^f BAD /);
    assert.doesNotMatch(await c.command('s5', 'SELECT INBOX'), /CLOSED/);
    assert.match(await c.command('u', 'UNSELECT'), /^u OK/);
    assert.doesNotMatch(await c.command('s6', 'SELECT INBOX'), /CLOSED/);
  });

  test('a journal older than the retention: VANISHED (EARLIER) of every UID the client may know that is gone (README)', DEADLINE, async () => {
    const { user, id, c } = await mailbox(10);
    const store = imap().heron.store;
    await c.command('s0', 'SELECT INBOX');
    await c.command('d', 'UID STORE 2 +FLAGS.SILENT (\\Deleted)');
    await c.command('x', 'UID EXPUNGE 2');
    const first = await c.command('s1', 'SELECT INBOX');
    const [uidvalidity, known] = [code(first, 'UIDVALIDITY'), code(first, 'HIGHESTMODSEQ')];
    await c.command('u', 'UNSELECT');
    await meanwhile(user, ['UID STORE 4,9 +FLAGS.SILENT (\\Deleted)', 'UID EXPUNGE 4,9', 'UID STORE 5 +FLAGS (\\Answered)']);
    // Exact while the journal has the expunges.
    const exact = await c.command('s2', `EXAMINE INBOX (QRESYNC (${uidvalidity} ${known}))`);
    assert.deepEqual(syncLines(exact).filter((l) => l.includes('VANISHED')), ['* VANISHED (EARLIER) 4,9']);

    // The retention policy as it runs 91 days from now (HERON_IMAP_EXPUNGE_RETENTION_DAYS is 90).
    const box = (await findMailbox(store, id, 'INBOX'))!;
    const pruned = await imap().heron.journalRetention.runOnce(Date.now() + 91 * DAY);
    assert.ok(pruned.expunges >= 3 && pruned.changes > 0, JSON.stringify(pruned));
    const left = await store.get<{ n: number }>(`SELECT count(*) AS n FROM mail_change WHERE mail_box_id = ?`, box.id);
    assert.equal(Number(left!.n), 0);
    const mark = await store.get<{ m: number }>(`SELECT pruned_expunge_modseq AS m FROM mail_box WHERE id = ?`, box.id);
    assert.ok(Number(mark!.m) > known);

    // Now every UID below UIDNEXT that is gone, including UID 2 that the client knew of: a superset.
    const fallback = await c.command('s3', `EXAMINE INBOX (QRESYNC (${uidvalidity} ${known}))`);
    assert.deepEqual(
      syncLines(fallback).map((l) => l.replace(/MODSEQ \(\d+\)/, 'MODSEQ (m)')),
      ['* OK [CLOSED] Previous mailbox is now closed', '* VANISHED (EARLIER) 2,4,9', '* 3 FETCH (UID 5 FLAGS (\\Answered) MODSEQ (m))'],
    );
    // Its known UIDs and sequence match data narrow it: message 2 is still UID 3.
    assert.deepEqual(syncLines(await c.command('s4', `EXAMINE INBOX (QRESYNC (${uidvalidity} ${known} 3:10))`))[1], '* VANISHED (EARLIER) 4,9');
    assert.deepEqual(syncLines(await c.command('s5', `EXAMINE INBOX (QRESYNC (${uidvalidity} ${known} (1,2 1,3)))`))[1], '* VANISHED (EARLIER) 4,9');
    // A message delivered after the client's view was read is not reported as vanished.
    await imap().deliver(id, 'INBOX', message('new'));
    assert.deepEqual(syncLines(await c.command('s6', `EXAMINE INBOX (QRESYNC (${uidvalidity} ${known}))`))[1], '* VANISHED (EARLIER) 2,4,9');
    // UID FETCH … VANISHED falls back the same way, within its set.
    assert.deepEqual(untagged(await c.command('f', `UID FETCH 1:9 (UID) (CHANGEDSINCE ${known} VANISHED)`))[0], '* VANISHED (EARLIER) 2,4,9');
    // A client that is up to date needs no journal at all.
    const now = code(await c.command('st', 'STATUS INBOX (HIGHESTMODSEQ)'), 'HIGHESTMODSEQ');
    assert.deepEqual(syncLines(await c.command('s7', `EXAMINE INBOX (QRESYNC (${uidvalidity} ${now}))`)), ['* OK [CLOSED] Previous mailbox is now closed']);
  });

  test('pruning keeps recent journal rows and the expunges within the retention', DEADLINE, async () => {
    const { id, c } = await mailbox(3);
    const store = imap().heron.store;
    const box = (await findMailbox(store, id, 'INBOX'))!;
    await c.command('s', 'SELECT INBOX');
    await c.command('d', 'UID STORE 1 +FLAGS.SILENT (\\Deleted)');
    await c.command('x', 'UID EXPUNGE 1');
    const count = async (kind: string) => Number((await store.get<{ n: number }>(`SELECT count(*) AS n FROM mail_change WHERE mail_box_id = ? AND kind = ?`, box.id, kind))!.n);
    // Eight days on: the flag and delivery rows go (kept a week), the expunge stays (90 days).
    await imap().heron.journalRetention.runOnce(Date.now() + 8 * DAY);
    assert.deepEqual([await count('new'), await count('flags'), await count('expunge')], [0, 0, 1]);
    assert.equal(Number((await store.get<{ m: number }>(`SELECT pruned_expunge_modseq AS m FROM mail_box WHERE id = ?`, box.id))!.m), 0);
  });
});

describe('the pieces, without a server', () => {
  test('a long VANISHED list goes out as several responses of bounded length', () => {
    const uids = Array.from({ length: 3000 }, (_, i) => 2 * i + 1);
    const sets = chunkedSets(toRanges(uids), 4000);
    assert.ok(sets.length > 1 && sets.every((s) => s.length <= 4000));
    assert.deepEqual(sets.join(',').split(',').map(Number), uids);
    assert.deepEqual(chunkedSets(toRanges([1, 2, 3, 5, 7, 8]), 4000), ['1:3,5,7:8']);
  });

  test('sequence match data is walked only as far as the mailbox goes', () => {
    const atom = (v: string) => ({ t: 'atom' as const, v });
    const q = parseQresync({ t: 'list', v: [atom('1'), atom('5'), { t: 'list', v: [atom('1:4294967295'), atom('1:4294967295')] }] });
    // The sets are huge; the walk stops at the first message number past the mailbox.
    assert.equal(matchedUid(q.seqMatch!, [1, 2, 3]), 3);
    assert.equal(matchedUid(q.seqMatch!, [1, 5, 6]), 1);
    assert.equal(matchedUid(q.seqMatch!, []), 0);
  });
});

describe('imapflow with qresync: true (EmailEngine)', () => {
  test('a client offline while mail arrived, was flagged and expunged catches up with one SELECT; its copy matches the server', DEADLINE, async () => {
    const { user, id } = await imap().account();
    for (let i = 1; i <= 6; i++) await imap().deliver(id, 'INBOX', message(`offline-${i}`), i % 2 ? [] : ['\\Seen']);
    const connect = async () => {
      const client = imap().imapflow(user, { qresync: true });
      await client.connect();
      return client;
    };
    const withoutRecent = (flags: Iterable<string>) => [...flags].filter((f) => f !== '\\Recent').sort();

    // First sync: the full copy, uid → flags, and the mailbox's UIDVALIDITY and HIGHESTMODSEQ.
    const local = new Map<number, string[]>();
    let state: { uidValidity: bigint; modseq: bigint };
    {
      const client = await connect();
      assert.ok(client.enabled.has('QRESYNC'));
      const box = await client.mailboxOpen('INBOX');
      for await (const m of client.fetch('1:*', { uid: true, flags: true })) local.set(m.uid, withoutRecent(m.flags ?? []));
      state = { uidValidity: box.uidValidity, modseq: box.highestModseq! };
      await client.logout();
    }

    // Offline: another client flags, expunges, moves; new mail arrives.
    await meanwhile(user, ['UID STORE 1 +FLAGS ($Important)', 'UID STORE 2 -FLAGS (\\Seen)', 'UID STORE 3,5 +FLAGS.SILENT (\\Deleted)', 'UID EXPUNGE 3', 'UID MOVE 5 Trash']);
    await imap().deliver(id, 'INBOX', message('offline-new-1'), ['\\Flagged']);
    await imap().deliver(id, 'INBOX', message('offline-new-2'));
    await meanwhile(user, ['UID STORE 8 +FLAGS ($Later)']);

    // Catch up with one SELECT: apply VANISHED and FETCH as they come.
    const client = await connect();
    try {
      const vanished: number[] = [];
      client.on('expunge', (e: { uid?: number; earlier?: boolean }) => {
        if (e.uid !== undefined) vanished.push(e.uid);
      });
      client.on('flags', (e: { uid?: number; flags: Set<string> }) => {
        if (e.uid !== undefined) local.set(e.uid, withoutRecent(e.flags));
      });
      const box = await client.mailboxOpen('INBOX', { changedSince: state.modseq, uidValidity: state.uidValidity } as never);
      assert.equal((box as { qresync?: boolean }).qresync, true);
      for (const uid of vanished) local.delete(uid);
      assert.deepEqual(vanished.sort((a, b) => a - b), [3, 5]);

      // The server's state, read fresh.
      const server = new Map<number, string[]>();
      for await (const m of client.fetch('1:*', { uid: true, flags: true })) server.set(m.uid, withoutRecent(m.flags ?? []));
      assert.deepEqual([...local.entries()].sort((a, b) => a[0] - b[0]), [...server.entries()].sort((a, b) => a[0] - b[0]));
      assert.deepEqual(server.get(1), ['$Important']);
      assert.deepEqual(server.get(8), ['$Later']);
      assert.equal(box.exists, server.size);
    } finally {
      await client.logout();
    }
  });
});
