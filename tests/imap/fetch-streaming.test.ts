// FETCH streams message bytes from the store with backpressure (issue 10 §1):
// a FETCH 1:* BODY[] of 24 messages of 24 MB over TLS is byte-exact while the
// server's memory stays flat and other sessions are answered; sections and
// partials are byte ranges of the stored message; a client that stops reading
// holds its own FETCH without growing the server; a failure inside a session
// ends that session, never the process.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appendMessage, findMailbox } from '../../schema/index.ts';
import { type HeronProcess, sampleRss } from '../helpers/heron-process.ts';
import { removeDir, tempDir, TEST_HOSTNAME } from '../helpers/heron.ts';
import { startHeronWithCopies } from './big-mailbox.ts';
import { message, PASSWORD, startImap } from './fixture.ts';
import { largeMessage, onTheWire, sectionedMessage } from './messages.ts';
import { median, noopsUntil, sha256, StreamingClient } from './streaming-client.ts';

const MB = 1024 * 1024;
const BIG = 24_000_000;
const COPIES = 24;

async function login(port: number, user: string, keepLiterals = false): Promise<StreamingClient> {
  const c = await StreamingClient.connect(port, { keepLiterals });
  const r = await c.command('L', `LOGIN ${user} "${PASSWORD}"`);
  assert.match(r.at(-1)!.text, /^L OK/);
  return c;
}

describe('a 24 × 24 MB mailbox, served by Heron in its own process', () => {
  const dataDir = tempDir();
  const raw = largeMessage(BIG);
  const expected = sha256(onTheWire(raw));
  const user = `big@${TEST_HOSTNAME}`;
  const watcher = `watcher@${TEST_HOSTNAME}`;
  let heron: HeronProcess;

  before(async () => {
    // One stored message and 23 copies of it: the copies share the raw bytes, as COPY does.
    heron = await startHeronWithCopies(dataDir, { user, others: [watcher], raw, copies: COPIES });
  });

  after(async () => {
    await heron?.stop();
    removeDir(dataDir);
  });

  test('FETCH 1:* BODY[] over TLS is byte-exact, RSS grows < 100 MB, another session is answered throughout', { timeout: 15 * 60_000 }, async () => {
    const reader = await login(heron.ports.imaps, user);
    const other = await login(heron.ports.imaps, watcher);
    const selected = await reader.command('S', 'SELECT INBOX');
    assert.ok(selected.some((r) => r.text === `* ${COPIES} EXISTS`));
    await reader.command('W', 'FETCH 1 (UID RFC822.SIZE)');
    const rss = sampleRss(heron);

    const started = performance.now();
    let fetchDone = Infinity;
    reader.send('F FETCH 1:* BODY[]\r\n');
    const watching = noopsUntil(other, () => fetchDone !== Infinity);
    watching.catch(() => undefined); // awaited below; a server that died fails the FETCH first
    const responses = await reader
      .untilTagged('F', 60_000)
      .catch((err: unknown) => {
        throw new Error(`${String(err)}; Heron ${heron.alive() ? 'is running' : `has exited:\n${heron.output().slice(-3000)}`}`);
      })
      .finally(() => {
        if (fetchDone === Infinity) fetchDone = performance.now();
      });
    fetchDone = responses.at(-1)!.at;
    const peak = rss.stop();
    const baseline = rss.baseline;
    const latencies = await watching;

    const seconds = (fetchDone - started) / 1000;
    const before = latencies.filter((l) => l.at < fetchDone);
    console.log(
      `24 × 24 MB FETCH: ${seconds.toFixed(1)} s (${((COPIES * BIG) / MB / seconds).toFixed(0)} MB/s); server RSS ${baseline.toFixed(0)} MB → peak ${peak.toFixed(0)} MB ` +
        `(+${(peak - baseline).toFixed(0)} MB); ${before.length} NOOPs answered during it, latency max ${before.reduce((m, l) => Math.max(m, l.ms), 0).toFixed(0)} ms, ` +
        `median ${median(before.map((l) => l.ms)).toFixed(0)} ms`,
    );

    assert.match(responses.at(-1)!.text, /^F OK/);
    const fetches = responses.slice(0, -1).filter((r) => / FETCH /.test(r.text));
    assert.equal(fetches.length, COPIES);
    fetches.forEach((r, i) => {
      assert.match(r.text, new RegExp(`^\\* ${i + 1} FETCH \\(BODY\\[\\] \\{${BIG}\\}`));
      assert.equal(r.literals.length, 1);
      assert.equal(r.literals[0].size, BIG);
      assert.equal(r.literals[0].sha256, expected, `message ${i + 1} byte-exact`);
    });
    assert.ok(peak - baseline < 100, `server RSS grew by ${(peak - baseline).toFixed(0)} MB`);
    // No starvation: the other session's NOOPs were answered while the FETCH streamed.
    assert.ok(before.length >= 3, `only ${before.length} NOOPs answered during the FETCH`);
    assert.ok(heron.alive());
    reader.close();
    other.close();
  });

  test('a client that stops reading holds its own FETCH; the server neither buffers nor reads ahead without bound', { timeout: 5 * 60_000 }, async () => {
    const stalled = await login(heron.ports.imaps, user);
    const other = await login(heron.ports.imaps, watcher);
    await stalled.command('S', 'SELECT INBOX');
    const rss = sampleRss(heron);
    await stalled.sendThenStopReading('F FETCH 1:* BODY.PEEK[]\r\n');
    // 32 MB of pipelined commands the server would have to queue if it kept reading.
    const flood = Buffer.from('x NOOP\r\n'.repeat(4 * MB));
    stalled.socket.write(flood);
    const answered: number[] = [];
    for (let i = 0; i < 20; i++) {
      const sent = performance.now();
      const r = await other.command(`p${i}`, 'NOOP');
      assert.match(r.at(-1)!.text, new RegExp(`^p${i} OK`));
      answered.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const peak = rss.stop();
    const baseline = rss.baseline;
    console.log(`stalled reader: server RSS ${baseline.toFixed(0)} MB → peak ${peak.toFixed(0)} MB; NOOP latency max ${answered.reduce((m, x) => Math.max(m, x), 0).toFixed(0)} ms`);
    assert.ok(peak - baseline < 100, `server RSS grew by ${(peak - baseline).toFixed(0)} MB`);
    // The server stopped reading the stalled session: most of the flood still waits on the client side.
    assert.ok(stalled.socket.writableLength > 0, 'the server read the whole flood');
    stalled.close();
    const r = await other.command('q', 'NOOP');
    assert.match(r.at(-1)!.text, /^q OK/);
    assert.ok(heron.alive());
    other.close();
  });
});

// The tests below share one Heron in this process.
describe('in-process Heron', () => {
  let imap: Awaited<ReturnType<typeof startImap>>;
  before(async () => {
    imap = await startImap();
  });
  after(async () => {
    await imap.stop();
  });

  /** A new account whose INBOX holds `raw`. */
  async function accountWith(raw: Buffer) {
    const { user, id } = await imap.account();
    const stored = await appendMessage(imap.heron.store, { mailboxId: (await findMailbox(imap.heron.store, id, 'INBOX'))!.id, raw });
    return { user, stored };
  }

  describe('sections and partials of a multi-part message are byte ranges of it', () => {
    // A large message is read from the store in chunks as the socket takes them; a small one is read whole.
    for (const [label, m] of [
      ['4.5 MB, streamed in chunks', sectionedMessage(1_500_000, 3_000_000)],
      ['60 KB, read whole', sectionedMessage(20_000, 40_000)],
    ] as const) {
      test(`${label}: BODY[]<partial>, BODY[n], BODY[n.MIME], TEXT, HEADER.FIELDS are byte-exact; NUL goes out as 0x80`, { timeout: 5 * 60_000 }, async () => {
        const { user } = await accountWith(m.raw);
        const c = await login(imap.heron.ports.imaps, user, true);
        await c.command('S', 'SELECT INBOX');
        const text = m.raw.subarray(m.header.length);
        const cases: Array<[string, string, Buffer]> = [
          ['BODY.PEEK[]', 'BODY[]', m.raw],
          ['BODY.PEEK[]<1048000.2100000>', 'BODY[]<1048000>', m.raw.subarray(1_048_000, 1_048_000 + 2_100_000)],
          ['BODY.PEEK[]<30000.40000>', 'BODY[]<30000>', m.raw.subarray(30_000, 70_000)],
          ['BODY.PEEK[]<0.1>', 'BODY[]<0>', m.raw.subarray(0, 1)],
          [`BODY.PEEK[]<${m.raw.length - 10}.100>`, `BODY[]<${m.raw.length - 10}>`, m.raw.subarray(m.raw.length - 10)],
          [`BODY.PEEK[]<${m.raw.length + 5}.100>`, `BODY[]<${m.raw.length + 5}>`, Buffer.alloc(0)],
          ['BODY.PEEK[1]', 'BODY[1]', m.text],
          ['BODY.PEEK[2]', 'BODY[2]', m.binary],
          ['BODY.PEEK[2]<65535.131074>', 'BODY[2]<65535>', m.binary.subarray(65_535, 65_535 + 131_074)],
          ['BODY.PEEK[2.MIME]', 'BODY[2.MIME]', m.binaryMime],
          ['BODY.PEEK[3]', 'BODY[3]', m.html],
          ['BODY.PEEK[TEXT]', 'BODY[TEXT]', text],
          ['BODY.PEEK[HEADER]', 'BODY[HEADER]', m.header],
          ['BODY.PEEK[HEADER.FIELDS (SUBJECT DATE)]', 'BODY[HEADER.FIELDS (SUBJECT DATE)]', Buffer.from('Subject: Sections\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\n\r\n')],
          ['BODY.PEEK[HEADER.FIELDS (SUBJECT)]<2.5>', 'BODY[HEADER.FIELDS (SUBJECT)]<2>', Buffer.from('bject')],
          ['BODY.PEEK[4]', 'BODY[4]', Buffer.alloc(0)],
        ];
        for (const [item, name, bytes] of cases) {
          const r = await c.command('F', `FETCH 1 (${item})`);
          assert.match(r.at(-1)!.text, /^F OK/, item);
          assert.equal(r[0].text, `* 1 FETCH (${name} {${bytes.length}})`, item);
          assert.equal(r[0].literals[0].size, bytes.length, item);
          assert.ok(r[0].literals[0].bytes!.equals(onTheWire(bytes)), `${item} byte-exact`);
        }
        // Several literals in one response, in the order asked, RFC822.SIZE the stored size.
        const r = await c.command('G', 'FETCH 1 (RFC822.SIZE BODY.PEEK[3] BODY.PEEK[1] BODY.PEEK[3])');
        assert.equal(r[0].text, `* 1 FETCH (RFC822.SIZE ${m.raw.length} BODY[3] {${m.html.length}} BODY[1] {${m.text.length}})`, 'a repeated item is answered once');
        assert.deepEqual(
          r[0].literals.map((l) => l.sha256),
          [sha256(m.html), sha256(m.text)],
        );
        // The session goes on normally after large responses.
        assert.match((await c.command('N', 'NOOP')).at(-1)!.text, /^N OK/);
        c.close();
      });
    }
  });

  test('FETCH 1:* BODY[] over small messages read together (and a large one among them) gives each its own bytes', { timeout: 120_000 }, async () => {
    // Small messages are read from the store in groups of up to 1 MiB; 60 of about 40 KB make several groups.
    const { user, id } = await imap.account();
    const inbox = (await findMailbox(imap.heron.store, id, 'INBOX'))!.id;
    const raws: Buffer[] = [];
    for (let i = 0; i < 60; i++) {
      const raw = i === 25 ? largeMessage(400_000, 'Large among small') : Buffer.from(message(`Small ${i}`, `${'body of message ' + i + ' '.repeat(i)}\r\n`.repeat(1 + ((i * 997) % 2500))));
      raws.push(raw);
      await appendMessage(imap.heron.store, { mailboxId: inbox, raw });
    }
    const c = await login(imap.heron.ports.imaps, user);
    await c.command('S', 'SELECT INBOX');
    const r = await c.command('F', 'FETCH 1:* (UID BODY.PEEK[])', 60_000);
    assert.match(r.at(-1)!.text, /^F OK/);
    const fetches = r.slice(0, -1);
    assert.equal(fetches.length, raws.length);
    for (const [i, f] of fetches.entries()) {
      assert.match(f.text, new RegExp(`^\\* ${i + 1} FETCH \\(UID ${i + 1} BODY\\[\\] \\{${raws[i].length}\\}\\)$`));
      assert.equal(f.literals[0].sha256, sha256(raws[i]), `message ${i + 1} byte-exact`);
    }
    c.close();
  });

  describe('output while a response streams', () => {
    test('a continuation the client asks for in the middle of a literal is sent after that response, never inside it', { timeout: 120_000 }, async () => {
      const raw = largeMessage(BIG, 'Interleaved');
      const { user } = await accountWith(raw);
      const c = await login(imap.heron.ports.imaps, user);
      await c.command('S', 'SELECT INBOX');
      // Hold the server in the middle of the literal, then ask for a continuation.
      await c.sendThenStopReading('F FETCH 1 BODY.PEEK[]\r\n');
      c.send('A APPEND INBOX {7}\r\n');
      await new Promise((resolve) => setTimeout(resolve, 300)); // time for the server to read it (not asserted)
      c.socket.resume();
      const seen: string[] = [];
      for (;;) {
        const r = await c.nextResponse();
        seen.push(r.text);
        if (r.literals.length) assert.equal(r.literals[0].sha256, sha256(raw), 'the FETCH literal is intact');
        if (r.text.startsWith('+ ')) c.send('Hello\r\n\r\n');
        if (r.text.startsWith('A ')) break;
      }
      assert.deepEqual(
        seen.map((t) => t.slice(0, 12)),
        ['* 1 FETCH (B', '+ Ready', 'F OK FETCH c', '* 2 EXISTS', '* 2 RECENT', 'A OK [APPEND'],
      );
      c.close();
    });
  });

  describe('a failure inside a session ends that session, never the process', () => {
    test('an unexpected error in a command: * BYE, the connection closes, other sessions go on', async () => {
      const { user, id } = await imap.account();
      const delivered = await imap.deliver(id, 'INBOX', 'Subject: broken\r\n\r\nbody\r\n');
      const other = await login(imap.heron.ports.imaps, user);
      const victim = await login(imap.heron.ports.imaps, user);
      await victim.command('S', 'SELECT INBOX');
      // Data the code cannot read: an exception in the middle of FETCH, not a protocol error.
      await imap.heron.store.run(`UPDATE mail SET bodystructure = '{not json' WHERE id = ?`, delivered.id);
      victim.send('F FETCH 1 (BODYSTRUCTURE)\r\n');
      const bye = await victim.nextResponse();
      assert.match(bye.text, /^\* BYE /);
      await victim.waitClosed();
      assert.match((await other.command('N', 'NOOP')).at(-1)!.text, /^N OK/);
      assert.match((await other.command('S', 'SELECT INBOX')).at(-1)!.text, /^S OK/);
      other.close();
    });

    test('a message whose bytes vanish in the middle of its literal: that connection is cut, nothing else', { timeout: 120_000 }, async () => {
      const raw = largeMessage(BIG, 'Vanishing');
      const { user, stored: delivered } = await accountWith(raw);
      const other = await login(imap.heron.ports.imaps, user);
      const victim = await login(imap.heron.ports.imaps, user);
      await victim.command('S', 'SELECT INBOX');
      // Once the literal has begun, stop reading: the server waits with most of the message unsent.
      await victim.sendThenStopReading('F FETCH 1 BODY.PEEK[]\r\n');
      const { store } = imap.heron;
      const { id: rawId } = (await store.get<{ id: number }>('SELECT mail_raw_id AS id FROM mail WHERE id = ?', delivered.id))!;
      // The bytes disappear (emptied: the row itself is held by the mail row's foreign key).
      await store.run('UPDATE mail_raw SET data = ? WHERE id = ?', Buffer.alloc(0), rawId);
      victim.socket.resume();
      await victim.waitClosed();
      assert.ok(victim.received < raw.length, 'the literal was cut');
      assert.equal(victim.responses.length, 0, 'no tagged response after a cut literal');
      assert.match((await other.command('N', 'NOOP')).at(-1)!.text, /^N OK/);
      other.close();
    });
  });
});
