// BINARY (RFC 3516): FETCH BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE
// give a part with its Content-Transfer-Encoding removed (base64,
// quoted-printable; 7bit/8bit/binary as stored), as literal8 `~{n}` when the
// result holds a NUL; a CTE we cannot remove is NO [UNKNOWN-CTE]; APPEND takes
// literal8 and keeps the bytes exactly, NULs included. A 32 MB base64
// attachment is decoded as it is sent, with the server's memory flat.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type HeronProcess, sampleRss } from '../helpers/heron-process.ts';
import { removeDir, tempDir, TEST_HOSTNAME } from '../helpers/heron.ts';
import { startHeronWithCopies } from './big-mailbox.ts';
import { decodeTransfer, type MimePart } from '../../schema/index.ts';
import { type Base64Mark, decodedRange, decodedSize, type RawReader } from '../../imapd/mime/binary-section.ts';
import { DEADLINE, PASSWORD, useImap } from './fixture.ts';
import { type ParsedResponse, sha256, StreamingClient } from './streaming-client.ts';

const imap = useImap();
const CRLF = '\r\n';

/** Base64 in lines of 76, as MIME writes it (RFC 2045 §6.8). */
const base64Lines = (bytes: Buffer) => bytes.toString('base64').replace(/.{76}/g, `$&${CRLF}`);

/** Bytes with NULs in them: a small "file". */
const ATTACHMENT = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 'latin1'), crypto.randomBytes(3001), Buffer.from([0, 0, 0, 1, 0])]);
/** Raw bytes sent with CTE binary: NUL, CR, LF and 8-bit. */
const RAW_BINARY = Buffer.from('one\0two\r\nthree\xff\0', 'latin1');
const QP_TEXT = 'caf=C3=A9 au lait, tr=C3=A8s soft=\r\nly broken line=3D\r\nend';
const QP_DECODED = Buffer.from('café au lait, très softly broken line=\r\nend', 'utf8');

/** A message whose parts cover every case: text, base64 with NULs, binary with NULs, quoted-printable, an unknown CTE, an embedded message. */
function sampleMessage(): { raw: Buffer; text: string } {
  const b = 'binary-test-boundary';
  const text = 'Hello, here are the files.';
  const raw = Buffer.concat([
    Buffer.from(
      `From: Alice <alice@example.org>${CRLF}To: bob@heron.test${CRLF}Subject: Binary parts${CRLF}Date: Mon, 7 Feb 1994 21:52:25 -0800${CRLF}` +
        `Message-ID: <binary-parts@example.org>${CRLF}MIME-Version: 1.0${CRLF}Content-Type: multipart/mixed; boundary="${b}"${CRLF}${CRLF}` +
        `--${b}${CRLF}Content-Type: text/plain; charset=us-ascii${CRLF}${CRLF}${text}${CRLF}` +
        `--${b}${CRLF}Content-Type: image/png${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${base64Lines(ATTACHMENT)}${CRLF}` +
        `--${b}${CRLF}Content-Type: application/octet-stream${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}`,
      'latin1',
    ),
    RAW_BINARY,
    Buffer.from(
      `${CRLF}--${b}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}${QP_TEXT}${CRLF}` +
        `--${b}${CRLF}Content-Type: application/octet-stream${CRLF}Content-Transfer-Encoding: x-uuencode${CRLF}${CRLF}begin 644 x${CRLF}end${CRLF}` +
        `--${b}${CRLF}Content-Type: message/rfc822${CRLF}${CRLF}Subject: inner${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}aW5uZXI=${CRLF}` +
        `--${b}--${CRLF}`,
      'latin1',
    ),
  ]);
  return { raw, text };
}

async function login(user: string): Promise<StreamingClient> {
  const c = await StreamingClient.connect(imap().heron.ports.imaps, { keepLiterals: true });
  const r = await c.command('L', `LOGIN ${user} "${PASSWORD}"`);
  assert.match(r.at(-1)!.text, /^L OK/);
  return c;
}

/** APPEND with a synchronising literal8: the bytes follow the server's "+". */
async function appendLiteral8(c: StreamingClient, tag: string, mailbox: string, raw: Buffer): Promise<ParsedResponse[]> {
  c.send(`${tag} APPEND ${mailbox} ~{${raw.length}}\r\n`);
  const go = await c.nextResponse();
  assert.match(go.text, /^\+ /);
  c.send(Buffer.concat([raw, Buffer.from(CRLF)]));
  return c.untilTagged(tag);
}

/** FETCH that must answer OK with one FETCH response; returns it. */
async function fetchOne(c: StreamingClient, tag: string, what: string): Promise<ParsedResponse> {
  const r = await c.command(tag, `FETCH 1 ${what}`);
  assert.match(r.at(-1)!.text, new RegExp(`^${tag} OK`), `${what}: ${r.at(-1)!.text}`);
  const fetches = r.filter((x) => x.text.startsWith('* 1 FETCH'));
  assert.equal(fetches.length, 1, what);
  return fetches[0];
}

/** The raw bytes read back in pieces of the given sizes, as the store's chunks would come. */
function readerOf(raw: Buffer, cuts: number[]): RawReader {
  return async function* (start, end) {
    let at = start;
    for (let i = 0; at < end; i++) {
      const next = Math.min(end, at + cuts[i % cuts.length]);
      yield raw.subarray(at, next);
      at = next;
    }
  };
}

describe('decoding windows of a base64 body (imapd/mime/binary-section.ts)', () => {
  test('any window, read in any chunks, from a mark or not, equals the same window of the whole body decoded; the size is counted right', async () => {
    for (let trial = 0; trial < 200; trial++) {
      const data = crypto.randomBytes(Math.floor(Math.random() * 2000));
      // Lines of 76 or odd lengths, LF or CRLF, junk the decoder skips, and sometimes text after the padding.
      const width = [76, 64, 3, 1][trial % 4];
      const text = data.toString('base64').replace(new RegExp(`.{${width}}`, 'g'), trial % 3 === 0 ? '$&\n' : '$&\r\n') + (trial % 5 === 0 ? '\r\nAAAA' : '');
      const body = Buffer.from(`head${text}tail`, 'latin1');
      const place = { start: 4, end: body.length - 4, encoding: 'BASE64' };
      const whole = decodeTransfer(body, { bodyStart: 4, bodyEnd: body.length - 4, encoding: 'BASE64' } as MimePart);
      const read = readerOf(body, [1 + Math.floor(Math.random() * 300), 7, 1000]);
      const mark: Base64Mark = { decoded: 0, encoded: 0 };
      assert.equal(await decodedSize(read, place, body.length), whole.length);
      for (let w = 0; w < 6; w++) {
        const from = Math.floor(Math.random() * (whole.length + 10));
        const to = from + 1 + Math.floor(Math.random() * 400);
        const pieces: Buffer[] = [];
        for await (const piece of decodedRange(read, place, body.length, from, to, w % 2 ? mark : undefined)) pieces.push(piece);
        assert.ok(Buffer.concat(pieces).equals(whole.subarray(from, to)), `trial ${trial} window ${from}-${to}`);
      }
    }
  });
});

describe('BINARY', () => {
  test('is advertised after login and before', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await login(user);
    const r = await c.command('c', 'CAPABILITY');
    assert.match(r[0].text, /^\* CAPABILITY .* BINARY( |$)/);
    c.close();
  });

  describe('one message with every kind of part, appended as literal8', () => {
    const { raw, text } = sampleMessage();
    let c: StreamingClient;
    before(async () => {
      const { user } = await imap().account();
      c = await login(user);
      const r = await appendLiteral8(c, 'A', 'INBOX', raw);
      assert.match(r.at(-1)!.text, /^A OK \[APPENDUID \d+ 1\]/);
      await c.command('S', 'SELECT INBOX');
    });
    after(() => c.close());

    test('APPEND ~{n} stores the bytes exactly, NULs included: BINARY.PEEK[] gives them back as literal8', DEADLINE, async () => {
      const r = await fetchOne(c, 'f', '(RFC822.SIZE BINARY.PEEK[])');
      assert.equal(r.text, `* 1 FETCH (RFC822.SIZE ${raw.length} BINARY[] ~{${raw.length}})`);
      assert.ok(r.literals[0].bytes!.equals(raw), 'byte-exact');
      // BODY[] still cannot carry NUL (RFC 3501 §4.3): same length, NUL sent as 0x80.
      const body = await fetchOne(c, 'g', 'BODY.PEEK[]');
      assert.equal(body.text, `* 1 FETCH (BODY[] {${raw.length}})`);
      assert.ok(!body.literals[0].bytes!.includes(0));
    });

    test('a base64 attachment with NULs: BINARY[2] is the file, as literal8; BINARY.SIZE[2] its decoded size', DEADLINE, async () => {
      const r = await fetchOne(c, 'f', '(BINARY.SIZE[2] BINARY.PEEK[2])');
      assert.equal(r.text, `* 1 FETCH (BINARY.SIZE[2] ${ATTACHMENT.length} BINARY[2] ~{${ATTACHMENT.length}})`);
      assert.ok(r.literals[0].bytes!.equals(ATTACHMENT), 'decoded byte-exact');
    });

    test('7bit without NUL is a plain literal; CTE binary is sent as stored, as literal8', DEADLINE, async () => {
      const r = await fetchOne(c, 'f', '(BINARY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[3] BINARY.SIZE[3])');
      assert.equal(r.text, `* 1 FETCH (BINARY[1] {${text.length}} BINARY.SIZE[1] ${text.length} BINARY[3] ~{${RAW_BINARY.length}} BINARY.SIZE[3] ${RAW_BINARY.length})`);
      assert.equal(r.literals[0].bytes!.toString('latin1'), text);
      assert.ok(r.literals[1].bytes!.equals(RAW_BINARY));
    });

    test('quoted-printable is decoded (soft line breaks removed, =XX as bytes)', DEADLINE, async () => {
      const r = await fetchOne(c, 'f', '(BINARY.SIZE[4] BINARY.PEEK[4])');
      assert.equal(r.text, `* 1 FETCH (BINARY.SIZE[4] ${QP_DECODED.length} BINARY[4] {${QP_DECODED.length}})`);
      assert.ok(r.literals[0].bytes!.equals(QP_DECODED), r.literals[0].bytes!.toString('latin1'));
    });

    test('partial ranges count decoded bytes: <0.10>, <12.4>, past the end', DEADLINE, async () => {
      const cases: Array<[string, string, Buffer]> = [
        ['BINARY.PEEK[2]<0.10>', 'BINARY[2]<0> ~{10}', ATTACHMENT.subarray(0, 10)],
        ['BINARY.PEEK[2]<12.4>', 'BINARY[2]<12> {4}', Buffer.from('IHDR')],
        [`BINARY.PEEK[2]<${ATTACHMENT.length - 3}.100>`, `BINARY[2]<${ATTACHMENT.length - 3}> ~{3}`, ATTACHMENT.subarray(-3)],
        [`BINARY.PEEK[2]<${ATTACHMENT.length + 5}.10>`, `BINARY[2]<${ATTACHMENT.length + 5}> {0}`, Buffer.alloc(0)],
        ['BINARY.PEEK[4]<0.10>', 'BINARY[4]<0> {10}', QP_DECODED.subarray(0, 10)],
        ['BINARY.PEEK[3]<3.2>', 'BINARY[3]<3> ~{2}', RAW_BINARY.subarray(3, 5)],
      ];
      for (const [item, shown, bytes] of cases) {
        const r = await fetchOne(c, 'f', item);
        assert.equal(r.text, `* 1 FETCH (${shown})`, item);
        assert.ok(r.literals[0].bytes!.equals(bytes), `${item} byte-exact`);
      }
    });

    test('windows read one after another (forwards, backwards, another part between) join up to the file', DEADLINE, async () => {
      const windows = [0, 100, 200, 300, 250, 2900, 3000];
      for (const start of windows) {
        const r = await fetchOne(c, 'w', `BINARY.PEEK[2]<${start}.100>`);
        assert.ok(r.literals[0].bytes!.equals(ATTACHMENT.subarray(start, start + 100)), `window at ${start}`);
        if (start === 300) await fetchOne(c, 'x', 'BINARY.PEEK[4]<3.5>');
      }
      const parts: Buffer[] = [];
      for (let start = 0; start < ATTACHMENT.length; start += 512) parts.push((await fetchOne(c, 'v', `BINARY.PEEK[2]<${start}.512>`)).literals[0].bytes!);
      assert.ok(Buffer.concat(parts).equals(ATTACHMENT));
    });

    test('a multipart part and the whole message are sent as stored (RFC 2045 §6.4: identity CTEs only); a message/rfc822 part is its embedded message', DEADLINE, async () => {
      const body = await fetchOne(c, 'b', '(BODY.PEEK[6])');
      const r = await fetchOne(c, 'f', '(BINARY.PEEK[6] BINARY.SIZE[6] BINARY.SIZE[])');
      assert.equal(r.text, `* 1 FETCH (BINARY[6] {${body.literals[0].size}} BINARY.SIZE[6] ${body.literals[0].size} BINARY.SIZE[] ${raw.length})`);
      assert.ok(r.literals[0].bytes!.equals(body.literals[0].bytes!));
      // The embedded message's own part is decoded by its own CTE.
      const inner = await fetchOne(c, 'i', '(BINARY.PEEK[6.1])');
      assert.equal(inner.text, '* 1 FETCH (BINARY[6.1] {5})');
      assert.equal(inner.literals[0].bytes!.toString(), 'inner');
    });

    test('a part that does not exist is empty, its size 0', DEADLINE, async () => {
      const r = await fetchOne(c, 'f', '(BINARY.PEEK[9] BINARY.SIZE[9] BINARY.SIZE[2.1.4])');
      assert.equal(r.text, '* 1 FETCH (BINARY[9] {0} BINARY.SIZE[9] 0 BINARY.SIZE[2.1.4] 0)');
    });

    test('an unknown CTE is NO [UNKNOWN-CTE] for BINARY and BINARY.SIZE, and \\Seen is not set', DEADLINE, async () => {
      for (const item of ['BINARY[5]', 'BINARY.PEEK[5]', 'BINARY.SIZE[5]', '(BINARY[2] BINARY[5])']) {
        const r = await c.command('u', `FETCH 1 ${item}`);
        assert.equal(r.length, 1, `${item}: no FETCH response before the NO`);
        assert.match(r[0].text, /^u NO \[UNKNOWN-CTE\] /, item);
      }
      const flags = await fetchOne(c, 'l', 'FLAGS');
      assert.doesNotMatch(flags.text, /\\Seen/);
      // BODY[5] is unaffected: the part as stored.
      assert.match((await fetchOne(c, 'k', 'BODY.PEEK[5]')).text, /^\* 1 FETCH \(BODY\[5\] \{\d+\}\)$/);
    });

    test('BINARY.PEEK leaves \\Seen alone; BINARY sets it and reports FLAGS, as BODY[] does', DEADLINE, async () => {
      await fetchOne(c, 'p', 'BINARY.PEEK[1]');
      assert.doesNotMatch((await fetchOne(c, 'l', 'FLAGS')).text, /\\Seen/);
      const r = await fetchOne(c, 'f', 'BINARY[1]');
      assert.match(r.text, /^\* 1 FETCH \(BINARY\[1\] \{\d+\} FLAGS \(\\Seen \\Recent\)\)$/);
      assert.match((await fetchOne(c, 'm', 'FLAGS')).text, /\\Seen/);
      await c.command('s', 'STORE 1 -FLAGS (\\Seen)');
    });

    test('bad syntax is BAD: HEADER/TEXT/MIME after BINARY, a partial on BINARY.SIZE, part 0, literal8 where a string is expected', DEADLINE, async () => {
      for (const command of [
        'FETCH 1 BINARY[HEADER]',
        'FETCH 1 BINARY.PEEK[1.MIME]',
        'FETCH 1 BINARY[TEXT]',
        'FETCH 1 BINARY.SIZE[1]<0.5>',
        'FETCH 1 BINARY[0]',
        'FETCH 1 BINARY[1]<0.0>',
        'FETCH 1 BINARY.PEEK',
      ]) {
        const r = await c.command('b', command);
        assert.equal(r.length, 1, command);
        assert.match(r[0].text, /^b BAD /, command);
      }
      // RFC 3516 §4.4: literal8 is only an APPEND message, never an astring or search string.
      for (const [command, bytes] of [
        ['STATUS ~{5+}', 'INBOX (MESSAGES)'],
        ['SEARCH SUBJECT ~{3+}', 'abc'],
        ['CREATE ~{3+}', 'box'],
      ] as const) {
        c.send(`b ${command}\r\n${bytes}\r\n`);
        const r = await c.untilTagged('b');
        assert.match(r.at(-1)!.text, /^b BAD /, command);
      }
    });
  });

  test('MULTIAPPEND with literal8 and plain literals mixed, non-synchronising ~{n+}; every message byte-exact', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await login(user);
    const withNul = Buffer.from(`Subject: nul${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}a\0b${CRLF}`, 'latin1');
    const plain = Buffer.from(`Subject: plain${CRLF}${CRLF}text${CRLF}`, 'latin1');
    c.send(
      Buffer.concat([
        Buffer.from(`M APPEND INBOX ~{${withNul.length}+}\r\n`),
        withNul,
        Buffer.from(` (\\Flagged) {${plain.length}+}\r\n`),
        plain,
        Buffer.from(` ~{${withNul.length}+}\r\n`),
        withNul,
        Buffer.from(CRLF),
      ]),
    );
    const r = await c.untilTagged('M');
    assert.match(r.at(-1)!.text, /^M OK \[APPENDUID \d+ 1:3\]/);
    await c.command('S', 'SELECT INBOX');
    const f = await c.command('F', 'FETCH 1:3 (FLAGS BINARY.PEEK[] BINARY.PEEK[1])');
    const fetches = f.filter((x) => / FETCH /.test(x.text));
    assert.equal(fetches[0].text, `* 1 FETCH (FLAGS (\\Recent) BINARY[] ~{${withNul.length}} BINARY[1] ~{5})`);
    assert.equal(fetches[1].text, `* 2 FETCH (FLAGS (\\Flagged \\Recent) BINARY[] {${plain.length}} BINARY[1] {6})`);
    assert.ok(fetches[0].literals[0].bytes!.equals(withNul));
    assert.ok(fetches[1].literals[0].bytes!.equals(plain));
    assert.ok(fetches[2].literals[0].bytes!.equals(withNul));
    assert.ok(fetches[2].literals[1].bytes!.equals(Buffer.from(`a\0b${CRLF}`, 'latin1')));
    c.close();
  });

  test('REPLACE (RFC 8508) takes a literal8 too: the new message is stored byte-exact', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await login(user);
    const first = Buffer.from(`Subject: first${CRLF}${CRLF}one${CRLF}`, 'latin1');
    const second = Buffer.from(`Subject: second${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}\0two\0${CRLF}`, 'latin1');
    assert.match((await appendLiteral8(c, 'A', 'INBOX', first)).at(-1)!.text, /^A OK/);
    await c.command('S', 'SELECT INBOX');
    c.send(Buffer.concat([Buffer.from(`R REPLACE 1 INBOX ~{${second.length}+}\r\n`), second, Buffer.from(CRLF)]));
    assert.match((await c.untilTagged('R')).at(-1)!.text, /^R OK/);
    const r = await c.command('F', 'FETCH 1:* (UID BINARY.PEEK[])');
    const fetches = r.filter((x) => x.text.startsWith('* 1 FETCH'));
    assert.equal(fetches.length, 1, r.map((x) => x.text).join('\n'));
    assert.match(fetches[0].text, new RegExp(`^\\* 1 FETCH \\(UID 2 BINARY\\[\\] ~\\{${second.length}\\}\\)$`));
    assert.ok(fetches[0].literals[0].bytes!.equals(second));
    c.close();
  });

  test('imapflow appends a message with NULs (it sends literal8 because BINARY is offered) and fetches parts with binary: true', DEADLINE, async () => {
    const { user } = await imap().account();
    const { raw } = sampleMessage();
    const client = imap().imapflow(user);
    await client.connect();
    try {
      assert.ok(client.capabilities.has('BINARY'));
      const appended = await client.append('INBOX', raw);
      assert.ok(appended && appended.uid);
      await client.mailboxOpen('INBOX');
      const whole = await client.fetchOne(String(appended.uid), { source: true }, { uid: true, binary: true });
      assert.ok(whole && whole.source!.equals(raw), 'stored and fetched byte-exact, NULs included');
      const parts = await client.fetchOne(String(appended.uid), { bodyParts: ['2', '4'] }, { uid: true, binary: true });
      assert.ok(parts);
      assert.ok(parts.bodyParts!.get('2')!.equals(ATTACHMENT));
      assert.ok(parts.bodyParts!.get('4')!.equals(QP_DECODED));
      assert.deepEqual([...parts.binaryParts!].sort(), ['2', '4'], 'answered with BINARY, so imapflow does not decode them again');
      // A window of the decoded file, as download() asks for one chunk after another.
      const window = await client.fetchOne(String(appended.uid), { bodyParts: [{ key: '2', start: 1000, maxLength: 500 }] }, { uid: true, binary: true });
      assert.ok(window && window.bodyParts!.get('2')!.equals(ATTACHMENT.subarray(1000, 1500)));
    } finally {
      await client.logout();
    }
  });
});

// A Heron in its own process, so its memory is measured apart from the test's.
describe('a 32 MB base64 attachment', () => {
  const dataDir = tempDir();
  const user = `binary-big@${TEST_HOSTNAME}`;
  const DECODED = 32 * 1024 * 1024;
  const data = crypto.randomBytes(DECODED);
  data.fill(0, 1000, 2000); // NULs, so the answer is literal8
  const b = 'big-binary';
  const raw = Buffer.concat([
    Buffer.from(
      `From: Alice <alice@example.org>${CRLF}To: ${user}${CRLF}Subject: Big binary${CRLF}MIME-Version: 1.0${CRLF}Content-Type: multipart/mixed; boundary="${b}"${CRLF}${CRLF}` +
        `--${b}${CRLF}Content-Type: text/plain${CRLF}${CRLF}See attached.${CRLF}--${b}${CRLF}Content-Type: application/octet-stream${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
      'latin1',
    ),
    Buffer.from(base64Lines(data), 'latin1'),
    Buffer.from(`${CRLF}--${b}--${CRLF}`, 'latin1'),
  ]);
  let heron: HeronProcess;

  before(async () => {
    heron = await startHeronWithCopies(dataDir, { user, others: [], raw, copies: 1 });
  });
  after(async () => {
    await heron?.stop();
    removeDir(dataDir);
  });

  test('BINARY[2] and BINARY.SIZE[2] decode it as it is sent: byte-exact, server RSS no higher than for BODY[2] of it', { timeout: 10 * 60_000 }, async () => {
    const c = await StreamingClient.connect(heron.ports.imaps);
    assert.match((await c.command('L', `LOGIN ${user} "${PASSWORD}"`)).at(-1)!.text, /^L OK/);
    await c.command('S', 'SELECT INBOX');
    // The reference: BODY[2] streams the same stored bytes undecoded (the store's reads and buffers).
    const bodyRss = sampleRss(heron);
    let started = performance.now();
    const body = await c.command('B', 'FETCH 1 BODY.PEEK[2]', 120_000);
    const bodySeconds = (performance.now() - started) / 1000;
    const bodyPeak = bodyRss.stop();
    assert.match(body.at(-1)!.text, /^B OK/);
    const rss = sampleRss(heron);
    started = performance.now();
    const r = await c.command('F', 'FETCH 1 (BINARY.SIZE[2] BINARY[2])', 120_000);
    const seconds = (performance.now() - started) / 1000;
    const peak = rss.stop();
    console.log(
      `BINARY.SIZE[2] + BINARY[2] of a ${(raw.length / 1048576).toFixed(0)} MB base64 part (${DECODED / 1048576} MB decoded; counted once, decoded twice): ${seconds.toFixed(1)} s, ` +
        `server RSS peak ${peak.toFixed(0)} MB; BODY.PEEK[2] of it: ${bodySeconds.toFixed(1)} s, RSS ${bodyRss.baseline.toFixed(0)} MB → peak ${bodyPeak.toFixed(0)} MB`,
    );
    assert.match(r.at(-1)!.text, /^F OK/);
    assert.equal(r[0].text, `* 1 FETCH (BINARY.SIZE[2] ${DECODED} BINARY[2] ~{${DECODED}} FLAGS (\\Seen \\Recent))`);
    assert.equal(r[0].literals[0].sha256, sha256(data));
    // Held whole, the part would add its 43 MB encoded and 32 MB decoded to what BODY[2] needs.
    assert.ok(peak - bodyPeak < 40, `server RSS peaked ${(peak - bodyPeak).toFixed(0)} MB above BODY[2]'s`);
    // Window after window near the end, as imapflow's download() reads: each resumes where the last ended.
    const WINDOW = 65536;
    const first = DECODED - 64 * WINDOW;
    started = performance.now();
    for (let at = first; at < DECODED; at += WINDOW) {
      const w = await c.command('P', `FETCH 1 BINARY.PEEK[2]<${at}.${WINDOW}>`);
      assert.match(w.at(-1)!.text, /^P OK/);
      assert.equal(w[0].literals[0].sha256, sha256(data.subarray(at, at + WINDOW)), `window at ${at}`);
    }
    console.log(`64 windows of 64 KiB from decoded byte ${first}, one after another: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    for (let at = first; at < DECODED; at += WINDOW) await c.command('Q', `FETCH 1 BODY.PEEK[2]<${at}.${WINDOW}>`);
    console.log(`the same with BODY.PEEK[2]: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    c.close();
  });
});
