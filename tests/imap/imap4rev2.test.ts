// IMAP4rev2 (RFC 9051): advertised beside IMAP4rev1, switched on per session
// by ENABLE IMAP4rev2. Raw transcripts put a rev1 and a rev2 session of one
// account side by side (the rev1 one must answer as before); the examples are
// RFC 9051's where it has them. imapflow enables IMAP4rev2 when offered.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { IMAP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import type { RawClient } from './raw-client.ts';
import { DEADLINE, message, untagged, untaggedOk, useImap } from './fixture.ts';

const imap = useImap();

/** A logged-in session with IMAP4rev2 enabled. */
async function rev2Session(user: string): Promise<RawClient> {
  const c = await imap().login(user);
  assert.deepEqual(await untaggedOk(c, 'ENABLE IMAP4rev2', 'en'), ['* ENABLED IMAP4rev2']);
  return c;
}

describe('IMAP4rev2 (RFC 9051)', () => {
  test('advertised beside IMAP4rev1 before and after login; ENABLE only before SELECT', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().connect({ tls: true });
    assert.match(c.greeting, /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 /);
    assert.match(await c.command('l', `LOGIN ${user} "imap test password"`), /^l OK \[CAPABILITY IMAP4rev1 IMAP4rev2 [^\]]*\]/);
    assert.match(untagged(await c.command('c', 'CAPABILITY'))[0], /^\* CAPABILITY IMAP4rev1 IMAP4rev2 .* UTF8=ACCEPT/);
    // RFC 5161 §3.1: ENABLED names what was enabled, once, in the capability's own spelling.
    assert.deepEqual(await untaggedOk(c, 'ENABLE imap4rev2 IMAP4REV2 X-UNKNOWN', 'e1'), ['* ENABLED IMAP4rev2']);
    // Enabled already: nothing new to list.
    const other = await imap().login(user);
    await untaggedOk(other, 'SELECT INBOX', 's');
    // RFC 9051 §6.3.1: ENABLE belongs before SELECT; the selected session stays rev1.
    assert.deepEqual(await untaggedOk(other, 'ENABLE IMAP4rev2', 'e2'), ['* ENABLED']);
    assert.deepEqual(await untaggedOk(other, 'SEARCH ALL', 'q'), ['* SEARCH']);
    await untaggedOk(other, 'UNSELECT', 'u');
    assert.deepEqual(await untaggedOk(other, 'ENABLE IMAP4rev2', 'e3'), ['* ENABLED IMAP4rev2']);
  });

  describe('a rev1 and a rev2 session of one mailbox', () => {
    let rev1: RawClient;
    let rev2: RawClient;
    let id: number;
    before(async () => {
      const account = await imap().account();
      id = account.id;
      await imap().deliver(id, 'INBOX', message('First'), ['\\Seen']);
      await imap().deliver(id, 'INBOX', message('Second', 'Flagged one'), ['\\Flagged']);
      await imap().deliver(id, 'INBOX', message('Third'));
      rev2 = await rev2Session(account.user);
      rev1 = await imap().login(account.user);
    });

    test('SELECT: rev2 sends LIST and no RECENT or [UNSEEN]; rev1 as before (RFC 9051 §6.3.2)', DEADLINE, async () => {
      const r2 = await rev2.command('A142', 'SELECT INBOX');
      assert.match(r2, /\r\nA142 OK \[READ-WRITE\] SELECT completed\r\n$/);
      const lines2 = untagged(r2);
      assert.ok(lines2.includes('* 3 EXISTS'), r2);
      assert.ok(lines2.includes('* LIST () "/" "INBOX"'), r2);
      assert.ok(!lines2.some((l) => /RECENT|\[UNSEEN /.test(l)), r2);
      for (const code of ['UIDVALIDITY', 'UIDNEXT', 'PERMANENTFLAGS']) assert.ok(lines2.some((l) => l.startsWith(`* OK [${code} `)), code);
      // The rev2 session claimed no \Recent: the rev1 session that selects next gets all three.
      const lines1 = untagged(await rev1.command('s1', 'SELECT INBOX'));
      assert.ok(lines1.includes('* 3 RECENT'), lines1.join('\n'));
      assert.ok(lines1.includes('* OK [UNSEEN 2] First unseen'), lines1.join('\n'));
      assert.ok(!lines1.some((l) => l.startsWith('* LIST')), lines1.join('\n'));
    });

    test('FETCH FLAGS and new mail: \\Recent and RECENT only in rev1', DEADLINE, async () => {
      assert.deepEqual(await untaggedOk(rev2, 'FETCH 1:3 FLAGS', 'f2'), ['* 1 FETCH (FLAGS (\\Seen))', '* 2 FETCH (FLAGS (\\Flagged))', '* 3 FETCH (FLAGS ())']);
      assert.deepEqual(await untaggedOk(rev1, 'FETCH 1:3 FLAGS', 'f1'), ['* 1 FETCH (FLAGS (\\Seen \\Recent))', '* 2 FETCH (FLAGS (\\Flagged \\Recent))', '* 3 FETCH (FLAGS (\\Recent))']);
      await imap().deliver(id, 'INBOX', message('Fourth'));
      assert.deepEqual(await untaggedOk(rev1, 'NOOP', 'n1'), ['* 4 EXISTS', '* 4 RECENT']);
      assert.deepEqual(await untaggedOk(rev2, 'NOOP', 'n2'), ['* 4 EXISTS']);
      // Another session's flag change reaches the rev2 session with its UID (RFC 9051 §7.5.2).
      await untaggedOk(rev1, 'STORE 4 +FLAGS.SILENT (\\Answered)', 'st');
      assert.deepEqual(await untaggedOk(rev2, 'NOOP', 'n3'), ['* 4 FETCH (UID 4 FLAGS (\\Answered))']);
    });

    test('SEARCH is answered with ESEARCH in rev2, as RFC 9051 §6.4.4 shows', DEADLINE, async () => {
      assert.deepEqual(await untaggedOk(rev1, 'SEARCH FLAGGED', 'a'), ['* SEARCH 2']);
      assert.deepEqual(await untaggedOk(rev2, 'SEARCH FLAGGED', 'A282'), ['* ESEARCH (TAG "A282") ALL 2']);
      assert.deepEqual(await untaggedOk(rev2, 'SEARCH RETURN (MIN COUNT) UNSEEN', 'A285'), ['* ESEARCH (TAG "A285") MIN 2 COUNT 3']);
      assert.deepEqual(await untaggedOk(rev2, 'SEARCH TEXT "string not in mailbox"', 'A283'), ['* ESEARCH (TAG "A283")']);
      assert.deepEqual(await untaggedOk(rev1, 'SEARCH TEXT "string not in mailbox"', 'b'), ['* SEARCH']);
      assert.deepEqual(await untaggedOk(rev2, 'UID SEARCH UNSEEN', 'u'), ['* ESEARCH (TAG "u") UID ALL 2:4']);
    });

    test('SEARCH with a literal, as RFC 9051 §6.4.4 example A284', DEADLINE, async () => {
      rev2.write('A286 SEARCH CHARSET UTF-8 TEXT {11}\r\n');
      assert.match(await nextLine(rev2, 'the continuation'), /^\+ /);
      rev2.write('Flagged one\r\n');
      assert.deepEqual(untagged(await rev2.waitTagged('A286')), ['* ESEARCH (TAG "A286") ALL 2']);
    });

    test('NEW, OLD and RECENT are BAD in rev2 (no \\Recent), work in rev1', DEADLINE, async () => {
      for (const key of ['NEW', 'OLD', 'RECENT', 'NOT (OR SEEN RECENT)']) {
        assert.match(await rev2.command('k', `SEARCH ${key}`), /^k BAD /m, key);
        assert.match(await rev1.command('k', `SEARCH ${key}`), /^\* SEARCH[ \d]*\r\nk OK /, key);
      }
      assert.match(await rev2.command('so', 'SORT (DATE) UTF-8 RECENT'), /^so BAD /m);
      assert.match(await rev2.command('th', 'THREAD REFERENCES UTF-8 NEW'), /^th BAD /m);
      assert.match(await rev2.command('es', 'ESEARCH IN (personal) OLD'), /^es BAD /m);
    });

    test('STATUS: no RECENT item in rev2; DELETED and SIZE in both', DEADLINE, async () => {
      assert.match(await rev2.command('s', 'STATUS INBOX (MESSAGES RECENT)'), /^s BAD /m);
      assert.match(await rev2.command('l', 'LIST "" "INBOX" RETURN (STATUS (RECENT))'), /^l BAD /m);
      assert.match(await rev1.command('s', 'STATUS INBOX (RECENT)'), /^\* STATUS "INBOX" \(RECENT \d+\)\r\ns OK/);
      await untaggedOk(rev1, 'STORE 1 +FLAGS.SILENT (\\Deleted)', 'd');
      const items = 'MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE';
      const statusLine = (lines: string[]) => lines.filter((l) => l.startsWith('* STATUS '));
      const s2 = statusLine(await untaggedOk(rev2, `STATUS INBOX (${items})`, 's2'));
      const s1 = statusLine(await untaggedOk(rev1, `STATUS INBOX (${items})`, 's1'));
      assert.deepEqual(s2, s1);
      assert.match(s2[0], /^\* STATUS "INBOX" \(MESSAGES 4 UIDNEXT 5 UIDVALIDITY \d+ UNSEEN 3 DELETED 1 SIZE \d+\)$/);
      await untaggedOk(rev1, 'STORE 1 -FLAGS.SILENT (\\Deleted)', 'd');
      await untaggedOk(rev2, 'NOOP', 'n');
    });

    test('the extensions rev2 makes base are there in a rev2 session', DEADLINE, async () => {
      // NAMESPACE, ESEARCH, LIST-EXTENDED with STATUS (LIST-STATUS), SPECIAL-USE, ENABLE, IDLE, UNSELECT, UIDPLUS, MOVE, UID EXPUNGE.
      assert.deepEqual(await untaggedOk(rev2, 'NAMESPACE', 'ns'), ['* NAMESPACE (("" "/")) NIL NIL']);
      assert.deepEqual(await untaggedOk(rev2, 'LIST (SPECIAL-USE) "" "*" RETURN (STATUS (MESSAGES SIZE))', 'ls'), [
        '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
        '* STATUS "Drafts" (MESSAGES 0 SIZE 0)',
        '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
        '* STATUS "Junk" (MESSAGES 0 SIZE 0)',
        '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
        '* STATUS "Sent" (MESSAGES 0 SIZE 0)',
        '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
        '* STATUS "Trash" (MESSAGES 0 SIZE 0)',
      ]);
      assert.match(await rev2.command('cp', 'UID COPY 1:2 Trash'), /^cp OK \[COPYUID \d+ 1:2 1:2\]/m);
      rev2.write('i IDLE\r\n');
      assert.match(await nextLine(rev2, 'the IDLE continuation'), /^\+ /);
      await imap().deliver(id, 'INBOX', message('During IDLE'));
      assert.equal(await nextLine(rev2, 'EXISTS during IDLE'), '* 5 EXISTS');
      rev2.write('DONE\r\n');
      assert.match(await rev2.waitTagged('i'), /^i OK /m);
      await untaggedOk(rev1, 'NOOP', 'n');
      assert.match(await rev2.command('mv', 'UID MOVE 5 Junk'), /^\* OK \[COPYUID \d+ 5 1\][^\r]*\r\n\* 5 EXPUNGE\r\nmv OK/);
      await untaggedOk(rev2, 'UID STORE 3:4 +FLAGS.SILENT (\\Deleted)', 'del');
      // UID EXPUNGE removes only the named UIDs (RFC 9051 §6.4.9).
      assert.deepEqual(await untaggedOk(rev2, 'UID EXPUNGE 4', 'ux'), ['* 4 EXPUNGE']);
      assert.deepEqual(await untaggedOk(rev2, 'ESEARCH IN (mailboxes Trash) ALL', 'es'), [`* ESEARCH (TAG "es" MAILBOX "Trash" UIDVALIDITY ${(await trashValidity(rev2))}) UID ALL 1:2`]);
      assert.match(await rev2.command('un', 'UNSELECT'), /^un OK/m);
      assert.match(await rev2.command('cap', 'SEARCH ALL'), /^cap BAD /m);
    });

    test('rev1 is unchanged: SEARCH and LSUB answer as RFC 3501 says', DEADLINE, async () => {
      await untaggedOk(rev1, 'NOOP', 'n');
      assert.deepEqual(await untaggedOk(rev1, 'UID SEARCH UID 1:2', 'us'), ['* SEARCH 1 2']);
      assert.ok((await untaggedOk(rev1, 'LSUB "" "*"', 'ls')).includes('* LSUB (\\HasNoChildren) "/" "INBOX"'));
    });
  });

  test('LIST: \\NonExistent, \\Subscribed, \\HasChildren as rev2 has them; [HASCHILDREN] on DELETE', DEADLINE, async () => {
    const { user } = await imap().account();
    const rev2 = await rev2Session(user);
    const rev1 = await imap().login(user);
    await untaggedOk(rev2, 'CREATE Fruit/Apple', 'c1');
    await untaggedOk(rev2, 'CREATE Fruit/Peach', 'c2');
    await untaggedOk(rev2, 'DELETE Fruit/Peach', 'd');
    // The name is kept subscribed without a mailbox: \NonExistent in the extended LIST, both revisions.
    const subscribed = ['* LIST (\\HasNoChildren \\Subscribed) "/" "Fruit/Apple"', '* LIST (\\NonExistent \\HasNoChildren \\Subscribed) "/" "Fruit/Peach"'];
    assert.deepEqual(await untaggedOk(rev2, 'LIST (SUBSCRIBED) "" "Fruit/*"', 'l2'), subscribed);
    assert.deepEqual(await untaggedOk(rev1, 'LIST (SUBSCRIBED) "" "Fruit/*"', 'l1'), subscribed);
    assert.deepEqual(await untaggedOk(rev2, 'LIST "" "Fruit" RETURN (SUBSCRIBED CHILDREN)', 'lc'), ['* LIST (\\HasChildren \\Subscribed) "/" "Fruit"']);
    // A \Noselect parent: DELETE again is refused; rev2 names the reason [HASCHILDREN].
    await untaggedOk(rev2, 'DELETE Fruit', 'd1');
    assert.deepEqual(await untaggedOk(rev2, 'LIST "" "Fruit"', 'l3'), ['* LIST (\\Noselect \\HasChildren) "/" "Fruit"']);
    assert.match(await rev2.command('d2', 'DELETE Fruit'), /^d2 NO \[HASCHILDREN\] /m);
    assert.match(await rev1.command('d3', 'DELETE Fruit'), /^d3 NO \[INUSE\] /m);
    // Response codes rev2 defines that Heron sends.
    assert.match(await rev2.command('c3', 'CREATE Fruit/Apple'), /^c3 NO \[ALREADYEXISTS\] /m);
    assert.match(await rev2.command('s', 'SELECT Nowhere'), /^s NO \[NONEXISTENT\] /m);
    assert.match(await rev2.command('a', 'APPEND Nowhere {1+}\r\nx'), /^a NO \[TRYCREATE\] /m);
  });

  test('mailbox names are UTF-8 in rev2, modified UTF-7 in rev1 (RFC 9051 §5.1)', DEADLINE, async () => {
    const { user } = await imap().account();
    const rev2 = await rev2Session(user);
    const rev1 = await imap().login(user);
    await untaggedOk(rev2, utf8('CREATE "Répertoire/A&B"'), 'c');
    assert.deepEqual(await untaggedOk(rev2, 'LIST "" "R*"', 'l2'), [
      `* LIST (\\HasChildren) "/" ${utf8('"Répertoire"')}`,
      `* LIST (\\HasNoChildren) "/" ${utf8('"Répertoire/A&B"')}`,
    ]);
    assert.deepEqual(await untaggedOk(rev1, 'LIST "" "R*"', 'l1'), ['* LIST (\\HasChildren) "/" "R&AOk-pertoire"', '* LIST (\\HasNoChildren) "/" "R&AOk-pertoire/A&-B"']);
    const sel = untagged(await rev2.command('s', utf8('SELECT "Répertoire/A&B"')));
    assert.ok(sel.includes(`* LIST () "/" ${utf8('"Répertoire/A&B"')}`), sel.join('\n'));
    // In rev2 "&" is itself: the modified UTF-7 spelling names another mailbox.
    assert.match(await rev2.command('s2', 'SELECT "R&AOk-pertoire/A&-B"'), /^s2 NO \[NONEXISTENT\]/m);
    assert.match(await rev1.command('s1', 'SELECT "R&AOk-pertoire/A&-B"'), /^s1 OK /m);
    // A name stored in another form than given (NFC, INBOX's case) comes back with OLDNAME (RFC 9051 §6.3.4); rev1 gets only the OK.
    const decomposed = 'Cafe\u0301';
    assert.deepEqual(await untaggedOk(rev2, utf8(`CREATE "${decomposed}"`), 'nf'), [`* LIST () "/" ${utf8('"Café"')} ("OLDNAME" (${utf8(`"${decomposed}"`)}))`]);
    assert.deepEqual(await untaggedOk(rev2, 'CREATE inbox/Sub', 'ib'), ['* LIST () "/" "INBOX/Sub" ("OLDNAME" ("inbox/Sub"))']);
    assert.deepEqual(await untaggedOk(rev1, 'CREATE inbox/Other', 'ib1'), []);
  });

  test('BODYSTRUCTURE: message/global is a message in rev2, a basic body in rev1 (RFC 9051 §7.5.2)', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const inner = 'From: Jose <jose@example.org>\r\nSubject: Inner\r\n\r\nHallo\r\n';
    const raw = `From: a@example.org\r\nSubject: Global\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: message/global\r\n\r\n${inner}--b--\r\n`;
    await imap().deliver(id, 'INBOX', raw);
    const rev2 = await rev2Session(user);
    const rev1 = await imap().login(user);
    await untaggedOk(rev2, 'EXAMINE INBOX', 'e');
    await untaggedOk(rev1, 'EXAMINE INBOX', 'e');
    const size = Buffer.byteLength(inner) - 2;
    const text = '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0)';
    assert.deepEqual(await untaggedOk(rev1, 'FETCH 1 BODY', 'b1'), [`* 1 FETCH (BODY (${text}("message" "global" NIL NIL NIL "7bit" ${size}) "mixed"))`]);
    assert.deepEqual(await untaggedOk(rev2, 'FETCH 1 BODY', 'b2'), [
      `* 1 FETCH (BODY (${text}("message" "global" NIL NIL NIL "7bit" ${size} (NIL "Inner" (("Jose" NIL "jose" "example.org")) (("Jose" NIL "jose" "example.org")) (("Jose" NIL "jose" "example.org")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0) 3) "mixed"))`,
    ]);
    assert.match(await rev2.command('bs', 'FETCH 1 BODYSTRUCTURE'), /"global" NIL NIL NIL "7bit" \d+ \(NIL "Inner" .* 3 NIL NIL NIL NIL\)/);
    // RFC 9051 §6.4.5: HEADER and TEXT reach into a MESSAGE/GLOBAL part.
    assert.match(await rev2.command('h', 'FETCH 1 BODY.PEEK[2.HEADER.FIELDS (SUBJECT)]'), /^\* 1 FETCH \(BODY\[2\.HEADER\.FIELDS \(SUBJECT\)\] \{18\}\r\nSubject: Inner\r\n\r\n\)\r\nh OK/);
    assert.match(await rev2.command('t', 'FETCH 1 BODY.PEEK[2.TEXT]'), /^\* 1 FETCH \(BODY\[2\.TEXT\] \{5\}\r\nHallo\)\r\nt OK/);
  });

  test('UNAUTHENTICATE ends rev2 with the login (RFC 8437 §3)', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await rev2Session(user);
    await untaggedOk(c, 'UNAUTHENTICATE', 'u');
    await untaggedOk(c, `LOGIN ${user} "imap test password"`, 'l');
    await untaggedOk(c, 'SELECT INBOX', 's');
    assert.deepEqual(await untaggedOk(c, 'SEARCH ALL', 'q'), ['* SEARCH']);
  });

  test('imapflow enables IMAP4rev2 and works in it', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('Hello rev2'));
    const client = imap().imapflow(user, IMAP_CLIENT_DEADLINES);
    await client.connect();
    try {
      assert.ok(client.enabled.has('IMAP4REV2'), [...client.enabled].join(' '));
      await client.mailboxCreate(['Projets', 'Été']);
      const list = await client.list({ statusQuery: { messages: true, unseen: true } });
      const summer = list.find((m) => m.path === 'Projets/Été');
      assert.ok(summer, list.map((m) => m.path).join(', '));
      assert.ok(summer.subscribed);
      const inbox = list.find((m) => m.path === 'INBOX');
      assert.deepEqual(inbox?.status && { messages: inbox.status.messages, unseen: inbox.status.unseen }, { messages: 1, unseen: 1 });
      const lock = await client.getMailboxLock('INBOX');
      try {
        assert.deepEqual(await client.search({ subject: 'Hello' }, { uid: true }), [1]);
        assert.deepEqual(await client.search({ seen: true }), []);
        const msg = await client.fetchOne('1', { flags: true, envelope: true });
        assert.ok(msg);
        assert.deepEqual([...(msg.flags ?? [])], []);
        assert.equal(msg.envelope?.subject, 'Hello rev2');
        await client.messageMove('1', 'Projets/Été');
      } finally {
        lock.release();
      }
      const status = await client.status('Projets/Été', { messages: true, uidNext: true });
      assert.equal(status && status.messages, 1);
      await client.mailboxDelete('Projets/Été');
    } finally {
      await client.logout();
    }
  });
});

/** The next line the server sends (the buffer must hold nothing else). */
async function nextLine(c: RawClient, what: string): Promise<string> {
  await c.readUntil((b) => b.includes('\r\n'), { what });
  const text = c.take();
  assert.equal(text.indexOf('\r\n'), text.length - 2, `only one line: ${text}`);
  return text.slice(0, -2);
}

/** A string as the wire carries UTF-8: one char per byte. */
function utf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

async function trashValidity(c: RawClient): Promise<number> {
  const [line] = await untaggedOk(c, 'STATUS Trash (UIDVALIDITY)', 'tv');
  return Number(/UIDVALIDITY (\d+)/.exec(line)![1]);
}
