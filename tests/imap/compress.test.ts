// COMPRESS=DEFLATE (RFC 4978): advertised and allowed only after login, over
// implicit TLS and over plaintext; raw DEFLATE both ways right after the
// tagged OK; every response flushed at once, so IDLE updates and pipelined
// replies arrive without the client sending more; NO [COMPRESSIONACTIVE] on a
// second COMPRESS, BAD for other mechanisms; corrupt input and decompression
// bombs end that session only; imapflow compresses by default. In a child
// process: a large FETCH over a compressed session is byte-exact with bounded
// memory, and a compressed flood from a client that does not read is not
// inflated ahead of the session.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { ImapFlow } from 'imapflow';
import { type HeronProcess, sampleRss } from '../helpers/heron-process.ts';
import { eventually, IMAP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { removeDir, tempDir, TEST_HOSTNAME } from '../helpers/heron.ts';
import { startHeronWithCopies } from './big-mailbox.ts';
import { type Imap, message, PASSWORD, startImap } from './fixture.ts';
import { largeMessage, onTheWire } from './messages.ts';
import { sha256, StreamingClient } from './streaming-client.ts';

const MB = 1024 * 1024;
const IMAPLIB_CLIENT = path.join(import.meta.dirname, 'imaplib-compress.py');

async function login(port: number, user: string, tls = true): Promise<StreamingClient> {
  const c = await StreamingClient.connect(port, { tls });
  const r = await c.command('L', `LOGIN ${user} "${PASSWORD}"`);
  assert.match(r.at(-1)!.text, /^L OK/);
  return c;
}

/** Logged in and compressed. */
async function compressed(port: number, user: string, tls = true): Promise<StreamingClient> {
  const c = await login(port, user, tls);
  assert.match((await c.compress()).text, /^Z OK /);
  return c;
}

/** Writes into a client's deflater, waiting (at most 2 s: the server may have stopped reading) while it is full. */
async function feed(deflater: zlib.DeflateRaw, bytes: Buffer): Promise<void> {
  if (deflater.write(bytes)) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 2000);
    deflater.once('drain', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const texts = (responses: Array<{ text: string }>) => responses.map((r) => r.text);

describe('COMPRESS=DEFLATE', () => {
  let imap: Imap;
  before(async () => {
    imap = await startImap({ HERON_ALLOW_PLAINTEXT_AUTH: 'true' });
  });
  after(() => imap?.stop());

  test('advertised after login only; COMPRESS before login is refused', async () => {
    const { user } = await imap.account();
    const c = await StreamingClient.connect(imap.heron.ports.imaps);
    try {
      const before = await c.command('a', 'CAPABILITY');
      assert.doesNotMatch(before[0].text, /COMPRESS/);
      const refused = await c.command('b', 'COMPRESS DEFLATE');
      assert.deepEqual(texts(refused), ['b BAD COMPRESS is not allowed before login']);
      // Still uncompressed: the login works in clear text.
      const r = await c.command('L', `LOGIN ${user} "${PASSWORD}"`);
      assert.match(r.at(-1)!.text, /^L OK \[CAPABILITY [^\]]* COMPRESS=DEFLATE[ \]]/);
      const afterLogin = await c.command('d', 'CAPABILITY');
      assert.match(afterLogin[0].text, /^\* CAPABILITY .* COMPRESS=DEFLATE( |$)/);
    } finally {
      c.close();
    }
  });

  test('over TLS: the OK in clear, then a deflated session; pipelined commands answered in order', async () => {
    const { user, id } = await imap.account();
    for (let i = 1; i <= 3; i++) await imap.deliver(id, 'INBOX', message(`note ${i}`, 'Compressible body text. '.repeat(200)));
    const c = await compressed(imap.heron.ports.imaps, user);
    try {
      const wireBefore = c.wireBytes;
      const receivedBefore = c.received;
      // Three commands in one deflated burst: each answered, in order, without more input.
      c.send('s SELECT INBOX\r\nf FETCH 1:3 (UID BODY.PEEK[TEXT])\r\nn NOOP\r\n');
      const selected = await c.untilTagged('s');
      assert.ok(texts(selected).includes('* 3 EXISTS'));
      assert.match(selected.at(-1)!.text, /^s OK \[READ-WRITE\]/);
      const fetched = await c.untilTagged('f');
      const bodies = fetched.filter((r) => /^\* \d+ FETCH /.test(r.text));
      assert.equal(bodies.length, 3);
      for (const b of bodies) assert.equal(b.literals[0].sha256, sha256(Buffer.from('Compressible body text. '.repeat(200) + '\r\n')));
      assert.match(fetched.at(-1)!.text, /^f OK/);
      assert.match((await c.untilTagged('n')).at(-1)!.text, /^n OK/);
      // The repetitive bodies crossed the wire compressed.
      const inflated = c.received - receivedBefore;
      const wire = c.wireBytes - wireBefore;
      assert.ok(wire * 5 < inflated, `${wire} wire bytes for ${inflated} bytes of responses`);
    } finally {
      c.close();
    }
  });

  test('over plaintext: compressed session, LOGOUT flushes BYE and OK before the close', async () => {
    const { user } = await imap.account();
    const c = await compressed(imap.heron.ports.imap, user, false);
    const status = await c.command('s', 'STATUS INBOX (MESSAGES)');
    assert.deepEqual(texts(status), ['* STATUS "INBOX" (MESSAGES 0)', 's OK STATUS completed']);
    const bye = await c.command('o', 'LOGOUT');
    assert.deepEqual(texts(bye), ['* BYE Logging out', 'o OK LOGOUT completed']);
    await c.waitClosed(15_000);
  });

  test('a second COMPRESS: NO [COMPRESSIONACTIVE]; other mechanisms: BAD; the session goes on', async () => {
    const { user } = await imap.account();
    const c = await login(imap.heron.ports.imaps, user);
    try {
      assert.deepEqual(texts(await c.command('u', 'COMPRESS LZMA')), ['u BAD Unknown compression mechanism LZMA']);
      assert.match(texts(await c.command('m', 'COMPRESS'))[0], /^m BAD /);
      assert.match(texts(await c.command('x', 'COMPRESS DEFLATE extra'))[0], /^x BAD /);
      // Nothing was switched by the refusals: the next command is in clear text.
      assert.deepEqual(texts(await c.command('n', 'NOOP')), ['n OK NOOP completed']);
      assert.match((await c.compress('lower')).text, /^lower OK /);
      assert.deepEqual(texts(await c.command('z', 'compress deflate')), ['z NO [COMPRESSIONACTIVE] DEFLATE is already active']);
      assert.deepEqual(texts(await c.command('n2', 'NOOP')), ['n2 OK NOOP completed']);
    } finally {
      c.close();
    }
  });

  test('IDLE: a delivery is pushed at once, without the client sending anything', async () => {
    const { user, id } = await imap.account();
    const c = await compressed(imap.heron.ports.imaps, user);
    try {
      await c.command('s', 'SELECT INBOX');
      c.send('i IDLE\r\n');
      assert.equal((await c.nextResponse(15_000)).text, '+ idling');
      await imap.deliver(id, 'INBOX', message('while idling'));
      // The client sends nothing: the EXISTS must be flushed through the deflater on its own.
      assert.equal((await c.nextResponse(15_000)).text, '* 1 EXISTS');
      assert.equal((await c.nextResponse(15_000)).text, '* 1 RECENT');
      c.send('DONE\r\n');
      assert.match((await c.untilTagged('i')).at(-1)!.text, /^i OK/);
    } finally {
      c.close();
    }
  });

  test('corrupt compressed input: BYE (compressed) and the connection closes; the server goes on', async () => {
    const { user } = await imap.account();
    const c = await compressed(imap.heron.ports.imaps, user);
    // 0xff is not a valid DEFLATE block header (block type 3 is reserved).
    c.socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    assert.equal((await c.nextResponse(15_000)).text, '* BYE Invalid compressed data');
    await c.waitClosed(15_000);
    const other = await compressed(imap.heron.ports.imaps, user);
    assert.deepEqual(texts(await other.command('n', 'NOOP')), ['n OK NOOP completed']);
    other.close();
  });

  test('decompression bomb: 256 MB of one line inflated from ~256 KB ends at the line limit', async () => {
    const { user } = await imap.account();
    const c = await compressed(imap.heron.ports.imaps, user);
    const deflater = c.deflater!;
    const block = Buffer.alloc(MB, 'A');
    c.send('b NOOP ');
    let written = 0;
    // Written in pieces with backpressure, so neither side holds the whole bomb.
    while (written < 256 && !c.closed) {
      await feed(deflater, block);
      written++;
    }
    const bye = await c.nextResponse(15_000);
    assert.match(bye.text, /^\* BYE Protocol error: .*line/i);
    await c.waitClosed(15_000);
    console.log(`line bomb: ${c.closed ? 'closed' : 'open'} after ${written} MB inflated were offered; server answered "${bye.text}"`);
    const other = await compressed(imap.heron.ports.imaps, user);
    assert.deepEqual(texts(await other.command('n', 'NOOP')), ['n OK NOOP completed']);
    other.close();
  });

  test('imapflow compresses by default: list, append, fetch and IDLE work through it', async () => {
    const { user, id } = await imap.account();
    let compressedWrites = 0;
    const log = () => undefined;
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: imap.heron.ports.imaps,
      secure: true,
      tls: { rejectUnauthorized: false, servername: 'heron.test' },
      auth: { user, pass: PASSWORD },
      // The raw log says whether each write went through imapflow's deflater.
      logRaw: true,
      logger: {
        trace: (entry: { compress?: boolean }) => {
          if (entry.compress) compressedWrites++;
        },
        debug: log,
        info: log,
        warn: log,
        error: log,
      },
      ...IMAP_CLIENT_DEADLINES,
    });
    await client.connect();
    try {
      assert.ok(client.capabilities.has('COMPRESS=DEFLATE'));
      const paths = (await client.list()).map((m) => m.path);
      assert.ok(paths.includes('INBOX'));
      const raw = message('appended', 'Line of text.\r\n'.repeat(5000));
      const appended = await client.append('INBOX', raw, ['\\Seen']);
      assert.ok(appended && appended.uid);
      await client.mailboxOpen('INBOX');
      const got = await client.fetchOne(String(appended.uid), { source: true, flags: true }, { uid: true });
      assert.ok(got && got.source);
      assert.equal(sha256(got.source), sha256(Buffer.from(raw)));
      assert.ok(got.flags?.has('\\Seen'));
      const events: number[] = [];
      client.on('exists', (e: { count: number }) => events.push(e.count));
      void client.idle();
      await eventually(() => client.idling, 'imapflow to be idling');
      await imap.deliver(id, 'INBOX', message('during idle'));
      await eventually(() => events.includes(2), () => `EXISTS 2 during IDLE; got ${events.join(',')}`);
      assert.ok(compressedWrites >= 5, `only ${compressedWrites} of imapflow's writes were compressed`);
    } finally {
      await client.logout();
    }
  });

  test('Python imaplib through a raw zlib stream: select, fetch, append, search, logout', async () => {
    const { user, id } = await imap.account();
    const raw = message('for imaplib', 'Python reads this. '.repeat(500));
    await imap.deliver(id, 'INBOX', raw);
    const { stdout } = await promisify(execFile)('python3', [IMAPLIB_CLIENT, String(imap.heron.ports.imaps), user, PASSWORD], { timeout: 60_000 });
    const result = JSON.parse(stdout) as Record<string, unknown>;
    assert.deepEqual(result, {
      compress: 'DEFLATE active',
      exists: 1,
      sha256: sha256(Buffer.from(raw)),
      append: 'OK',
      seen: '2',
      wire: result.wire,
      logout: 'BYE',
    });
    assert.ok(Number(result.wire) < 2000, `${String(result.wire)} compressed bytes for a 10 kB message and five replies`);
  });
});

describe('COMPRESS with a Heron in its own process (memory measured)', () => {
  const dataDir = tempDir();
  const BIG = 24_000_000;
  const COPIES = 6;
  const raw = largeMessage(BIG);
  const expected = sha256(onTheWire(raw));
  const user = `deflate@${TEST_HOSTNAME}`;
  const other = `deflate-other@${TEST_HOSTNAME}`;
  let heron: HeronProcess;

  before(async () => {
    heron = await startHeronWithCopies(dataDir, { user, others: [other], raw, copies: COPIES });
  });

  after(async () => {
    await heron?.stop();
    removeDir(dataDir);
  });

  test('FETCH 1:* BODY[] of 6 × 24 MB over a compressed session is byte-exact, RSS grows < 100 MB', { timeout: 10 * 60_000 }, async () => {
    const c = await compressed(heron.ports.imaps, user);
    await c.command('S', 'SELECT INBOX');
    await c.command('W', 'FETCH 1 (UID RFC822.SIZE)');
    const rss = sampleRss(heron);
    const started = performance.now();
    const responses = await c.command('F', 'FETCH 1:* BODY[]', 60_000);
    const seconds = (performance.now() - started) / 1000;
    const peak = rss.stop();
    console.log(
      `compressed FETCH ${COPIES} × 24 MB: ${seconds.toFixed(1)} s, ${(c.wireBytes / MB).toFixed(0)} MB on the wire for ${(c.received / MB).toFixed(0)} MB; ` +
        `server RSS ${rss.baseline.toFixed(0)} MB → peak ${peak.toFixed(0)} MB (+${(peak - rss.baseline).toFixed(0)} MB)`,
    );
    assert.match(responses.at(-1)!.text, /^F OK/);
    const fetches = responses.filter((r) => /^\* \d+ FETCH /.test(r.text));
    assert.equal(fetches.length, COPIES);
    fetches.forEach((r, i) => {
      assert.equal(r.literals[0].size, BIG);
      assert.equal(r.literals[0].sha256, expected, `message ${i + 1} byte-exact`);
    });
    assert.ok(c.wireBytes < c.received, 'the responses were compressed');
    assert.ok(peak - rss.baseline < 100, `server RSS grew by ${(peak - rss.baseline).toFixed(0)} MB`);
    c.close();
  });

  test('a compressed flood of 512 MB of commands from a client that does not read is not inflated ahead', { timeout: 5 * 60_000 }, async () => {
    const flooder = await compressed(heron.ports.imaps, user);
    const watcher = await login(heron.ports.imaps, other);
    const rss = sampleRss(heron);
    await flooder.sendThenStopReading('s SELECT INBOX\r\n');
    // 64 deflated writes of 8 MB of NOOPs: about half a megabyte on the wire.
    const noops = Buffer.from('x NOOP\r\n'.repeat(MB));
    const deflater = flooder.deflater!;
    for (let i = 0; i < 64; i++) await feed(deflater, noops);
    for (let i = 0; i < 20; i++) {
      const r = await watcher.command(`p${i}`, 'NOOP');
      assert.match(r.at(-1)!.text, new RegExp(`^p${i} OK`));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const peak = rss.stop();
    console.log(`compressed flood: server RSS ${rss.baseline.toFixed(0)} MB → peak ${peak.toFixed(0)} MB (+${(peak - rss.baseline).toFixed(0)} MB)`);
    assert.ok(peak - rss.baseline < 100, `server RSS grew by ${(peak - rss.baseline).toFixed(0)} MB`);
    flooder.close();
    assert.match((await watcher.command('q', 'NOOP')).at(-1)!.text, /^q OK/);
    assert.ok(heron.alive());
    watcher.close();
  });
});
