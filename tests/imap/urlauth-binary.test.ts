// URLAUTH=BINARY (RFC 5524): URLFETCH ("url" BODY|BINARY|BODYPARTSTRUCTURE …)
// answers one parenthesized item per parameter. BINARY removes the
// Content-Transfer-Encoding (literal8 when the result holds a NUL, NIL when
// the CTE is unknown), BODYPARTSTRUCTURE is the part's BODYSTRUCTURE (with
// BINARY: as the decoded content describes it), BODY is the part as stored.
// A URL that does not verify is NIL as a whole; BODY with BINARY, a repeated
// or an unknown parameter is BAD.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_HOSTNAME } from '../helpers/heron.ts';
import { DEADLINE, expectBad, untaggedOk, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

const LATIN = 'Si vis pacem, para bellum.\r\n';
/** 123 bytes with NULs, as RFC 5524 §4's PNG example. */
const IMAGE = Buffer.from(Array.from({ length: 123 }, (_, i) => (i * 37) % 256));
/** Over binary-section's in-memory limit: measured, then streamed as the socket takes it. */
const LARGE = Buffer.from(Array.from({ length: 700 * 1024 }, (_, i) => (i % 251 === 0 ? 0 : (i * 7 + (i >> 9)) % 256)));

const base64Lines = (bytes: Buffer): string => bytes.toString('base64').replace(/.{76}/g, '$&\r\n');

/**
 * Part 1: multipart/alternative (1.1 text, 1.2 the RFC's Latin line in base64);
 * 2: image/png in base64 (NULs); 3: an unknown CTE; 4: a large base64 part.
 */
function message(): string {
  return [
    'From: Joe <joe@example.com>',
    'Subject: Latin',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: multipart/alternative; boundary="c1"',
    '',
    '--c1',
    'Content-Type: text/plain',
    '',
    'If you want peace,',
    '--c1',
    'Content-Type: text/plain; charset=us-ascii',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(LATIN).toString('base64'),
    '--c1--',
    '--b1',
    'Content-Type: image/png',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(IMAGE),
    '--b1',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: x-blurdybloop',
    '',
    'Zm9v',
    '--b1',
    'Content-Type: application/octet-stream',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(LARGE),
    '--b1--',
    '',
  ].join('\r\n');
}

/** Dovecot imaptest's src/tests/urlauth-binary.mbox message (its second), with CRLF line ends. */
const IMAPTEST_MESSAGE = [
  'From: user@domain.org',
  'Date: Sat, 24 Mar 2007 23:00:00 +0200',
  'Mime-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="foo',
  ' bar"',
  '',
  'Root MIME prologue',
  '',
  '--foo bar',
  'Content-Type: message/rfc822',
  '',
  'From: sub@domain.org',
  'Date: Sun, 12 Aug 2012 12:34:56 +0300',
  'Subject: submsg',
  'Content-Type: multipart/alternative; boundary="sub1"',
  '',
  'Sub MIME prologue',
  '--sub1',
  'Content-Type: text/x-myown; charset=us-ascii',
  'Content-Transfer-Encoding: base64',
  '',
  'aGVs',
  'bG8gd29y',
  'bGQ=',
  '',
  '--sub1',
  'Content-Type: text/x-myother; charset=us-ascii',
  'Content-Transfer-Encoding: base64',
  '',
  '  aGVs    ',
  ' bG8g  ',
  '   d29y  \t ',
  '    bGQ= ',
  '',
  '',
  '--sub1',
  'Content-Type: text/plain; charset=us-ascii',
  'Content-Transfer-Encoding: x-unprintable',
  '',
  'nothing to see here',
  '',
  '--sub1',
  'Content-Type: text/plain; charset=us-ascii',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'definitely nothing to see here',
  '',
  '--=',
  'sub=',
  '=31--',
  '',
  '--sub1--',
  'Sub MIME epilogue',
  '',
  '--foo bar--',
  'Root MIME epilogue',
  '',
].join('\r\n');

const urlOf = (user: string, rest: string): string => `imap://${encodeURIComponent(user)}@${TEST_HOSTNAME}/${rest}`;

async function genurlauth(c: RawClient, rump: string): Promise<string> {
  const lines = await untaggedOk(c, `GENURLAUTH "${rump}" INTERNAL`, 'g');
  const m = /^\* GENURLAUTH "([^"]+)"$/.exec(lines[0] ?? '');
  assert.ok(m, lines.join('\n'));
  return m[1];
}

/** The untagged part of a URLFETCH's answer (latin1: one char per byte), checked to end with the tagged OK. */
async function urlfetch(c: RawClient, args: string): Promise<string> {
  const r = await c.command('u', `URLFETCH ${args}`);
  const at = r.lastIndexOf('\r\nu OK ');
  assert.ok(at >= 0 && r.startsWith('* URLFETCH '), r.slice(0, 300));
  return r.slice(0, at);
}

/** One authorized URL per section of the test message, for a logged-in owner. */
async function setup(): Promise<{ c: RawClient; url: (section: string) => Promise<string> }> {
  const { user, id } = await imap().account();
  await imap().deliver(id, 'INBOX', message());
  const c = await imap().login(user);
  return { c, url: (section) => genurlauth(c, urlOf(user, `INBOX/;uid=1${section};urlauth=anonymous`)) };
}

const latin1 = (bytes: Buffer): string => bytes.toString('latin1');

describe('URLAUTH=BINARY', () => {
  test('is advertised', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('c', 'CAPABILITY'), /^\* CAPABILITY .* URLAUTH URLAUTH=BINARY[ \r]/m);
  });

  test('RFC 5524 §4: BINARY of a base64 text part; with BODYPARTSTRUCTURE, described as decoded', DEADLINE, async () => {
    const { c, url } = await setup();
    const u = await url('/;section=1.2');
    assert.equal(await urlfetch(c, `("${u}" BINARY)`), `* URLFETCH "${u}" (BINARY {28}\r\n${LATIN})`);
    // The structure of what BINARY sends: 7bit, 28 bytes, one line (RFC 5524 §4 and Dovecot's imaptest).
    assert.equal(
      await urlfetch(c, `("${u}" binary BODYPARTSTRUCTURE)`),
      `* URLFETCH "${u}" (BODYPARTSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 28 1 NIL NIL NIL NIL)) (BINARY {28}\r\n${LATIN})`,
    );
    // Alone, or with BODY: the part as stored, base64 and all.
    // The line break before the boundary belongs to the boundary (RFC 2046 §5.1.1).
    const stored = Buffer.from(LATIN).toString('base64');
    const asStored = `("text" "plain" ("charset" "us-ascii") NIL NIL "base64" ${stored.length} 0 NIL NIL NIL NIL)`;
    assert.equal(await urlfetch(c, `("${u}" BODYPARTSTRUCTURE)`), `* URLFETCH "${u}" (BODYPARTSTRUCTURE ${asStored})`);
    assert.equal(await urlfetch(c, `("${u}" BODY BODYPARTSTRUCTURE)`), `* URLFETCH "${u}" (BODYPARTSTRUCTURE ${asStored}) (BODY {${stored.length}}\r\n${stored})`);
    // BODY alone is what a bare URL gives, in the extended form; no parameters at all is the bare form (RFC 5524 §3).
    assert.equal(await urlfetch(c, `("${u}" BODY)`), `* URLFETCH "${u}" (BODY {${stored.length}}\r\n${stored})`);
    assert.equal(await urlfetch(c, `("${u}")`), `* URLFETCH "${u}" {${stored.length}}\r\n${stored}`);
    assert.equal(await urlfetch(c, `"${u}"`), `* URLFETCH "${u}" {${stored.length}}\r\n${stored}`);
  });

  test('a base64 part with NULs comes back byte-exact as literal8, structure "binary"', DEADLINE, async () => {
    const { c, url } = await setup();
    const u = await url('/;section=2');
    assert.equal(
      await urlfetch(c, `("${u}" BODYPARTSTRUCTURE BINARY)`),
      `* URLFETCH "${u}" (BODYPARTSTRUCTURE ("image" "png" NIL NIL NIL "binary" 123 NIL NIL NIL NIL)) (BINARY ~{123}\r\n${latin1(IMAGE)})`,
    );
    // ;PARTIAL= cuts the decoded bytes; literal8 only when the window holds a NUL.
    const first = await url('/;section=2/;partial=0.20');
    assert.equal(await urlfetch(c, `("${first}" BINARY)`), `* URLFETCH "${first}" (BINARY ~{20}\r\n${latin1(IMAGE.subarray(0, 20))})`);
    const window = await url('/;section=2/;partial=10.20');
    assert.equal(await urlfetch(c, `("${window}" BINARY)`), `* URLFETCH "${window}" (BINARY {20}\r\n${latin1(IMAGE.subarray(10, 30))})`);
    // A large part: measured, then streamed; every byte as stored before encoding.
    const large = await url('/;section=4');
    const r = await urlfetch(c, `("${large}" BINARY) "${u}"`);
    const head = `* URLFETCH "${large}" (BINARY ~{${LARGE.length}}\r\n`;
    assert.ok(r.startsWith(head), r.slice(0, 200));
    assert.ok(Buffer.from(r.slice(head.length, head.length + LARGE.length), 'latin1').equals(LARGE), 'byte-exact');
    const rest = r.slice(head.length + LARGE.length);
    assert.ok(rest.startsWith(`)\r\n* URLFETCH "${u}" {`), 'the next URL follows, in the simple form');
  });

  test('BODYPARTSTRUCTURE of a multipart and of the whole message; BINARY of a multipart is its body as stored', DEADLINE, async () => {
    const { c, url } = await setup();
    const u = await url('/;section=1');
    const alternative =
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 18 0 NIL NIL NIL NIL)' +
      `("text" "plain" ("charset" "us-ascii") NIL NIL "base64" ${Buffer.from(LATIN).toString('base64').length} 0 NIL NIL NIL NIL)` +
      ' "alternative" ("boundary" "c1") NIL NIL NIL)';
    assert.equal(await urlfetch(c, `("${u}" BODYPARTSTRUCTURE)`), `* URLFETCH "${u}" (BODYPARTSTRUCTURE ${alternative})`);
    const r = await urlfetch(c, `("${u}" BODYPARTSTRUCTURE BINARY)`);
    const m = /^\* URLFETCH "[^"]+" \(BODYPARTSTRUCTURE (.*)\) \(BINARY \{(\d+)\}\r\n([^]*)\)$/.exec(r);
    assert.ok(m, r.slice(0, 300));
    assert.equal(m[1], alternative, 'a multipart is sent as stored, so described as stored');
    assert.ok(m[3].startsWith('--c1\r\n') && m[3].endsWith('--c1--'), m[3]);
    assert.equal(m[3].length, Number(m[2]));
    const whole = await url('');
    const all = await urlfetch(c, `("${whole}" BODYPARTSTRUCTURE)`);
    assert.ok(all.startsWith(`* URLFETCH "${whole}" (BODYPARTSTRUCTURE (${alternative}("image" "png" NIL NIL NIL "base64" `), all.slice(0, 400));
    assert.match(all, / "mixed" \("boundary" "b1"\) NIL NIL NIL\)\)$/);
  });

  test("Dovecot imaptest's urlauth-binary cases: parts of an embedded message, odd base64 spacing, a quoted-printable boundary", DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', IMAPTEST_MESSAGE);
    const c = await imap().login(user);
    const url = (section: string) => genurlauth(c, urlOf(user, `INBOX/;uid=1/;section=${section};urlauth=anonymous`));
    const hello = 'hello world';
    const u1 = await url('1.1');
    assert.equal(await urlfetch(c, `("${u1}" BINARY)`), `* URLFETCH "${u1}" (BINARY {11}\r\n${hello})`);
    assert.equal(await urlfetch(c, `("${u1}" BODYPARTSTRUCTURE)`), `* URLFETCH "${u1}" (BODYPARTSTRUCTURE ("text" "x-myown" ("charset" "us-ascii") NIL NIL "base64" 22 3 NIL NIL NIL NIL))`);
    assert.equal(
      await urlfetch(c, `("${u1}" BINARY BODYPARTSTRUCTURE)`),
      `* URLFETCH "${u1}" (BODYPARTSTRUCTURE ("text" "x-myown" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL)) (BINARY {11}\r\n${hello})`,
    );
    const u2 = await url('1.2');
    assert.equal(
      await urlfetch(c, `("${u2}" BINARY BODYPARTSTRUCTURE)`),
      `* URLFETCH "${u2}" (BODYPARTSTRUCTURE ("text" "x-myother" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL)) (BINARY {11}\r\n${hello})`,
    );
    const u3 = await url('1.3');
    assert.equal(
      await urlfetch(c, `("${u3}" BINARY BODYPARTSTRUCTURE)`),
      `* URLFETCH "${u3}" (BODYPARTSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "x-unprintable" 21 1 NIL NIL NIL NIL)) (BINARY NIL)`,
    );
    // Decoding a part never changes where the parts of its parent end.
    const u4 = await url('1.4');
    const decoded = 'definitely nothing to see here\r\n\r\n--sub1--\r\n';
    // Dovecot answers 0 lines here; RFC 3501 body-fld-lines counts the decoded content's three.
    assert.equal(
      await urlfetch(c, `("${u4}" BINARY BODYPARTSTRUCTURE)`),
      `* URLFETCH "${u4}" (BODYPARTSTRUCTURE ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 44 3 NIL NIL NIL NIL)) (BINARY {44}\r\n${decoded})`,
    );
  });

  test('RFC 5524 §4: an unknown CTE gives BINARY NIL and the structure as stored', DEADLINE, async () => {
    const { c, url } = await setup();
    const u = await url('/;section=3');
    assert.equal(
      await urlfetch(c, `("${u}" BODYPARTSTRUCTURE BINARY)`),
      `* URLFETCH "${u}" (BODYPARTSTRUCTURE ("application" "octet-stream" NIL NIL NIL "x-blurdybloop" 4 NIL NIL NIL NIL)) (BINARY NIL)`,
    );
    // The command is OK and the session goes on.
    assert.equal(await urlfetch(c, `("${u}" BODY)`), `* URLFETCH "${u}" (BODY {4}\r\nZm9v)`);
  });

  test('URLs that do not verify or name no MIME part are NIL as a whole, beside good ones', DEADLINE, async () => {
    const { c, url } = await setup();
    const good = await url('/;section=1.2');
    const broken = good.replace(/.$/, (ch) => (ch === '0' ? '1' : '0'));
    const header = await url('/;section=1.MIME');
    const missing = await url('/;section=9');
    const r = await urlfetch(c, `("${broken}" BINARY) ("${header}" BODYPARTSTRUCTURE) ("${missing}" BINARY BODYPARTSTRUCTURE) ("${good}" BINARY)`);
    assert.equal(
      r,
      [`* URLFETCH "${broken}" NIL`, `* URLFETCH "${header}" NIL`, `* URLFETCH "${missing}" NIL`, `* URLFETCH "${good}" (BINARY {28}\r\n${LATIN})`].join('\r\n'),
    );
    // The MIME header itself is still there for BODY.
    assert.equal(await urlfetch(c, `("${header}" BODY)`), `* URLFETCH "${header}" (BODY {54}\r\nContent-Type: multipart/alternative; boundary="c1"\r\n\r\n)`);
  });

  test('BODY with BINARY, a repeated or unknown parameter, and malformed lists are BAD', DEADLINE, async () => {
    const { c, url } = await setup();
    const u = await url('/;section=1.2');
    await expectBad(c, [
      `URLFETCH ("${u}" BODY BINARY)`,
      `URLFETCH ("${u}" BINARY BODY BODYPARTSTRUCTURE)`,
      `URLFETCH ("${u}" BINARY BINARY)`,
      `URLFETCH ("${u}" BODYPARTSTRUCTURE bodypartstructure)`,
      `URLFETCH ("${u}" SIZE)`,
      `URLFETCH ("${u}" "BINARY")`,
      `URLFETCH ("${u}" (BINARY))`,
      'URLFETCH ()',
      `URLFETCH ("${u}" BINARY`,
      `URLFETCH "${u}" ("${u}" BODY BINARY)`,
    ]);
    // The session is fine after them.
    assert.equal(await urlfetch(c, `("${u}" BINARY)`), `* URLFETCH "${u}" (BINARY {28}\r\n${LATIN})`);
  });
});
