// Raw-socket transcripts: every command, its error paths and response codes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findMailServerByHostname, updateMailServer } from '../../schema/index.ts';
import { TEST_HOSTNAME } from '../helpers/heron.ts';
import { message, PASSWORD, startImap, untagged } from './fixture.ts';

type Imap = Awaited<ReturnType<typeof startImap>>;
let imap: Imap;
before(async () => {
  imap = await startImap();
});
after(() => imap.stop());

describe('any state', () => {
  test('CAPABILITY, NOOP, ID, unknown commands, state errors', async () => {
    const c = await imap.connect({ tls: true });
    assert.match(c.greeting, /^\* OK \[CAPABILITY IMAP4rev1 [^\]]*AUTH=PLAIN[^\]]*\] /);
    const cap = await c.command('a1', 'CAPABILITY');
    assert.match(cap, /^\* CAPABILITY IMAP4rev1 .*IDLE.*UIDPLUS.*MOVE.*CONDSTORE.*AUTH=PLAIN AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-256-PLUS\r\na1 OK/);
    assert.doesNotMatch(cap, /STARTTLS|LOGINDISABLED/);
    assert.match(await c.command('a2', 'NOOP'), /^a2 OK/);
    assert.match(await c.command('a3', 'ID ("name" "test")'), /^\* ID \("name" "Heron"/);
    assert.match(await c.command('a4', 'ID NIL'), /a4 OK/);
    assert.match(await c.command('a5', 'FROBNICATE'), /^a5 BAD Unknown command/);
    assert.match(await c.command('a6', 'SELECT INBOX'), /^a6 BAD SELECT is not allowed before login/);
    assert.match(await c.command('a7', 'UID NOOP'), /^a7 BAD/);
    assert.match(await c.command('a8', 'NOOP extra'), /^a8 BAD/);
    assert.match(await c.command('a9', 'LOGOUT'), /^\* BYE .*\r\na9 OK LOGOUT completed\r\n$/);
    await c.waitClosed();
  });
});

describe('authentication', () => {
  test('LOGIN: wrong password, right password, then not again', async () => {
    const { user } = await imap.account();
    const c = await imap.connect({ tls: true });
    assert.match(await c.command('a', `LOGIN ${user} wrong`), /^a NO \[AUTHENTICATIONFAILED\]/);
    assert.match(await c.command('b', `LOGIN {${user.length}+}\r\n${user} "${PASSWORD}"`), /^b OK \[CAPABILITY IMAP4rev1 /);
    assert.match(await c.command('c', `LOGIN ${user} x`), /^c BAD LOGIN is not allowed/);
  });

  test('AUTHENTICATE PLAIN with an initial response and with a continuation', async () => {
    const { user } = await imap.account();
    const b64 = Buffer.from(`\0${user}\0${PASSWORD}`).toString('base64');
    const c = await imap.connect({ tls: true });
    assert.match(await c.command('a', `AUTHENTICATE PLAIN ${b64}`), /^a OK \[CAPABILITY/);
    const d = await imap.connect({ tls: true });
    d.write('b AUTHENTICATE PLAIN\r\n');
    await d.readUntil((s) => s.startsWith('+ '));
    d.take();
    d.write(b64 + '\r\n');
    assert.match(await d.waitTagged('b'), /^b OK/);
    const e = await imap.connect({ tls: true });
    e.write('c AUTHENTICATE PLAIN\r\n');
    await e.readUntil((s) => s.startsWith('+ '));
    e.take();
    e.write('*\r\n');
    assert.match(await e.waitTagged('c'), /^c BAD Authentication cancelled/);
    assert.match(await e.command('d', 'AUTHENTICATE PLAIN !!!'), /^d BAD Invalid base64/);
    assert.match(await e.command('e', 'AUTHENTICATE CRAM-MD5'), /^e NO \[CANNOT\]/);
    const wrong = Buffer.from(`\0${user}\0nope`).toString('base64');
    assert.match(await e.command('f', `AUTHENTICATE PLAIN ${wrong}`), /^f NO \[AUTHENTICATIONFAILED\]/);
    const other = Buffer.from(`someone@else\0${user}\0${PASSWORD}`).toString('base64');
    assert.match(await e.command('g', `AUTHENTICATE PLAIN ${other}`), /^g NO \[AUTHORIZATIONFAILED\]/);
  });
});

describe('mailboxes', () => {
  test('CREATE, LIST with % and *, CHILDREN, SPECIAL-USE, RENAME, DELETE → \\Noselect, LSUB', async () => {
    const { user } = await imap.account();
    const c = await imap.login(user);
    assert.match(await c.command('a', 'CREATE Projects/Heron/'), /^a OK/);
    assert.match(await c.command('b', 'CREATE Projects'), /^b NO \[ALREADYEXISTS\]/);
    assert.match(await c.command('c', 'CREATE "Caf&AOk-"'), /^c OK/);
    const all = untagged(await c.command('d', 'LIST "" *'));
    assert.deepEqual(all, [
      '* LIST (\\HasNoChildren) "/" "Caf&AOk-"',
      '* LIST (\\HasNoChildren \\Drafts) "/" "Drafts"',
      '* LIST (\\HasNoChildren) "/" "INBOX"',
      '* LIST (\\HasNoChildren \\Junk) "/" "Junk"',
      '* LIST (\\HasChildren) "/" "Projects"',
      '* LIST (\\HasNoChildren) "/" "Projects/Heron"',
      '* LIST (\\HasNoChildren \\Sent) "/" "Sent"',
      '* LIST (\\HasNoChildren \\Trash) "/" "Trash"',
    ]);
    assert.deepEqual(untagged(await c.command('e', 'LIST "" %')).length, 7);
    assert.deepEqual(untagged(await c.command('f', 'LIST Projects/ %')), ['* LIST (\\HasNoChildren) "/" "Projects/Heron"']);
    assert.deepEqual(untagged(await c.command('g', 'LIST "" ""')), ['* LIST (\\Noselect) "/" ""']);
    assert.deepEqual(untagged(await c.command('g2', 'LIST "" inbox')), ['* LIST (\\HasNoChildren) "/" "INBOX"']);
    assert.match(await c.command('h', 'RENAME Projects Work'), /^h OK/);
    assert.match(await c.command('i', 'RENAME Nope Other'), /^i NO \[NONEXISTENT\]/);
    assert.match(await c.command('j', 'DELETE Work'), /^j OK/);
    assert.deepEqual(untagged(await c.command('k', 'LIST "" Work*')), ['* LIST (\\Noselect \\HasChildren) "/" "Work"', '* LIST (\\HasNoChildren) "/" "Work/Heron"']);
    assert.match(await c.command('l', 'SELECT Work'), /^l NO \[CANNOT\]/);
    assert.match(await c.command('m', 'DELETE INBOX'), /^m NO \[CANNOT\]/);
    assert.match(await c.command('n', 'UNSUBSCRIBE Sent'), /^n OK/);
    const lsub = untagged(await c.command('o', 'LSUB "" *')).join('\n');
    assert.doesNotMatch(lsub, /"Sent"/);
    assert.match(lsub, /"INBOX"/);
    assert.match(await c.command('p', 'SUBSCRIBE Nope'), /^p NO \[NONEXISTENT\]/);
    assert.match(await c.command('q', 'CREATE "&Jjo-!"'), /^q OK/);
    assert.match(await c.command('r', 'CREATE "&bad"'), /^r BAD/);
    assert.match(await c.command('s', 'NAMESPACE'), /^\* NAMESPACE \(\("" "\/"\)\) NIL NIL\r\n/);
  });

  test('STATUS, SELECT and EXAMINE responses', async () => {
    const { user, id } = await imap.account();
    await imap.deliver(id, 'INBOX', message('one'), ['\\Seen']);
    await imap.deliver(id, 'INBOX', message('two'));
    const c = await imap.login(user);
    assert.match(
      await c.command('a', 'STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)'),
      /^\* STATUS "INBOX" \(MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY \d+ UNSEEN 1 HIGHESTMODSEQ \d+\)\r\na OK/,
    );
    assert.match(await c.command('b', 'STATUS Nope (MESSAGES)'), /^b NO \[NONEXISTENT\]/);
    assert.match(await c.command('b2', 'STATUS INBOX (BOGUS)'), /^b2 BAD/);
    const ex = await c.command('c', 'EXAMINE INBOX');
    // EXAMINE shows \Recent but leaves it to the next SELECT (RFC 3501 §6.3.2).
    assert.match(ex, /\* 2 EXISTS\r\n\* 2 RECENT\r\n\* OK \[UNSEEN 2\]/);
    assert.match(ex, /\* OK \[PERMANENTFLAGS \(\)\]/);
    assert.match(ex, /c OK \[READ-ONLY\]/);
    assert.match(await c.command('c2', 'STORE 1 +FLAGS (x)'), /^c2 NO \[READ-ONLY\]/);
    const sel = await c.command('d', 'SELECT INBOX (CONDSTORE)');
    // [CLOSED] ends the EXAMINEd mailbox's responses (RFC 7162 §3.2.11).
    assert.match(sel, /^\* OK \[CLOSED\] [^\r]*\r\n\* FLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft\)\r\n\* 2 EXISTS\r\n\* 2 RECENT\r\n/);
    assert.match(sel, /\* OK \[PERMANENTFLAGS \(\\Answered \\Flagged \\Deleted \\Seen \\Draft \\\*\)\]/);
    assert.match(sel, /\* OK \[UIDNEXT 3\]/);
    assert.match(sel, /\* OK \[HIGHESTMODSEQ \d+\]/);
    assert.match(sel, /d OK \[READ-WRITE\]/);
    // \Recent belongs to the first session only (RFC 3501 §2.3.2).
    const other = await imap.login(user);
    assert.match(await other.command('e', 'SELECT INBOX'), /\* 0 RECENT/);
    assert.match(await c.command('f', 'SELECT Nope'), /^\* OK \[CLOSED\][^\r]*\r\nf NO \[NONEXISTENT\]/);
    // A failed SELECT leaves the authenticated state.
    assert.match(await c.command('g', 'FETCH 1 FLAGS'), /^g BAD FETCH is not allowed without a selected mailbox/);
  });
});

describe('APPEND', () => {
  test('flags, internal date, APPENDUID, TRYCREATE, TOOBIG, bad arguments', async () => {
    const { user } = await imap.account();
    const c = await imap.login(user);
    const raw = message('appended');
    c.write(`a APPEND INBOX (\\Seen $Work) "14-Jul-2020 10:00:00 +0200" {${raw.length}}\r\n`);
    await c.readUntil((s) => s.startsWith('+ '));
    c.take();
    c.write(raw + '\r\n');
    assert.match(await c.waitTagged('a'), /^a OK \[APPENDUID \d+ 1\] APPEND completed/);
    assert.match(await c.command('b', `APPEND INBOX {${raw.length}+}\r\n${raw}`), /^b OK \[APPENDUID \d+ 2\]/);
    assert.match(await c.command('c', `APPEND Nope {${raw.length}+}\r\n${raw}`), /^c NO \[TRYCREATE\]/);
    assert.match(await c.command('d', `APPEND INBOX (\\Recent) {${raw.length}+}\r\n${raw}`), /^d BAD/);
    assert.match(await c.command('e', `APPEND INBOX "not a date" {${raw.length}+}\r\n${raw}`), /^e BAD/);
    assert.match(await c.command('f', 'APPEND INBOX "x"'), /^f BAD/);
    await c.command('g', 'SELECT INBOX');
    const f = await c.command('h', 'FETCH 1:2 (FLAGS INTERNALDATE RFC822.SIZE)');
    assert.match(f, new RegExp(`\\* 1 FETCH \\(FLAGS \\(\\$Work \\\\Seen \\\\Recent\\) INTERNALDATE "14-Jul-2020 08:00:00 \\+0000" RFC822.SIZE ${raw.length}\\)`));
    assert.match(f, /\* 2 FETCH \(FLAGS \(\\Recent\) /);
    // Over the account's max message size: refused before the literal is sent.
    const server = await findMailServerByHostname(imap.heron.store, TEST_HOSTNAME);
    const before = server!.max_size;
    await updateMailServer(imap.heron.store, server!.id, { max_size: 100 });
    try {
      const d = await imap.login(user);
      d.write('i APPEND INBOX {101}\r\n');
      assert.match(await d.waitTagged('i'), /^i NO \[TOOBIG\]/);
      assert.match(await d.command('j', 'NOOP'), /^j OK/);
    } finally {
      await updateMailServer(imap.heron.store, server!.id, { max_size: before });
    }
  });
});

describe('selected state', () => {
  let user: string;
  let accountId: number;
  before(async () => {
    ({ user, id: accountId } = await imap.account());
    await imap.deliver(accountId, 'INBOX', message('first', 'alpha body text'), ['\\Seen'], Date.UTC(2020, 0, 10, 12));
    await imap.deliver(accountId, 'INBOX', message('second', 'beta body', 'Cc: Carol <carol@example.net>\r\nX-Custom: Zebra stripes\r\n'), ['\\Flagged'], Date.UTC(2021, 5, 1));
    await imap.deliver(accountId, 'INBOX', message('third', 'x'.repeat(5000)), ['$Label1'], Date.UTC(2022, 1, 1));
    // One SELECT takes \Recent, so the EXAMINEs below see none.
    const first = await imap.login(user);
    await first.command('s', 'SELECT INBOX');
    await first.command('l', 'LOGOUT');
  });

  test('FETCH items and macros', async () => {
    const c = await imap.login(user);
    await c.command('s', 'EXAMINE INBOX');
    const r = await c.command('a', 'FETCH 1 (UID FLAGS RFC822.SIZE RFC822.HEADER BODY.PEEK[TEXT]<0.5> BODY[HEADER.FIELDS (SUBJECT)])');
    assert.match(r, /^\* 1 FETCH \(UID 1 FLAGS \(\\Seen\) RFC822.SIZE \d+ RFC822.HEADER \{\d+\}\r\nFrom: Alice/);
    assert.match(r, /BODY\[TEXT\]<0> \{5\}\r\nalpha/);
    assert.match(r, /BODY\[HEADER.FIELDS \(SUBJECT\)\] \{\d+\}\r\nSubject: first\r\n\r\n\)/);
    const u = await c.command('b', 'UID FETCH 2:* (FLAGS)');
    assert.deepEqual(untagged(u), ['* 2 FETCH (UID 2 FLAGS (\\Flagged))', '* 3 FETCH (UID 3 FLAGS ($Label1))']);
    assert.deepEqual(untagged(await c.command('c', 'UID FETCH 10:* UID')), ['* 3 FETCH (UID 3)']);
    assert.deepEqual(untagged(await c.command('c2', 'UID FETCH 7 UID')), []);
    const fast = await c.command('d', 'FETCH 3 FAST');
    assert.match(fast, /^\* 3 FETCH \(FLAGS \(\$Label1\) INTERNALDATE " 1-Feb-2022 00:00:00 \+0000" RFC822.SIZE \d+\)/);
    const full = await c.command('e', 'FETCH 1 FULL');
    assert.match(full, /^\* 1 FETCH \(FLAGS \(\\Seen\) INTERNALDATE "10-Jan-2020 12:00:00 \+0000" RFC822.SIZE \d+ ENVELOPE \(.*\) BODY \(.*\)\)\r\n/);
    const bs = await c.command('f', 'FETCH 1 (ENVELOPE BODYSTRUCTURE)');
    assert.match(bs, /ENVELOPE \("Mon, 7 Feb 1994 21:52:25 -0800" "first" \(\("Alice Example" NIL "alice" "example.org"\)\)/);
    assert.match(bs, /BODYSTRUCTURE \("text" "plain" /i);
    const whole = await c.command('g', 'FETCH 2 RFC822');
    assert.match(whole, /^\* 2 FETCH \(RFC822 \{\d+\}\r\nFrom: Alice.*Subject: second.*beta body\r\n\)\r\n/s);
    // EXAMINE: RFC822 does not set \Seen.
    assert.deepEqual(untagged(await c.command('h', 'FETCH 2 FLAGS')), ['* 2 FETCH (FLAGS (\\Flagged))']);
    assert.match(await c.command('i', 'FETCH 2 (BODY[]<10000.5>)'), /BODY\[\]<10000> \{0\}\r\n\)/);
    for (const [tag, bad] of [
      ['j1', 'FETCH 4 FLAGS'],
      ['j2', 'FETCH 0 FLAGS'],
      ['j3', 'FETCH 1 BOGUS'],
      ['j4', 'FETCH 1:x FLAGS'],
      ['j5', 'FETCH 1 (FLAGS'],
      ['j6', 'FETCH 1 BODY[9999999]'],
    ] as const) {
      assert.match(await c.command(tag, bad), new RegExp(`^${tag} BAD`), bad);
    }
  });

  test('non-PEEK FETCH sets \\Seen and reports FLAGS', async () => {
    const { user: u2, id } = await imap.account();
    await imap.deliver(id, 'INBOX', message('unread'));
    const c = await imap.login(u2);
    await c.command('s', 'SELECT INBOX');
    const r = await c.command('a', 'FETCH 1 BODY[TEXT]');
    assert.match(r, /^\* 1 FETCH \(BODY\[TEXT\] \{\d+\}\r\nHello world\r\n FLAGS \(\\Seen \\Recent\)\)/);
    assert.deepEqual(untagged(await c.command('b', 'FETCH 1 FLAGS')), ['* 1 FETCH (FLAGS (\\Seen \\Recent))']);
  });

  test('SEARCH: every kind of key', async () => {
    const c = await imap.login(user);
    await c.command('s', 'EXAMINE INBOX');
    const search = async (criteria: string) => {
      const r = await c.command('q', `SEARCH ${criteria}`);
      assert.match(r, /q OK/, criteria);
      return untagged(r)[0];
    };
    assert.equal(await search('ALL'), '* SEARCH 1 2 3');
    assert.equal(await search('SEEN'), '* SEARCH 1');
    assert.equal(await search('UNSEEN'), '* SEARCH 2 3');
    assert.equal(await search('FLAGGED'), '* SEARCH 2');
    assert.equal(await search('UNFLAGGED UNSEEN'), '* SEARCH 3');
    assert.equal(await search('KEYWORD $label1'), '* SEARCH 3');
    assert.equal(await search('UNKEYWORD $Label1'), '* SEARCH 1 2');
    assert.equal(await search('ANSWERED'), '* SEARCH');
    assert.equal(await search('NEW'), '* SEARCH');
    assert.equal(await search('OLD'), '* SEARCH 1 2 3');
    assert.equal(await search('RECENT'), '* SEARCH');
    assert.equal(await search('DELETED'), '* SEARCH');
    assert.equal(await search('UNDELETED UNDRAFT UNANSWERED'), '* SEARCH 1 2 3');
    assert.equal(await search('2:*'), '* SEARCH 2 3');
    assert.equal(await search('UID 1,3'), '* SEARCH 1 3');
    assert.equal(await search('NOT 1'), '* SEARCH 2 3');
    assert.equal(await search('OR 1 3'), '* SEARCH 1 3');
    assert.equal(await search('(SEEN) OR FLAGGED KEYWORD $Label1'), '* SEARCH');
    assert.equal(await search('OR (SEEN) (FLAGGED)'), '* SEARCH 1 2');
    assert.equal(await search('BEFORE 1-Jun-2021'), '* SEARCH 1');
    assert.equal(await search('ON 1-Jun-2021'), '* SEARCH 2');
    assert.equal(await search('SINCE 1-Jun-2021'), '* SEARCH 2 3');
    // The day written in Date: (RFC 3501 §6.4.4), not its UTC day (8-Feb-1994 05:52).
    assert.equal(await search('SENTON 7-Feb-1994'), '* SEARCH 1 2 3');
    assert.equal(await search('SENTON 8-Feb-1994'), '* SEARCH');
    assert.equal(await search('SENTBEFORE 1-Jan-1994'), '* SEARCH');
    assert.equal(await search('SENTSINCE 1-Jan-1994'), '* SEARCH 1 2 3');
    assert.equal(await search('LARGER 1000'), '* SEARCH 3');
    assert.equal(await search('SMALLER 1000'), '* SEARCH 1 2');
    assert.equal(await search('SUBJECT SECOND'), '* SEARCH 2');
    assert.equal(await search('FROM alice'), '* SEARCH 1 2 3');
    assert.equal(await search('TO "bob@heron"'), '* SEARCH 1 2 3');
    assert.equal(await search('CC carol'), '* SEARCH 2');
    assert.equal(await search('BCC carol'), '* SEARCH');
    assert.equal(await search('HEADER X-Custom zebra'), '* SEARCH 2');
    assert.equal(await search('HEADER X-Custom ""'), '* SEARCH 2');
    assert.equal(await search('HEADER X-Custom ze'), '* SEARCH 2');
    assert.equal(await search('BODY ALPHA'), '* SEARCH 1');
    assert.equal(await search('BODY be'), '* SEARCH 2');
    assert.equal(await search('TEXT second'), '* SEARCH 2');
    assert.equal(await search('TEXT "beta body"'), '* SEARCH 2');
    assert.equal(await search('CHARSET UTF-8 TEXT {4+}\r\nbeta'), '* SEARCH 2');
    assert.equal(await search('MODSEQ 1'), untagged(await c.command('z', 'SEARCH MODSEQ 1'))[0]);
    assert.match(await search('MODSEQ 1'), /^\* SEARCH 1 2 3 \(MODSEQ \d+\)$/);
    assert.equal(untagged(await c.command('u', 'UID SEARCH UID 2:*'))[0], '* SEARCH 2 3');
    assert.match(await c.command('x', 'SEARCH CHARSET KOI8-R ALL'), /^x NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/);
    assert.match(await c.command('y', 'SEARCH BOGUS'), /^y BAD/);
    assert.equal(untagged(await c.command('y2', 'SEARCH 9'))[0], '* SEARCH');
    assert.match(await c.command('y3', 'SEARCH BEFORE 32-Jan-2020'), /^y3 BAD/);
  });

  test('STORE: set, add, remove, .SILENT, keywords, UID STORE, CONDSTORE', async () => {
    const { user: u2, id } = await imap.account();
    await imap.deliver(id, 'INBOX', message('a'));
    await imap.deliver(id, 'INBOX', message('b'));
    const c = await imap.login(u2);
    await c.command('s', 'SELECT INBOX');
    assert.deepEqual(untagged(await c.command('a', 'STORE 1:2 +FLAGS (\\Answered $Todo)')), [
      // RFC 3501 §7.2.6: the new keyword is announced before a FETCH shows it.
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Todo)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Todo \\*)] Flags permitted',
      '* 1 FETCH (FLAGS ($Todo \\Answered \\Recent))',
      '* 2 FETCH (FLAGS ($Todo \\Answered \\Recent))',
    ]);
    assert.deepEqual(untagged(await c.command('b', 'STORE 1 -FLAGS.SILENT ($todo)')), []);
    assert.deepEqual(untagged(await c.command('c', 'UID STORE 2 FLAGS \\Draft')), ['* 2 FETCH (UID 2 FLAGS (\\Draft \\Recent))']);
    assert.deepEqual(untagged(await c.command('d', 'FETCH 1:2 FLAGS')), ['* 1 FETCH (FLAGS (\\Answered \\Recent))', '* 2 FETCH (FLAGS (\\Draft \\Recent))']);
    assert.match(await c.command('e', 'STORE 1 +FLAGS (\\Recent)'), /^e BAD/);
    assert.match(await c.command('f', 'STORE 1 +FLAGS (\\Bogus)'), /^f BAD unknown system flag/);
    assert.match(await c.command('g', 'STORE 1 PLUSFLAGS (x)'), /^g BAD/);
    // CONDSTORE: MODSEQ in FETCH, UNCHANGEDSINCE with [MODIFIED], CHANGEDSINCE.
    const modseqs = [...(await c.command('h', 'FETCH 1:2 (MODSEQ)')).matchAll(/MODSEQ \((\d+)\)/g)].map((m) => Number(m[1]));
    const modseq = modseqs[0];
    assert.ok(modseqs[1] > modseq);
    assert.match(await c.command('i', `STORE 1 (UNCHANGEDSINCE ${modseq}) +FLAGS (\\Flagged)`), /\* 1 FETCH \(FLAGS \(\\Answered \\Flagged \\Recent\) MODSEQ \(\d+\)\)\r\ni OK/);
    assert.match(await c.command('j', `STORE 1:2 (UNCHANGEDSINCE ${modseqs[1]}) +FLAGS (\\Seen)`), /\* 2 FETCH \(FLAGS \(\\Draft \\Seen \\Recent\) MODSEQ \(\d+\)\)\r\nj OK \[MODIFIED 1\]/);
    assert.deepEqual(
      untagged(await c.command('k', `FETCH 1:* (FLAGS) (CHANGEDSINCE ${modseq})`)).map((l) => l.replace(/MODSEQ \(\d+\)/, 'MODSEQ (n)')),
      ['* 1 FETCH (FLAGS (\\Answered \\Flagged \\Recent) MODSEQ (n))', '* 2 FETCH (FLAGS (\\Draft \\Recent \\Seen) MODSEQ (n))'].map((l) =>
        l.replace('\\Recent \\Seen', '\\Seen \\Recent'),
      ),
    );
  });

  test('COPY, MOVE, EXPUNGE, UID EXPUNGE, CLOSE, UNSELECT, CHECK, ENABLE', async () => {
    const { user: u2, id } = await imap.account();
    for (const s of ['m1', 'm2', 'm3', 'm4']) await imap.deliver(id, 'INBOX', message(s));
    const c = await imap.login(u2);
    assert.match(await c.command('en', 'ENABLE CONDSTORE X-UNKNOWN'), /^\* ENABLED CONDSTORE\r\n/);
    await c.command('s', 'SELECT INBOX');
    assert.match(await c.command('a', 'COPY 1:2 Trash'), /^a OK \[COPYUID \d+ 1:2 1:2\]/);
    assert.match(await c.command('b', 'UID COPY 4 Nope'), /^b NO \[TRYCREATE\]/);
    assert.match(await c.command('b2', 'UID COPY 99 Trash'), /^b2 OK/);
    const mv = await c.command('c', 'MOVE 2 Junk');
    assert.match(mv, /^\* OK \[COPYUID \d+ 2 1\] Moved\r\n\* 2 EXPUNGE\r\nc OK/);
    assert.match(await c.command('d', 'UID MOVE 3 Junk'), /\* OK \[COPYUID \d+ 3 2\].*\r\n\* 2 EXPUNGE\r\n/);
    assert.match(await c.command('e', 'CHECK'), /^e OK/);
    await c.command('f', 'STORE 1:2 +FLAGS.SILENT (\\Deleted)');
    assert.match(await c.command('g', 'UID EXPUNGE 4'), /^\* 2 EXPUNGE\r\ng OK/);
    assert.match(await c.command('h', 'UNSELECT'), /^h OK/);
    assert.match(await c.command('i', 'SELECT INBOX'), /\* 1 EXISTS/);
    assert.match(await c.command('j', 'CLOSE'), /^j OK/);
    assert.match(await c.command('k', 'STATUS INBOX (MESSAGES)'), /MESSAGES 0/);
    assert.match(await c.command('l', 'STATUS Junk (MESSAGES)'), /MESSAGES 2/);
    assert.match(await c.command('m', 'EXPUNGE'), /^m BAD/);
    await c.command('n', 'SELECT Trash');
    await c.command('o', 'STORE 1 +FLAGS (\\Deleted)');
    assert.match(await c.command('p', 'EXPUNGE'), /^\* 1 EXPUNGE\r\np OK/);
  });
});
