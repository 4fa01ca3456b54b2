// REPLACE and UID REPLACE (RFC 8508): the new message is stored and the old
// one expunged in one transaction; APPENDUID in an untagged OK, then EXPUNGE
// (and EXISTS when the target is the selected mailbox). Every refusal leaves
// both mailboxes as they were.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEADLINE, flowClient, message, untagged, untaggedOk, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

async function statusOf(c: RawClient, mailbox: string): Promise<string> {
  return (await untaggedOk(c, `STATUS ${mailbox} (MESSAGES UIDNEXT)`, 's'))[0];
}

async function withDrafts(count: number) {
  const { user, id } = await imap().account();
  for (let i = 1; i <= count; i++) await imap().deliver(id, 'Drafts', message(`draft ${i}`), ['\\Draft']);
  const c = await imap().login(user);
  return { user, id, c };
}

describe('REPLACE', () => {
  test('is advertised', DEADLINE, async () => {
    const { c } = await withDrafts(0);
    assert.match(await c.command('c', 'CAPABILITY'), /^\* CAPABILITY .* REPLACE[ \r]/m);
  });

  test("RFC 8508 §3's example: REPLACE in the selected mailbox", DEADLINE, async () => {
    const { c } = await withDrafts(3);
    await c.command('x', 'SELECT Drafts');
    const raw = message('draft 2, revised', 'Hi, the meeting moves to 4pm.');
    c.write(`A003 REPLACE 2 Drafts (\\Seen \\Draft) {${raw.length}}\r\n`);
    await c.readUntil((s) => s.startsWith('+ '), { what: 'a continuation request' });
    c.take();
    c.write(`${raw}\r\n`);
    const r = await c.waitTagged('A003');
    const lines = r.split('\r\n').filter(Boolean);
    assert.match(lines[0], /^\* OK \[APPENDUID \d+ 4\] /);
    assert.equal(lines[1], '* 2 EXPUNGE');
    assert.equal(lines[2], '* 3 EXISTS');
    assert.match(lines[lines.length - 1], /^A003 OK REPLACE completed/);
    const f = await c.command('f', 'FETCH 1:3 (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    assert.match(f, /\* 2 FETCH \(UID 3 /);
    assert.match(f, /\* 3 FETCH \(UID 4 FLAGS \(\\Draft \\Seen \\Recent\) [^]*Subject: draft 2, revised/);
  });

  test('after ENABLE QRESYNC the replaced message is reported with VANISHED', DEADLINE, async () => {
    const { c } = await withDrafts(2);
    await c.command('q', 'ENABLE QRESYNC');
    await c.command('x', 'SELECT Drafts');
    const raw = message('draft 1, revised');
    const r = await c.command('a', `UID REPLACE 1 Drafts {${raw.length}+}\r\n${raw}`);
    const lines = untagged(r);
    assert.match(lines[0], /^\* OK \[APPENDUID \d+ 3\] /);
    assert.ok(lines.includes('* VANISHED 1'), r);
    assert.ok(lines.includes('* 2 EXISTS'), r);
    assert.ok(!lines.some((l) => / EXPUNGE$/.test(l)), r);
  });

  test('UID REPLACE into another mailbox; another session sees the EXPUNGE', DEADLINE, async () => {
    const { user, c } = await withDrafts(2);
    const watcher = await imap().login(user);
    await watcher.command('w', 'SELECT Drafts');
    await c.command('x', 'SELECT Drafts');
    const raw = message('sent now');
    const r = await c.command('a', `UID REPLACE 1 Sent {${raw.length}+}\r\n${raw}`);
    assert.match(r, /^\* OK \[APPENDUID \d+ 1\] /m);
    assert.deepEqual(untagged(r).filter((l) => !l.startsWith('* OK')), ['* 1 EXPUNGE']);
    assert.match(r, /^a OK UID REPLACE completed/m);
    assert.match(await statusOf(c, 'Sent'), /MESSAGES 1 UIDNEXT 2/);
    assert.deepEqual(untagged(await watcher.command('n', 'NOOP')), ['* 1 EXPUNGE']);
  });

  test('refusals change nothing: bad numbers, a gone message, no such mailbox, too big, read-only, not selected', DEADLINE, async () => {
    const { user, id, c } = await withDrafts(2);
    const raw = message('replacement');
    const lit = `{${raw.length}+}\r\n${raw}`;
    assert.match(await c.command('a', `REPLACE 1 Drafts ${lit}`), /^a BAD .*not allowed/m);
    await c.command('x', 'SELECT Drafts');
    const before = await statusOf(c, 'Drafts');
    const cases: Array<[string, RegExp]> = [
      [`REPLACE 3 Drafts ${lit}`, /^b BAD /m],
      [`REPLACE 1:2 Drafts ${lit}`, /^b BAD /m],
      [`REPLACE 1 Drafts`, /^b BAD /m],
      [`REPLACE 1 Drafts (\\Recent) ${lit}`, /^b BAD /m],
      [`REPLACE 1 Drafts ${lit} ${lit}`, /^b BAD /m],
      [`UID REPLACE 99 Drafts ${lit}`, /^b NO \[NONEXISTENT\]/m],
      [`REPLACE 1 Nowhere ${lit}`, /^b NO \[TRYCREATE\]/m],
      [`REPLACE 1 Drafts {0+}\r\n`, /^b NO \[CANNOT\]/m],
    ];
    for (const [command, expected] of cases) {
      assert.match(await c.command('b', command), expected, command);
      assert.equal(await statusOf(c, 'Drafts'), before, command);
    }
    // Removed by another session after this one learnt of it: NO, nothing stored.
    const box = await imap().deliver(id, 'Drafts', message('soon gone'));
    await c.command('n', 'NOOP');
    const remover = await imap().login(user);
    await remover.command('s', 'SELECT Drafts');
    await remover.command('d', `UID STORE ${box.uid} +FLAGS (\\Deleted)`);
    await remover.command('e', 'EXPUNGE');
    const mid = await statusOf(c, 'Drafts');
    assert.match(await c.command('g', `UID REPLACE ${box.uid} Drafts ${lit}`), /^g NO /m);
    assert.equal(await statusOf(c, 'Drafts'), mid);
    // Over the max message size: refused before the literal.
    await imap().withMaxSize(raw.length - 1, async () => {
      const d = await imap().login(user);
      await d.command('s', 'SELECT Drafts');
      d.write(`t REPLACE 1 Drafts {${raw.length}}\r\n`);
      assert.match(await d.waitTagged('t'), /^t NO \[TOOBIG\]/m);
    });
    assert.equal(await statusOf(c, 'Drafts'), mid);
    await c.command('y', 'EXAMINE Drafts');
    assert.match(await c.command('z', `REPLACE 1 Drafts ${lit}`), /^z NO \[READ-ONLY\]/m);
    assert.equal(await statusOf(c, 'Drafts'), mid);
  });

  test('imapflow sees the replacement as an expunge and a new message', DEADLINE, async () => {
    const { user, c } = await withDrafts(1);
    const flow = flowClient(imap(), user);
    flow.on('error', () => undefined);
    await flow.connect();
    try {
      const lock = await flow.getMailboxLock('Drafts');
      try {
        await c.command('x', 'SELECT Drafts');
        const raw = message('replaced for imapflow');
        assert.match(await c.command('a', `REPLACE 1 Drafts {${raw.length}+}\r\n${raw}`), /^a OK/m);
        await flow.noop();
        const got = [];
        for await (const m of flow.fetch('1:*', { uid: true, envelope: true })) got.push([m.uid, m.envelope?.subject]);
        assert.deepEqual(got, [[2, 'replaced for imapflow']]);
      } finally {
        lock.release();
      }
    } finally {
      await flow.logout();
    }
  });
});
