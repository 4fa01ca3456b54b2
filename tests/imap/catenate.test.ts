// CATENATE (RFC 4469): APPEND builds a message from TEXT literals and URLs to
// parts of stored messages (RFC 5092 URLs, relative or absolute), also inside
// MULTIAPPEND and REPLACE. Edge cases: a URL to another user's mailbox, a
// wrong UIDVALIDITY, a missing message or section, another server, a
// malformed URL: NO [BADURL url] with the URL bare (errata 4046); a result
// over the size limit: NO [TOOBIG]; both leave nothing stored.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { TEST_HOSTNAME } from '../helpers/heron.ts';
import { DEADLINE, message, untaggedOk, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

const BOUNDARY = '------------030308070208000400050907';

/** A draft with a text part and an attachment, like RFC 4469 Appendix A's message 20. */
function forwardDraft(): string {
  return [
    'Return-Path: <bar@example.org>',
    'Received: from [127.0.0.1] by example.org',
    'Message-ID: <3BCC1E1B.6040803@example.org>',
    'Date: Fri, 08 Feb 2002 21:47:36 -0800',
    'From: Bar <bar@example.org>',
    'To: foo@example.net',
    'Subject: Re: Document',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
    '',
    'This is a multi-part message in MIME format.',
    `--${BOUNDARY}`,
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: 7bit',
    '',
    'Here is the document you asked for.',
    '',
    `--${BOUNDARY}`,
    'Content-Type: application/pdf; name="doc.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    'JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFIvRmlsdGVyIC9GbGF0ZURlY29kZT4+',
    '',
    `--${BOUNDARY}--`,
    '',
  ].join('\r\n');
}

async function uidvalidityOf(c: RawClient, mailbox: string): Promise<number> {
  const [line] = await untaggedOk(c, `STATUS ${mailbox} (UIDVALIDITY)`, 'uv');
  return Number(/UIDVALIDITY (\d+)/.exec(line)![1]);
}

async function statusOf(c: RawClient, mailbox: string): Promise<string> {
  return (await untaggedOk(c, `STATUS ${mailbox} (MESSAGES UIDNEXT)`, 's'))[0];
}

/** The stored bytes of a message of a mailbox (EXAMINE, so no \Seen). */
async function bodyOf(c: RawClient, mailbox: string, uid: number): Promise<string> {
  await untaggedOk(c, `EXAMINE ${mailbox}`, 'ex');
  const r = await c.command('bf', `UID FETCH ${uid} (BODY.PEEK[])`);
  const m = /BODY\[\] \{(\d+)\}\r\n/.exec(r);
  assert.ok(m, r);
  const start = m.index + m[0].length;
  return r.slice(start, start + Number(m[1]));
}

/** Sends a command whose literals are synchronising: each after its continuation request. */
async function syncCommand(c: RawClient, tag: string, pieces: string[]): Promise<string> {
  c.take();
  c.write(`${tag} ${pieces[0]}`);
  for (const piece of pieces.slice(1)) {
    await c.readUntil((s) => s.includes('+ '), { what: 'a continuation request' });
    c.take();
    c.write(piece);
  }
  return c.waitTagged(tag);
}

/** A literal marker and its bytes for a command sent with LITERAL+. */
const lit = (text: string): string => `{${Buffer.byteLength(text)}+}\r\n${text}`;

describe('CATENATE', () => {
  test('is advertised', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('c', 'CAPABILITY'), /^\* CAPABILITY .* CATENATE[ \r]/m);
  });

  test("RFC 4469 Appendix A: a forward built from a draft's header and parts and a whole message, byte-exact", DEADLINE, async () => {
    const { user, id } = await imap().account();
    const draft = forwardDraft();
    const forwarded = message('The original', 'The message being forwarded.');
    await imap().deliver(id, 'Drafts', draft);
    await imap().deliver(id, 'Drafts', forwarded);
    const c = await imap().login(user);
    const uv = await uidvalidityOf(c, 'Drafts');
    const text1 = `\r\n--${BOUNDARY}\r\n`;
    const text2 = `\r\n--${BOUNDARY}\r\nContent-Type: message/rfc822\r\n\r\n`;
    const text3 = `\r\n--${BOUNDARY}--\r\n`;
    // The client waits for "+" before each TEXT literal, as in the RFC's transcript.
    const r = await syncCommand(c, 'A003', [
      `APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL "/Drafts;UIDVALIDITY=${uv}/;UID=1/;section=HEADER" TEXT {${text1.length}}\r\n`,
      `${text1} URL "/Drafts;UIDVALIDITY=${uv}/;UID=1/;section=1.MIME" URL "/Drafts;UIDVALIDITY=${uv}/;UID=1/;section=1" TEXT {${text2.length}}\r\n`,
      `${text2} URL "/Drafts;UIDVALIDITY=${uv}/;UID=2" TEXT {${text3.length}}\r\n`,
      `${text3})\r\n`,
    ]);
    assert.match(r, new RegExp(`^A003 OK \\[APPENDUID ${uv} 3\\] APPEND completed`, 'm'));
    const header = draft.slice(0, draft.indexOf('\r\n\r\n') + 4);
    const part1Mime = 'Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n';
    const part1 = 'Here is the document you asked for.\r\n';
    const expected = header + text1 + part1Mime + part1 + text2 + forwarded + text3;
    assert.equal(await bodyOf(c, 'Drafts', 3), expected);
    const f = await c.command('f', 'UID FETCH 3 (FLAGS RFC822.SIZE BODYSTRUCTURE)');
    assert.match(f, /FLAGS \(\$MDNSent \\Draft \\Seen \\Recent\)/);
    assert.match(f, new RegExp(`RFC822.SIZE ${Buffer.byteLength(expected)}`));
    assert.match(f, /"MESSAGE" "RFC822"/i, 'the forwarded message is parsed as a part');
    // Reading parts did not mark the source \Seen (RFC 4469 §3).
    assert.match(await c.command('g', 'UID FETCH 1:2 (FLAGS)'), /UID 1 FLAGS \(\\Recent\)\)[\s\S]*UID 2 FLAGS \(\\Recent\)\)/);
  });

  test('absolute URLs naming this server and the user; HEADER.FIELDS, TEXT and PARTIAL', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const source = message('Partial source', '0123456789abcdefghij');
    await imap().deliver(id, 'INBOX', source);
    const c = await imap().login(user);
    const enc = encodeURIComponent(user);
    const base = `imap://${enc}@${TEST_HOSTNAME}/INBOX/;UID=1`;
    const r = await c.command(
      'a',
      `APPEND Drafts CATENATE (URL "${base}/;SECTION=HEADER.FIELDS%20(Subject%20From)" URL "${base}/;SECTION=TEXT/;PARTIAL=10.5" TEXT ${lit('-end\r\n')} URL "imap://${TEST_HOSTNAME}:993/INBOX/;UID=1/;PARTIAL=5000")`,
    );
    assert.match(r, /^a OK \[APPENDUID \d+ 1\]/m);
    // PARTIAL past the end is empty (RFC 3501 §6.4.5, as FETCH).
    assert.equal(await bodyOf(c, 'Drafts', 1), 'From: Alice Example <alice@example.org>\r\nSubject: Partial source\r\n\r\nabcde-end\r\n');
  });

  test('a large message is copied through in pieces, byte-exact', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const big = message('Big', `${'x'.repeat(76)}\r\n`.repeat(40_000));
    await imap().deliver(id, 'INBOX', big);
    const c = await imap().login(user);
    assert.match(await c.command('a', `APPEND Drafts CATENATE (TEXT ${lit('X-Forwarded: yes\r\n')} URL "/INBOX/;UID=1")`), /^a OK \[APPENDUID \d+ 1\]/m);
    const got = await bodyOf(c, 'Drafts', 1);
    const sha = (s: string) => crypto.createHash('sha256').update(s, 'latin1').digest('hex');
    assert.equal(got.length, big.length + 18);
    assert.equal(sha(got), sha(`X-Forwarded: yes\r\n${big}`));
  });

  test('URLs that name nothing this user may read: NO [BADURL url], nothing stored', DEADLINE, async () => {
    const other = await imap().account();
    await imap().deliver(other.id, 'INBOX', message('Not yours'));
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', message('Mine'));
    await imap().login(other.user).then((o) => untaggedOk(o, 'CREATE Private'));
    const c = await imap().login(user);
    const uv = await uidvalidityOf(c, 'INBOX');
    const before = await statusOf(c, 'Drafts');
    const otherUser = encodeURIComponent(other.user);
    const bad = [
      `imap://${otherUser}@${TEST_HOSTNAME}/INBOX/;UID=1`, // another user's mailbox
      `/Private/;UID=1`, // a mailbox only the other user has
      `/INBOX;UIDVALIDITY=${uv + 1}/;UID=1`, // wrong UIDVALIDITY
      `/INBOX;UIDVALIDITY=${uv}/;UID=2`, // no such message
      `/INBOX/;UID=1/;SECTION=2`, // no such part
      `/INBOX/;UID=1/;SECTION=1.HEADER`, // HEADER of a part that is not a message
      `/Nowhere/;UID=1`, // no such mailbox
      `imap://${encodeURIComponent(user)}@elsewhere.example/INBOX/;UID=1`, // another server
      `/INBOX/;UID=1;URLAUTH=anonymous:INTERNAL:91354a473744909de610943775f92038`, // URLAUTH: an absolute URL's, refused here
      `INBOX/;UID=1`, // not an absolute path
      `/INBOX/;UID=1/;SECTION=1.FOO`, // not a section
    ];
    for (const url of bad) {
      const r = await c.command('b', `APPEND Drafts CATENATE (TEXT ${lit('Subject: x\r\n\r\n')} URL "${url}")`);
      assert.match(r, new RegExp(`^b NO \\[BADURL ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\] `, 'm'), url);
      assert.equal(await statusOf(c, 'Drafts'), before, url);
    }
    // A URL holding "]" or 8-bit text comes back %-escaped: it cannot end the response code early.
    const r = await c.command('e', `APPEND Drafts CATENATE (URL {14+}\r\n/IN]BOX/;UID=\xe9)`);
    assert.match(r, /^e NO \[BADURL \/IN%5DBOX\/;UID=%E9\] /m);
    assert.equal(await statusOf(c, 'Drafts'), before);
  });

  test('a result over the size limit: NO [TOOBIG] before anything is read or stored', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const source = message('Source', 'y'.repeat(3000));
    await imap().deliver(id, 'INBOX', source);
    const c = await imap().login(user);
    await imap().withMaxSize(source.length + 10, async () => {
      const c2 = await imap().login(user);
      const before = await statusOf(c2, 'Drafts');
      // Each part fits; together they do not.
      assert.match(await c2.command('a', `APPEND Drafts CATENATE (TEXT ${lit('0123456789ab')} URL "/INBOX/;UID=1")`), /^a NO \[TOOBIG\] /m);
      assert.match(await c2.command('b', `APPEND Drafts CATENATE (URL "/INBOX/;UID=1" URL "/INBOX/;UID=1/;SECTION=TEXT")`), /^b NO \[TOOBIG\] /m);
      assert.equal(await statusOf(c2, 'Drafts'), before);
      // Exactly at the limit is fine.
      assert.match(await c2.command('c', `APPEND Drafts CATENATE (TEXT ${lit('0123456789')} URL "/INBOX/;UID=1")`), /^c OK \[APPENDUID \d+ 1\]/m);
    });
    assert.match(await c.command('n', 'NOOP'), /^n OK/m);
  });

  test('inside MULTIAPPEND: all stored with one APPENDUID set, or none when one URL is bad or the total too big', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const source = message('Source', 'body text');
    await imap().deliver(id, 'INBOX', source);
    const c = await imap().login(user);
    const plain = message('plain');
    const ok = await c.command(
      'a',
      `APPEND Drafts ${lit(plain)} (\\Seen) CATENATE (TEXT ${lit('X-A: 1\r\n')} URL "/INBOX/;UID=1") CATENATE (URL "/INBOX/;UID=1/;SECTION=HEADER" TEXT ${lit('second\r\n')})`,
    );
    assert.match(ok, /^a OK \[APPENDUID \d+ 1:3\]/m);
    assert.equal(await bodyOf(c, 'Drafts', 1), plain);
    assert.equal(await bodyOf(c, 'Drafts', 2), `X-A: 1\r\n${source}`);
    assert.equal(await bodyOf(c, 'Drafts', 3), `${source.slice(0, source.indexOf('\r\n\r\n') + 4)}second\r\n`);
    const before = await statusOf(c, 'Drafts');
    // The third message's URL is bad: the first two are not stored either (RFC 3502 all-or-nothing).
    const bad = await c.command('b', `APPEND Drafts ${lit(plain)} CATENATE (URL "/INBOX/;UID=1") CATENATE (URL "/INBOX/;UID=9")`);
    assert.match(bad, /^b NO \[BADURL \/INBOX\/;UID=9\] /m);
    assert.equal(await statusOf(c, 'Drafts'), before);
    await imap().withMaxSize(plain.length + source.length + 5, async () => {
      const c2 = await imap().login(user);
      const big = await c2.command('t', `APPEND Drafts ${lit(plain)} CATENATE (URL "/INBOX/;UID=1") CATENATE (TEXT ${lit('123456')})`);
      assert.match(big, /^t NO \[TOOBIG\] /m);
      assert.equal(await statusOf(c2, 'Drafts'), before);
    });
  });

  test('REPLACE takes a CATENATE message too (RFC 8508 §6)', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'Drafts', message('Draft v1', 'first version'));
    const c = await imap().login(user);
    await untaggedOk(c, 'SELECT Drafts', 'sel');
    const r = await c.command('r', `UID REPLACE 1 Drafts CATENATE (URL "/Drafts/;UID=1/;SECTION=HEADER" TEXT ${lit('second version\r\n')})`);
    assert.match(r, /^\* OK \[APPENDUID \d+ 2\]/m);
    assert.match(r, /^r OK /m);
    assert.equal(await bodyOf(c, 'Drafts', 2), `${message('Draft v1', '').split('\r\n\r\n')[0]}\r\n\r\nsecond version\r\n`);
  });

  test('malformed CATENATE: BAD, nothing stored', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    const before = await statusOf(c, 'Drafts');
    const parts = (n: number) => Array.from({ length: n }, () => 'URL "/INBOX/;UID=1"').join(' ');
    for (const args of [`CATENATE (${parts(65)})`, 'CATENATE ()', 'CATENATE (TEXT "quoted")', 'CATENATE (TEXT)', `CATENATE (FOO ${lit('x')})`, 'CATENATE (URL)', 'CATENATE (URL ("/INBOX/;UID=1"))', 'CATENATE']) {
      assert.match(await c.command('b', `APPEND Drafts ${args}`), /^b BAD /m, args);
    }
    assert.equal(await statusOf(c, 'Drafts'), before);
  });
});
