// UTF8=ACCEPT (RFC 6855): after ENABLE UTF8=ACCEPT mailbox names are UTF-8
// as they stand, both ways, quoted strings may carry UTF-8, APPEND takes
// UTF8 (literal8), and SEARCH names no CHARSET. A session that did not enable
// it keeps modified UTF-7. Raw transcripts side by side, then Python's imaplib
// and imapflow (both enable UTF8=ACCEPT when offered).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IMAP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { withImaplibOnInbox } from './python-imaplib.ts';
import type { RawClient } from './raw-client.ts';
import { DEADLINE, PASSWORD, untagged, untaggedOk, useImap } from './fixture.ts';

const imap = useImap();

/** Text as the wire carries it: UTF-8, one char per byte (RawClient writes latin1). */
const wire = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

async function utf8Session(user: string): Promise<RawClient> {
  const c = await imap().login(user);
  assert.deepEqual(await untaggedOk(c, 'ENABLE UTF8=ACCEPT', 'en'), ['* ENABLED UTF8=ACCEPT']);
  return c;
}

const UTF8_MESSAGE =
  'From: Jösé Pérez <jose@example.org>\r\nTo: Zoë <zoe@heron.test>\r\nSubject: Grüße aus Köln ☕\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <utf8@example.org>\r\n\r\nHallo — ein Gruß.\r\n';

describe('UTF8=ACCEPT (RFC 6855)', () => {
  test('advertised; ENABLE UTF8=ACCEPT lists it once; not once a mailbox is selected', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.match(untagged(await c.command('c', 'CAPABILITY'))[0], / UTF8=ACCEPT( |$)/);
    await untaggedOk(c, 'SELECT INBOX', 's');
    assert.deepEqual(await untaggedOk(c, 'ENABLE UTF8=ACCEPT', 'e0'), ['* ENABLED']);
    await untaggedOk(c, 'UNSELECT', 'u');
    assert.deepEqual(await untaggedOk(c, 'ENABLE utf8=accept UTF8=ACCEPT CONDSTORE', 'e1'), ['* ENABLED UTF8=ACCEPT CONDSTORE']);
  });

  test('mailbox names: UTF-8 after ENABLE, modified UTF-7 without, for the same mailboxes', DEADLINE, async () => {
    const { user } = await imap().account();
    const utf8 = await utf8Session(user);
    const rev1 = await imap().login(user);
    // Created by the rev1 session in modified UTF-7 (RFC 3501 §5.1.3), by the UTF-8 one raw.
    await untaggedOk(rev1, 'CREATE "Caf&AOk-"', 'c1');
    await untaggedOk(utf8, wire('CREATE "日本語/Ordner & Co"'), 'c2');
    assert.deepEqual(await untaggedOk(utf8, 'LIST "" "*" RETURN (CHILDREN)', 'l1'), [
      `* LIST (\\HasNoChildren) "/" ${wire('"Café"')}`,
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
      `* LIST (\\HasChildren) "/" ${wire('"日本語"')}`,
      `* LIST (\\HasNoChildren) "/" ${wire('"日本語/Ordner & Co"')}`,
    ]);
    assert.deepEqual(await untaggedOk(rev1, 'LIST "" "&ZeVnLIqe-*"', 'l2'), ['* LIST (\\HasChildren) "/" "&ZeVnLIqe-"', '* LIST (\\HasNoChildren) "/" "&ZeVnLIqe-/Ordner &- Co"']);
    // A pattern in UTF-8 matches; the modified UTF-7 spelling is another name now.
    assert.deepEqual(await untaggedOk(utf8, wire('LIST "" "日本語/%"'), 'l3'), [`* LIST (\\HasNoChildren) "/" ${wire('"日本語/Ordner & Co"')}`]);
    assert.deepEqual(await untaggedOk(utf8, 'LIST "" "Caf&AOk-"', 'l4'), []);
    assert.deepEqual(await untaggedOk(utf8, wire('STATUS "Café" (MESSAGES)'), 's1'), [`* STATUS ${wire('"Café"')} (MESSAGES 0)`]);
    assert.deepEqual(await untaggedOk(rev1, 'STATUS "Caf&AOk-" (MESSAGES)', 's2'), ['* STATUS "Caf&AOk-" (MESSAGES 0)']);
    assert.match(await utf8.command('s3', 'STATUS "Caf&AOk-" (MESSAGES)'), /^s3 NO \[NONEXISTENT\]/m);
    assert.deepEqual(await untaggedOk(utf8, wire('GETQUOTAROOT "Café"'), 'q'), [`* QUOTAROOT ${wire('"Café"')} ""`, '* QUOTA "" ()']);
    // SELECT by the UTF-8 name, also as a literal.
    const name = Buffer.from('日本語/Ordner & Co', 'utf8');
    utf8.write(`sel SELECT {${name.length}+}\r\n`);
    utf8.write(Buffer.concat([name, Buffer.from('\r\n')]));
    assert.match(await utf8.waitTagged('sel'), /^sel OK \[READ-WRITE\]/m);
    await untaggedOk(utf8, wire('RENAME "Café" "Kaffee ☕"'), 'r');
    assert.deepEqual(await untaggedOk(rev1, 'LIST "" "Kaffee*"', 'l5'), ['* LIST (\\HasNoChildren) "/" "Kaffee &JhU-"']);
    // RFC 9051 §5.1 / RFC 3629: bytes that are not UTF-8 name nothing.
    utf8.write('bad CREATE {2+}\r\n\xff\xfe\r\n');
    assert.match(await utf8.waitTagged('bad'), /^bad BAD mailbox name is not valid UTF-8/m);
    utf8.write('bad2 STATUS {2+}\r\n\xff\xfe (MESSAGES)\r\n');
    assert.match(await utf8.waitTagged('bad2'), /^bad2 NO \[NONEXISTENT\]/m);
  });

  test('METADATA and NOTIFY name mailboxes as the session reads them', DEADLINE, async () => {
    const { user } = await imap().account();
    const utf8 = await utf8Session(user);
    const rev1 = await imap().login(user);
    await untaggedOk(utf8, wire('CREATE "Café"'), 'c');
    await untaggedOk(utf8, wire('SETMETADATA "Café" (/private/comment "x")'), 'sm');
    assert.deepEqual(await untaggedOk(utf8, wire('GETMETADATA "Café" /private/comment'), 'g1'), [`* METADATA ${wire('"Café"')} (/private/comment "x")`]);
    assert.deepEqual(await untaggedOk(rev1, 'GETMETADATA "Caf&AOk-" /private/comment', 'g2'), ['* METADATA "Caf&AOk-" (/private/comment "x")']);
    await untaggedOk(utf8, wire('NOTIFY SET (MAILBOXES "Café" (MessageNew MessageExpunge))'), 'n');
    await untaggedOk(rev1, 'APPEND "Caf&AOk-" {6+}\r\nx: y\r\n', 'a');
    await utf8.readUntil((b) => b.includes('* STATUS '), { what: 'the NOTIFY STATUS' });
    assert.match(utf8.take(), new RegExp(`^\\* STATUS ${wire('"Café"')} \\(MESSAGES 1 `, 'm'));
  });

  test('APPEND UTF8 (literal8) stores the bytes as sent; without ENABLE it is BAD (RFC 6855 §4)', DEADLINE, async () => {
    const { user } = await imap().account();
    const utf8 = await utf8Session(user);
    const rev1 = await imap().login(user);
    const raw = Buffer.from(UTF8_MESSAGE, 'utf8');
    // Synchronising literal8: the continuation, then the bytes.
    utf8.write(`a1 APPEND INBOX (\\Seen) UTF8 (~{${raw.length}}\r\n`);
    await utf8.readUntil((b) => b.startsWith('+ '), { what: 'the continuation' });
    utf8.take();
    utf8.write(Buffer.concat([raw, Buffer.from(')\r\n')]));
    assert.match(await utf8.waitTagged('a1'), /^a1 OK \[APPENDUID \d+ 1\] /m);
    // Non-synchronising (LITERAL+).
    utf8.write(Buffer.concat([Buffer.from(`a2 APPEND INBOX UTF8 (~{${raw.length}+}\r\n`), raw, Buffer.from(')\r\n')]));
    assert.match(await utf8.waitTagged('a2'), /^a2 OK \[APPENDUID \d+ 2\] /m);
    // Without UTF8=ACCEPT the UTF8 form is BAD and nothing is stored.
    rev1.write(Buffer.concat([Buffer.from(`a3 APPEND INBOX UTF8 (~{${raw.length}+}\r\n`), raw, Buffer.from(')\r\n')]));
    assert.match(await rev1.waitTagged('a3'), /^a3 BAD UTF8 needs ENABLE UTF8=ACCEPT/m);
    // A UTF8 item without a literal8 is BAD too.
    assert.match(await utf8.command('a4', 'APPEND INBOX UTF8 ("text")'), /^a4 BAD /m);
    // RFC 6855 §4 lets a server refuse 8-bit header fields in a plain literal; Heron stores them as they are (as RFC 9051 does).
    rev1.write(Buffer.concat([Buffer.from(`a5 APPEND INBOX {${raw.length}+}\r\n`), raw, Buffer.from('\r\n')]));
    assert.match(await rev1.waitTagged('a5'), /^a5 OK \[APPENDUID \d+ 3\] /m);

    // Over the account's message size: NO [TOOBIG] before any byte is sent, nothing stored.
    await imap().withMaxSize(raw.length - 1, async () => {
      const small = await utf8Session(user);
      assert.match(await small.command('a6', `APPEND INBOX UTF8 (~{${raw.length}}`), /^a6 NO \[TOOBIG\]/m);
    });
    assert.deepEqual(await untaggedOk(utf8, 'STATUS INBOX (MESSAGES)', 'st'), ['* STATUS "INBOX" (MESSAGES 3)']);
    // MULTIAPPEND (RFC 3502) of two UTF8 messages: both, as one set of UIDs.
    const two = Buffer.concat([Buffer.from(`a7 APPEND Drafts UTF8 (~{${raw.length}+}\r\n`), raw, Buffer.from(`) (\\Draft) UTF8 (~{${raw.length}+}\r\n`), raw, Buffer.from(')\r\n')]);
    utf8.write(two);
    assert.match(await utf8.waitTagged('a7'), /^a7 OK \[APPENDUID \d+ 1:2\] /m);

    await untaggedOk(utf8, 'SELECT INBOX', 's');
    const fetched = await utf8.command('f', 'UID FETCH 1:3 (BODY.PEEK[] RFC822.SIZE)');
    assert.equal(fetched.split(`RFC822.SIZE ${raw.length}`).length - 1, 3, fetched);
    assert.equal(fetched.split(raw.toString('latin1')).length - 1, 3, 'each message byte for byte');
    // A rev1 session with UTF8=ACCEPT keeps \\Recent.
    assert.deepEqual(await untaggedOk(utf8, 'FETCH 1 FLAGS', 'ff'), ['* 1 FETCH (FLAGS (\\Seen \\Recent))']);
    const envelope = await utf8.command('e', 'FETCH 1 ENVELOPE');
    assert.ok(envelope.includes(wire('Grüße aus Köln ☕')), envelope);
  });

  test('SEARCH: UTF-8 strings without CHARSET; CHARSET after ENABLE is BAD (RFC 6855 §3); rev1 keeps CHARSET', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', UTF8_MESSAGE);
    await imap().deliver(id, 'INBOX', 'Subject: plain\r\n\r\nnothing\r\n');
    const utf8 = await utf8Session(user);
    const rev1 = await imap().login(user);
    await untaggedOk(utf8, 'SELECT INBOX', 's');
    await untaggedOk(rev1, 'EXAMINE INBOX', 's');
    assert.deepEqual(await untaggedOk(utf8, wire('SEARCH SUBJECT "köln"'), 'q1'), ['* SEARCH 1']);
    assert.deepEqual(await untaggedOk(utf8, wire('SEARCH FROM "Pérez" BODY "Gruß"'), 'q2'), ['* SEARCH 1']);
    assert.match(await utf8.command('q3', wire('SEARCH CHARSET UTF-8 SUBJECT "köln"')), /^q3 BAD /m);
    assert.match(await utf8.command('q4', 'SEARCH CHARSET US-ASCII ALL'), /^q4 BAD /m);
    assert.match(await utf8.command('q5', 'ESEARCH IN (personal) CHARSET UTF-8 ALL'), /^q5 BAD /m);
    // SORT and THREAD name a charset in their own grammar (RFC 5256): unaffected.
    assert.deepEqual(await untaggedOk(utf8, wire('SORT (SUBJECT) UTF-8 SUBJECT "köln"'), 'so'), ['* SORT 1']);
    const subject = Buffer.from('köln', 'utf8');
    rev1.write(`r1 SEARCH CHARSET UTF-8 SUBJECT {${subject.length}+}\r\n`);
    rev1.write(Buffer.concat([subject, Buffer.from('\r\n')]));
    assert.deepEqual(untagged(await rev1.waitTagged('r1')), ['* SEARCH 1']);
  });

  test('LOGIN with a UTF-8 user name and password (RFC 6855 §5)', DEADLINE, async () => {
    const server = 'heron.test';
    const user = `jösé-${Date.now()}@${server}`;
    const { createMailAccount, findMailServerByHostname } = await import('../../schema/index.ts');
    const row = await findMailServerByHostname(imap().heron.store, server);
    await createMailAccount(imap().heron.store, { username: user, password: 'pässwörd ☕', mailServerId: row!.id });
    const c = await imap().connect({ tls: true });
    assert.match(await c.command('l', wire(`LOGIN "${user}" "pässwörd ☕"`)), /^l OK /m);
    const bad = await imap().connect({ tls: true });
    assert.match(await bad.command('l', wire(`LOGIN "${user}" "passwort"`)), /^l NO \[AUTHENTICATIONFAILED\]/m);
  });

  test("Python's imaplib in UTF-8 mode creates, lists and selects UTF-8 names", DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', UTF8_MESSAGE);
    const result = await withImaplibOnInbox(
      imap().heron.ports.imaps,
      user,
      PASSWORD,
      `m.unselect()
m.enable('UTF8=ACCEPT')
typ, enabled = m.response('ENABLED')
m.create('"Größe/Ĉiuj"')
typ, listed = m.list('""', '"Gr*"')
typ, count = m.select('"Größe/Ĉiuj"')
count = list(count)
typ, appended = m.append('"Größe/Ĉiuj"', None, None, ${JSON.stringify(UTF8_MESSAGE)}.encode('utf-8'))
m.select('INBOX')
typ, found = m.search(None, 'SUBJECT', '"Köln"')
return [text(enabled), m._encoding, [l.decode('utf-8') for l in listed], text(count), typ, text(found)]`,
    );
    assert.deepEqual(result, [
      ['UTF8=ACCEPT'],
      'utf-8',
      ['(\\HasChildren) "/" "Größe"', '(\\HasNoChildren) "/" "Größe/Ĉiuj"'],
      ['0'],
      'OK',
      ['1'],
    ]);
  });

  test('imapflow enables UTF8=ACCEPT and uses UTF-8 names', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', UTF8_MESSAGE);
    const client = imap().imapflow(user, IMAP_CLIENT_DEADLINES);
    await client.connect();
    try {
      assert.ok(client.enabled.has('UTF8=ACCEPT'), [...client.enabled].join(' '));
      const created = await client.mailboxCreate('Größe & Co');
      assert.equal(created.path, 'Größe & Co');
      const list = await client.list();
      assert.ok(list.some((m) => m.path === 'Größe & Co'), list.map((m) => m.path).join(', '));
      await client.append('Größe & Co', Buffer.from(UTF8_MESSAGE, 'utf8'), ['\\Seen']);
      const lock = await client.getMailboxLock('Größe & Co');
      try {
        // No CHARSET goes out under UTF8=ACCEPT; the strings are UTF-8.
        assert.deepEqual(await client.search({ subject: 'Köln ☕' }, { uid: true }), [1]);
        const msg = await client.fetchOne('1', { envelope: true, source: true });
        assert.ok(msg);
        assert.equal(msg.envelope?.subject, 'Grüße aus Köln ☕');
        assert.deepEqual(msg.source, Buffer.from(UTF8_MESSAGE, 'utf8'));
      } finally {
        lock.release();
      }
      // A rev1 raw session sees the same mailbox in modified UTF-7.
      const rev1 = await imap().login(user);
      assert.deepEqual(await untaggedOk(rev1, 'LIST "" "Gr*"', 'l'), ['* LIST (\\HasNoChildren) "/" "Gr&APYA3w-e &- Co"']);
    } finally {
      await client.logout();
    }
  });
});
