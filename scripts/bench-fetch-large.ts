// Large-FETCH benchmark (prints figures; not a test). Stores one large message
// and copies of it (copies share the raw bytes, as IMAP COPY does), starts
// Heron as its own process, and runs `FETCH 1:* BODY[]` over implicit TLS
// while another session sends NOOPs one after another. Prints the FETCH
// throughput, the server's RSS growth, and the other session's NOOP latency.
// Every literal is checked against the stored message (SHA-256), never held.
// Usage: npm run bench:fetch-large -- [--messages 24] [--size 24000000]
//   [--dovecot <port> --user u --password p]   the same FETCH against a Dovecot
//   on 127.0.0.1 (implicit TLS) for comparison; that user's INBOX is emptied and filled first.
import os from 'node:os';
import { appendMessage, copyMessages, createMailAccount, findMailbox, findMailServerByHostname } from '../schema/index.ts';
import { type HeronProcess, sampleRss, startHeronProcess } from '../tests/helpers/heron-process.ts';
import { removeDir, startTestHeron, tempDir, TEST_HOSTNAME } from '../tests/helpers/heron.ts';
import { largeMessage, onTheWire } from '../tests/imap/messages.ts';
import { median, noopsUntil, sha256, StreamingClient } from '../tests/imap/streaming-client.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const MESSAGES = Number(opt('messages') ?? 24);
const SIZE = Number(opt('size') ?? 24_000_000);
const PASSWORD = 'bench password';
const MB = 1024 * 1024;

async function login(port: number, user: string, password: string): Promise<StreamingClient> {
  const c = await StreamingClient.connect(port);
  const r = (await c.command('L', `LOGIN ${user} "${password}"`)).at(-1)!;
  if (!r.text.startsWith('L OK')) throw new Error(`login failed: ${r.text}`);
  return c;
}

interface Run {
  seconds: number;
  noops: Array<{ ms: number; at: number }>;
  rss?: { baseline: number; peak: number };
}

/** FETCH 1:* BODY[] on `reader` while `other` sends NOOPs; checks every literal. */
async function fetchAll(reader: StreamingClient, other: StreamingClient, expected: string, server?: HeronProcess): Promise<Run> {
  await reader.command('S', 'SELECT INBOX');
  await reader.command('W', 'FETCH 1 (UID RFC822.SIZE)');
  const rss = server ? sampleRss(server) : undefined;
  let done = Infinity;
  const started = performance.now();
  reader.send('F FETCH 1:* BODY.PEEK[]\r\n');
  const noops = noopsUntil(other, () => done !== Infinity);
  const responses = await reader.untilTagged('F', 120_000);
  done = responses.at(-1)!.at;
  const peak = rss?.stop() ?? 0;
  const fetched = responses.filter((r) => r.literals.length === 1);
  if (!responses.at(-1)!.text.startsWith('F OK') || fetched.length !== MESSAGES) throw new Error(`FETCH: ${responses.at(-1)!.text}, ${fetched.length} messages`);
  for (const r of fetched) if (r.literals[0].sha256 !== expected) throw new Error(`${r.text}: bytes differ`);
  return { seconds: (done - started) / 1000, noops: (await noops).filter((n) => n.at < done), rss: rss ? { baseline: rss.baseline, peak } : undefined };
}

function report(name: string, run: Run): void {
  const ms = run.noops.map((n) => n.ms);
  const total = (MESSAGES * SIZE) / MB;
  console.log(`${name}: FETCH 1:* BODY[] of ${total.toFixed(0)} MB in ${run.seconds.toFixed(1)} s = ${(total / run.seconds).toFixed(0)} MB/s`);
  if (run.rss) console.log(`  server RSS ${run.rss.baseline.toFixed(0)} MB before, peak ${run.rss.peak.toFixed(0)} MB: +${(run.rss.peak - run.rss.baseline).toFixed(0)} MB`);
  console.log(`  other session: ${ms.length} NOOPs during the FETCH, latency median ${median(ms).toFixed(1)} ms, max ${ms.reduce((m, x) => Math.max(m, x), 0).toFixed(1)} ms`);
}

async function heron(raw: Buffer, expected: string): Promise<void> {
  const dataDir = tempDir('heron-bench-');
  try {
    const setup = await startTestHeron({ dataDir });
    const server = await findMailServerByHostname(setup.store, TEST_HOSTNAME);
    const account = await createMailAccount(setup.store, { username: `big@${TEST_HOSTNAME}`, password: PASSWORD, mailServerId: server!.id });
    await createMailAccount(setup.store, { username: `other@${TEST_HOSTNAME}`, password: PASSWORD, mailServerId: server!.id });
    const inbox = (await findMailbox(setup.store, account.id, 'INBOX'))!.id;
    const { uid } = await appendMessage(setup.store, { mailboxId: inbox, raw });
    for (let i = 1; i < MESSAGES; i++) await copyMessages(setup.store, { sourceMailboxId: inbox, uids: [uid], targetMailboxId: inbox });
    await setup.stop();
    const child = await startHeronProcess(dataDir);
    try {
      const reader = await login(child.ports.imaps, `big@${TEST_HOSTNAME}`, PASSWORD);
      const other = await login(child.ports.imaps, `other@${TEST_HOSTNAME}`, PASSWORD);
      report('Heron', await fetchAll(reader, other, expected, child));
      reader.close();
      other.close();
    } finally {
      await child.stop();
    }
  } finally {
    removeDir(dataDir);
  }
}

/** The same FETCH against a running Dovecot: APPEND one message, COPY it, FETCH, then remove them. */
async function dovecot(port: number, user: string, password: string, raw: Buffer, expected: string): Promise<void> {
  const setup = await login(port, user, password);
  await setup.command('S', 'SELECT INBOX');
  await setup.command('D', 'STORE 1:* +FLAGS.SILENT (\\Deleted)').catch(() => undefined);
  await setup.command('E', 'EXPUNGE');
  setup.send(`A APPEND INBOX {${raw.length}+}\r\n`);
  setup.socket.write(raw);
  setup.send('\r\n');
  await setup.untilTagged('A', 120_000);
  for (let i = 1; i < MESSAGES; i++) await setup.command(`C${i}`, 'COPY 1 INBOX');
  const reader = await login(port, user, password);
  const other = await login(port, user, password);
  report('Dovecot', await fetchAll(reader, other, expected));
  await setup.command('D2', 'STORE 1:* +FLAGS.SILENT (\\Deleted)');
  await setup.command('E2', 'EXPUNGE');
  for (const c of [setup, reader, other]) c.close();
}

async function main(): Promise<void> {
  console.log(`Heron large-FETCH benchmark — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  console.log(`${MESSAGES} messages of ${SIZE} bytes (${((MESSAGES * SIZE) / MB).toFixed(0)} MB), implicit TLS on loopback`);
  const raw = largeMessage(SIZE);
  const expected = sha256(onTheWire(raw));
  await heron(raw, expected);
  const port = opt('dovecot');
  if (port) await dovecot(Number(port), opt('user') ?? 'bench', opt('password') ?? 'bench', raw, expected);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
