// METADATA and METADATA-SERVER (RFC 5464): the §4 examples as raw transcripts
// (GETMETADATA with MAXSIZE and DEPTH, SETMETADATA with a synchronising
// literal and NIL), the server's entries through "" (the administrator's
// /shared entries from the configuration, the user's own /private ones), the
// limits with their response codes, entry-name validation, entries following
// their mailbox on RENAME and going with it on DELETE and with the account,
// isolation between users, exact bytes of a value with CRLF and 8-bit octets,
// and the `metadata` store event at commit.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { deleteMailAccount, type MetadataChanged } from '../../schema/index.ts';
import { DEADLINE, expectBad, PASSWORD, untagged, untaggedOk as ok, useImap } from './fixture.ts';
import { withImaplibOnInbox } from './python-imaplib.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap({
  HERON_IMAP_METADATA_COMMENT: 'Shared comment',
  HERON_IMAP_METADATA_MAX_VALUE_BYTES: '4096',
  HERON_IMAP_METADATA_MAX_ENTRIES: '5',
  HERON_IMAP_METADATA_MAX_ENTRIES_PER_ACCOUNT: '8',
});

async function user(): Promise<{ c: RawClient; id: number }> {
  const { user, id } = await imap().account();
  return { c: await imap().login(user), id };
}

/** Runs a command that must answer NO with `code`; nothing untagged before it. */
async function expectNo(c: RawClient, command: string, code: string): Promise<void> {
  const r = await c.command('n', command);
  assert.match(r, new RegExp(`^n NO \\[${code.replace(/[[\]]/g, '\\$&')}\\] `, 'm'), command);
  assert.deepEqual(untagged(r), [], command);
}

async function rowsOf(accountId: number): Promise<number> {
  const row = await imap().heron.store.get<{ n: number }>(`SELECT count(*) AS n FROM mail_metadata WHERE mail_account_id = ?`, accountId);
  return Number(row!.n);
}

describe('METADATA', () => {
  test('advertised: METADATA, METADATA-SERVER and LIST-METADATA', DEADLINE, async () => {
    const { c } = await user();
    const caps = (await ok(c, 'CAPABILITY'))[0].split(' ');
    for (const cap of ['METADATA', 'METADATA-SERVER', 'LIST-METADATA']) assert.ok(caps.includes(cap), cap);
  });

  test("RFC 5464 §4.2's examples: the server's comment, a mailbox's entries, one list of several", DEADLINE, async () => {
    const { c } = await user();
    assert.deepEqual(await ok(c, 'GETMETADATA "" /shared/comment'), ['* METADATA "" (/shared/comment "Shared comment")']);
    // HERON_IMAP_METADATA_ADMIN is unset: /shared/admin is a mailto: URI of the administrator (RFC 5464 §3.2).
    assert.deepEqual(await ok(c, 'GETMETADATA "" (/shared/admin)'), ['* METADATA "" (/shared/admin "mailto:admin@heron.test")']);
    await ok(c, 'SETMETADATA INBOX (/private/comment "My own comment" /shared/comment "Shared comment")');
    assert.deepEqual(await ok(c, 'GETMETADATA "INBOX" /private/comment'), ['* METADATA "INBOX" (/private/comment "My own comment")']);
    assert.deepEqual(await ok(c, 'GETMETADATA "INBOX" (/shared/comment /private/comment)'), [
      '* METADATA "INBOX" (/shared/comment "Shared comment" /private/comment "My own comment")',
    ]);
    // An entry without a value is NIL at DEPTH 0; names compare without case.
    assert.deepEqual(await ok(c, 'GETMETADATA INBOX (/Private/Comment /private/vendor/heron/none)'), [
      '* METADATA "INBOX" (/private/comment "My own comment" /private/vendor/heron/none NIL)',
    ]);
  });

  test('RFC 5464 §4.2.1 MAXSIZE: longer values are left out and the longest is reported as LONGENTRIES', DEADLINE, async () => {
    const { c } = await user();
    const long = 'x'.repeat(2199);
    await ok(c, `SETMETADATA INBOX (/shared/comment {2199+}\r\n${long} /private/comment "My own comment")`);
    // The options before the mailbox name (RFC 5464 §5) and, as some clients
    // send them, after it.
    for (const command of ['GETMETADATA (MAXSIZE 1024) "INBOX" (/shared/comment /private/comment)', 'GETMETADATA "INBOX" (MAXSIZE 1024) (/shared/comment /private/comment)']) {
      const r = await c.command('m', command);
      assert.deepEqual(untagged(r), ['* METADATA "INBOX" (/private/comment "My own comment")'], command);
      assert.match(r, /^m OK \[METADATA LONGENTRIES 2199\] /m, command);
    }
    // A value exactly MAXSIZE long is sent.
    const r = await c.command('m', 'GETMETADATA (MAXSIZE 2199) INBOX /shared/comment');
    assert.ok(r.startsWith(`* METADATA "INBOX" (/shared/comment {2199}\r\n${long})\r\nm OK `), r.slice(0, 80));
    assert.doesNotMatch(r, /LONGENTRIES/);
  });

  test('RFC 5464 §4.2.2 DEPTH: 0, 1 and infinity below an entry that has no value itself', DEADLINE, async () => {
    const { c } = await user();
    await ok(c, 'SETMETADATA INBOX (/private/filters/values/small "SMALLER 5000" /private/filters/values/boss "FROM \\"boss@example.com\\"")');
    await ok(c, 'SETMETADATA INBOX (/private/filters/values/boss/cc "yes" /private/filters/valuesx "sibling")');
    assert.deepEqual(await ok(c, 'GETMETADATA (DEPTH 1) "INBOX" (/private/filters/values)'), [
      '* METADATA "INBOX" (/private/filters/values/boss "FROM \\"boss@example.com\\"" /private/filters/values/small "SMALLER 5000")',
    ]);
    assert.deepEqual(await ok(c, 'GETMETADATA (DEPTH infinity) "INBOX" /private/filters/values'), [
      '* METADATA "INBOX" (/private/filters/values/boss "FROM \\"boss@example.com\\"" /private/filters/values/boss/cc "yes" /private/filters/values/small "SMALLER 5000")',
    ]);
    assert.deepEqual(await ok(c, 'GETMETADATA (DEPTH 0) "INBOX" /private/filters/values'), ['* METADATA "INBOX" (/private/filters/values NIL)']);
    // With DEPTH above 0 an entry with nothing at or below it gives no response.
    assert.deepEqual(await ok(c, 'GETMETADATA (DEPTH 1 MAXSIZE 100) INBOX /private/nothing'), []);
    // DEPTH and MAXSIZE together: the longer value below is counted, not sent.
    const r = await c.command('d', 'GETMETADATA (MAXSIZE 10 DEPTH infinity) INBOX /private/filters/values');
    assert.deepEqual(untagged(r), ['* METADATA "INBOX" (/private/filters/values/boss/cc "yes")']);
    assert.match(r, /^d OK \[METADATA LONGENTRIES 23\] /m);
  });

  test('RFC 5464 §4.3: a value as a synchronising literal across two lines, then removed with NIL', DEADLINE, async () => {
    const { c } = await user();
    c.write('a SETMETADATA INBOX (/private/comment {33}\r\n');
    await c.readUntil((b) => b.startsWith('+ '), { what: 'the continuation' });
    c.take();
    c.write('My new comment across\r\ntwo lines.)\r\n');
    assert.match(await c.waitTagged('a'), /^a OK /m);
    const r = await c.command('g', 'GETMETADATA INBOX /private/comment');
    assert.ok(r.startsWith('* METADATA "INBOX" (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)\r\ng OK '), r);
    await ok(c, 'SETMETADATA INBOX (/private/comment NIL)');
    assert.deepEqual(await ok(c, 'GETMETADATA INBOX /private/comment'), ['* METADATA "INBOX" (/private/comment NIL)']);
    // An empty string is a value, not a removal.
    await ok(c, 'SETMETADATA INBOX (/private/comment "")');
    assert.deepEqual(await ok(c, 'GETMETADATA INBOX /private/comment'), ['* METADATA "INBOX" (/private/comment "")']);
  });

  test('a value with CRLF and 8-bit bytes comes back byte for byte', DEADLINE, async () => {
    const { c } = await user();
    const value = Buffer.concat([Buffer.from('first line\r\nzweite Zeile: Grüße, ', 'utf8'), Buffer.from([0xff, 0x80, 0x0d, 0x0a, 0x7f, 0x01]), Buffer.from(' "quoted" \\ end')]);
    c.write(Buffer.concat([Buffer.from(`v SETMETADATA INBOX (/private/vendor/heron/bytes {${value.length}+}\r\n`), value, Buffer.from(')\r\n')]));
    assert.match(await c.waitTagged('v'), /^v OK /m);
    const r = await c.command('g', 'GETMETADATA INBOX /private/vendor/heron/bytes');
    const expected = `* METADATA "INBOX" (/private/vendor/heron/bytes {${value.length}}\r\n${value.toString('latin1')})\r\n`;
    assert.equal(r.slice(0, expected.length), expected);
    // RFC 5464 §3.2: entry names are UTF-8; one that is not 7-bit goes out as a literal.
    const name = Buffer.from('/private/vendor/heron/grüße', 'utf8');
    c.write(Buffer.concat([Buffer.from(`u SETMETADATA INBOX ({${name.length}+}\r\n`), name, Buffer.from(' "x")\r\n')]));
    assert.match(await c.waitTagged('u'), /^u OK /m);
    const u = await c.command('g', 'GETMETADATA (DEPTH 1) INBOX /private/vendor/heron');
    assert.ok(u.includes(`{${name.length}}\r\n${name.toString('latin1')} "x"`), u);
    // A 7-bit value with a quote and a backslash goes out quoted, escaped.
    await ok(c, 'SETMETADATA INBOX (/private/comment "say \\"hi\\" \\\\o/")');
    assert.deepEqual(await ok(c, 'GETMETADATA INBOX /private/comment'), ['* METADATA "INBOX" (/private/comment "say \\"hi\\" \\\\o/")']);
  });

  test("METADATA-SERVER: the user's own /private server entries; the administrator's /shared ones are read-only", DEADLINE, async () => {
    const { c, id } = await user();
    await ok(c, 'SETMETADATA "" (/private/comment "my server note" /private/vendor/heron/theme "dark")');
    assert.deepEqual(await ok(c, 'GETMETADATA "" (/shared/comment /private/comment)'), [
      '* METADATA "" (/shared/comment "Shared comment" /private/comment "my server note")',
    ]);
    assert.deepEqual(await ok(c, 'GETMETADATA (DEPTH infinity) "" /private/vendor'), ['* METADATA "" (/private/vendor/heron/theme "dark")']);
    // RFC 5530 §3 NOPERM: the shared server entries belong to the administrator;
    // nothing of a refused command is applied.
    for (const entry of ['/shared/comment', '/shared/admin', '/shared/vendor/heron/x']) await expectNo(c, `SETMETADATA "" (/private/comment "changed" ${entry} "changed")`, 'NOPERM');
    assert.deepEqual(await ok(c, 'GETMETADATA "" (/shared/comment /private/comment)'), [
      '* METADATA "" (/shared/comment "Shared comment" /private/comment "my server note")',
    ]);
    await ok(c, 'SETMETADATA "" (/private/comment NIL /private/vendor/heron/theme NIL)');
    assert.equal(await rowsOf(id), 0);
  });

  test('limits: [METADATA MAXSIZE n] for a long value, [METADATA TOOMANY] per mailbox and per account, all or nothing', DEADLINE, async () => {
    const { c, id } = await user();
    const big = 'b'.repeat(4097);
    await expectNo(c, `SETMETADATA INBOX (/private/a "kept?" /private/big {4097+}\r\n${big})`, 'METADATA MAXSIZE 4096');
    assert.deepEqual(await ok(c, 'GETMETADATA INBOX (/private/a /private/big)'), ['* METADATA "INBOX" (/private/a NIL /private/big NIL)']);
    await ok(c, `SETMETADATA INBOX (/private/big {4096+}\r\n${'b'.repeat(4096)})`);
    // Five entries per mailbox: the sixth is refused, and so is the whole command.
    await ok(c, 'SETMETADATA INBOX (/private/e1 "1" /private/e2 "2" /shared/e3 "3" /shared/e4 "4")');
    await expectNo(c, 'SETMETADATA INBOX (/private/e1 "changed" /private/e6 "6")', 'METADATA TOOMANY');
    assert.deepEqual(await ok(c, 'GETMETADATA INBOX (/private/e1 /private/e6)'), ['* METADATA "INBOX" (/private/e1 "1" /private/e6 NIL)']);
    // Changing and removing entries of a full mailbox still works.
    await ok(c, 'SETMETADATA INBOX (/private/e1 "changed" /private/e2 NIL)');
    await ok(c, 'SETMETADATA INBOX (/private/e6 "6")');
    // Eight per account: Sent may hold 3 more (server entries count too).
    await ok(c, 'SETMETADATA Sent (/private/s1 "1" /private/s2 "2")');
    await ok(c, 'SETMETADATA "" (/private/p1 "1")');
    await expectNo(c, 'SETMETADATA Drafts (/private/d1 "1")', 'METADATA TOOMANY');
    assert.equal(await rowsOf(id), 8);
  });

  test("Python's imaplib as a real client: SETMETADATA, GETMETADATA with a literal value and LONGENTRIES, LIST-METADATA", DEADLINE, async () => {
    const { user: login } = await imap().account();
    const c = await imap().login(login);
    await ok(c, 'SETMETADATA INBOX (/private/comment {20+}\r\nfirst line\r\nsecond!!)');
    const result = await withImaplibOnInbox(
      imap().heron.ports.imaps,
      login,
      PASSWORD,
      `caps = sorted(c for c in m.capabilities if 'METADATA' in c)
set_reply = m.xatom('SETMETADATA', 'INBOX', '(/shared/comment "from imaplib" /private/vendor/py/big "%s")' % ('z' * 50))
typ, got = m.xatom('GETMETADATA', '(MAXSIZE 40 DEPTH infinity)', 'INBOX', '(/private/comment /private/vendor /shared/comment)')
# imaplib files the METADATA data and the [METADATA LONGENTRIES n] code under one key.
got = m.untagged_responses.pop('METADATA')
typ, listed = m._simple_command('LIST', '""', 'INBOX', 'RETURN', '(METADATA (/shared/comment))')
return {
  'caps': caps,
  'set': set_reply[0],
  'get': [text(l) if isinstance(l, tuple) else l.decode() for l in got],
  'list': text(m.untagged_responses.pop('METADATA')),
}`,
    );
    assert.deepEqual(result, {
      caps: ['LIST-METADATA', 'METADATA', 'METADATA-SERVER'],
      set: 'OK',
      get: [['"INBOX" (/private/comment {20}', 'first line\r\nsecond!!'], ' /shared/comment "from imaplib")', 'LONGENTRIES 50'],
      list: ['"INBOX" (/shared/comment "from imaplib")'],
    });
  });

  test('concurrent SETMETADATA from several sessions never take a mailbox past its limit', DEADLINE, async () => {
    const { user: login, id } = await imap().account();
    const sessions = await Promise.all([1, 2, 3, 4].map(() => imap().login(login)));
    // Each adds three entries to Trash (limit 5): exactly one can succeed.
    const replies = await Promise.all(sessions.map((c, i) => c.command(`r${i}`, `SETMETADATA Trash (/private/r${i}a "1" /private/r${i}b "2" /private/r${i}c "3")`)));
    assert.equal(replies.filter((r) => / OK /.test(r)).length, 1, replies.join(''));
    for (const r of replies.filter((r) => !/ OK /.test(r))) assert.match(r, /NO \[METADATA TOOMANY\]/);
    assert.equal(await rowsOf(id), 3);
  });

  test('entry names and arguments that RFC 5464 §3.2 and §5 do not allow are BAD, and change nothing', DEADLINE, async () => {
    const { user: login } = await imap().account();
    const c = await imap().login(login);
    await ok(c, 'SETMETADATA INBOX (/shared/comment "Shared note")');
    const names = ['/foo/bar', '/shared', '/private/', '/shared//comment', '/shared/comment/', '/shared/comment*', '/shared/comm%nt', 'comment', '"/shared/a\tb"', '"/shared/\xff"', 'NIL', '()'];
    // A session is closed after 20 BAD commands: each batch gets a fresh one.
    const bad = async (commands: string[]) => {
      const fresh = await imap().login(login);
      await expectBad(fresh, commands);
      fresh.close();
    };
    await bad(names.map((n) => `GETMETADATA INBOX ${n}`));
    await bad(names.map((n) => `SETMETADATA INBOX (${n} "value")`));
    await bad([
      'GETMETADATA INBOX',
      'GETMETADATA INBOX ()',
      'GETMETADATA (DEPTH 2) INBOX /shared/comment',
      'GETMETADATA (DEPTH) INBOX /shared/comment',
      'GETMETADATA (MAXSIZE -1) INBOX /shared/comment',
      'GETMETADATA (MAXSIZE x) INBOX /shared/comment',
      'GETMETADATA (COLOR red) INBOX /shared/comment',
      'GETMETADATA INBOX /shared/comment extra',
      'SETMETADATA INBOX',
      'SETMETADATA INBOX ()',
      'SETMETADATA INBOX (/shared/comment)',
      'SETMETADATA INBOX (/shared/comment value)',
      'SETMETADATA INBOX (/shared/comment ("x"))',
      'SETMETADATA INBOX /shared/comment "x"',
      'SETMETADATA INBOX (/shared/comment {3+}\r\na\x00b)',
      // At most 256 entries in one command.
      `SETMETADATA INBOX (${Array.from({ length: 257 }, (_, i) => `/private/n${i} NIL`).join(' ')})`,
      `GETMETADATA INBOX (${Array.from({ length: 257 }, (_, i) => `/private/n${i}`).join(' ')})`,
    ]);
    assert.deepEqual(await ok(c, 'GETMETADATA INBOX /shared/comment'), ['* METADATA "INBOX" (/shared/comment "Shared note")']);
    // A mailbox that does not exist is NO [NONEXISTENT]; so is a name not valid in modified UTF-7.
    await expectNo(c, 'GETMETADATA Nowhere /shared/comment', 'NONEXISTENT');
    await expectNo(c, 'SETMETADATA Nowhere (/shared/comment "x")', 'NONEXISTENT');
    await expectNo(c, 'GETMETADATA "&Jjo" /shared/comment', 'NONEXISTENT');
    // Before login, no METADATA command.
    const anon = await imap().connect({ tls: true });
    assert.match(await anon.command('x', 'GETMETADATA "" /shared/comment'), /^x BAD /m);
  });

  test('RENAME takes the entries along (children too); DELETE removes them; so does deleting the account', DEADLINE, async () => {
    const { c, id } = await user();
    await ok(c, 'CREATE Projects/Old');
    await ok(c, 'SETMETADATA Projects (/private/comment "parent")');
    await ok(c, 'SETMETADATA Projects/Old (/shared/comment "child")');
    await ok(c, 'RENAME Projects Work');
    assert.deepEqual(await ok(c, 'GETMETADATA Work /private/comment'), ['* METADATA "Work" (/private/comment "parent")']);
    assert.deepEqual(await ok(c, 'GETMETADATA Work/Old /shared/comment'), ['* METADATA "Work/Old" (/shared/comment "child")']);
    await expectNo(c, 'GETMETADATA Projects /private/comment', 'NONEXISTENT');
    await ok(c, 'CREATE Projects');
    assert.deepEqual(await ok(c, 'GETMETADATA Projects /private/comment'), ['* METADATA "Projects" (/private/comment NIL)']);

    // DELETE of a mailbox with children keeps a \Noselect name, without entries.
    await ok(c, 'DELETE Work');
    await expectNo(c, 'GETMETADATA Work /private/comment', 'NONEXISTENT');
    await ok(c, 'CREATE Work');
    assert.deepEqual(await ok(c, 'GETMETADATA Work /private/comment'), ['* METADATA "Work" (/private/comment NIL)']);
    await ok(c, 'DELETE Work/Old');
    await ok(c, 'CREATE Work/Old');
    assert.deepEqual(await ok(c, 'GETMETADATA Work/Old /shared/comment'), ['* METADATA "Work/Old" (/shared/comment NIL)']);

    await ok(c, 'SETMETADATA "" (/private/comment "server")');
    await ok(c, 'SETMETADATA INBOX (/private/comment "inbox")');
    assert.equal(await rowsOf(id), 2);
    c.close();
    await deleteMailAccount(imap().heron.store, id);
    assert.equal(await rowsOf(id), 0);
  });

  test('two users: same mailbox names, separate entries, /private and /shared alike', DEADLINE, async () => {
    const alice = await user();
    const bob = await user();
    await ok(alice.c, 'SETMETADATA INBOX (/private/comment "alice private" /shared/comment "alice shared")');
    await ok(alice.c, 'SETMETADATA "" (/private/comment "alice server")');
    assert.deepEqual(await ok(bob.c, 'GETMETADATA INBOX (/private/comment /shared/comment)'), ['* METADATA "INBOX" (/private/comment NIL /shared/comment NIL)']);
    assert.deepEqual(await ok(bob.c, 'GETMETADATA "" /private/comment'), ['* METADATA "" (/private/comment NIL)']);
    await ok(bob.c, 'SETMETADATA INBOX (/shared/comment "bob shared")');
    assert.deepEqual(await ok(alice.c, 'GETMETADATA INBOX /shared/comment'), ['* METADATA "INBOX" (/shared/comment "alice shared")']);
    // Both read the administrator's server entries.
    for (const { c } of [alice, bob]) assert.deepEqual(await ok(c, 'GETMETADATA "" /shared/comment'), ['* METADATA "" (/shared/comment "Shared comment")']);
  });

  test('each changed entry is announced with the `metadata` store event after the commit', DEADLINE, async () => {
    const { c, id } = await user();
    const events: MetadataChanged[] = [];
    const listener = (e: MetadataChanged) => {
      if (e.accountId === id) events.push(e);
    };
    const store = imap().heron.store;
    store.events.on('metadata', listener);
    try {
      const inbox = (await store.get<{ id: number }>(`SELECT id FROM mail_box WHERE mail_account_id = ? AND name = 'INBOX'`, id))!.id;
      await ok(c, 'SETMETADATA INBOX (/private/comment "x" /shared/comment "y")');
      await ok(c, 'SETMETADATA "" (/private/comment "z")');
      // Removing an entry that does not exist changes nothing, announces nothing.
      await ok(c, 'SETMETADATA INBOX (/private/vendor/none NIL)');
      await ok(c, 'SETMETADATA INBOX (/private/comment NIL)');
      while (events.length < 4) await once(store.events, 'metadata');
      assert.deepEqual(events, [
        { accountId: id, mailboxId: inbox, entry: '/private/comment' },
        { accountId: id, mailboxId: inbox, entry: '/shared/comment' },
        { accountId: id, mailboxId: null, entry: '/private/comment' },
        { accountId: id, mailboxId: inbox, entry: '/private/comment' },
      ]);
      // A refused command announces nothing.
      await expectNo(c, 'SETMETADATA "" (/private/a "1" /shared/comment "no")', 'NOPERM');
      await ok(c, 'NOOP');
      assert.equal(events.length, 4);
    } finally {
      store.events.off('metadata', listener);
    }
  });
});
