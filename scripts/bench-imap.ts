// IMAP benchmark (prints figures; not a test). Fills a mailbox through the
// store, starts Heron as its own process, and measures:
//   - mixed commands/s with 10 concurrent sessions (login, select, fetch,
//     store, append, expunge, logout), over implicit TLS;
//   - SELECT and `UID FETCH 1:* (FLAGS)` on a 100,000-message mailbox;
//   - the server's resident memory.
// Usage: node --import tsx scripts/bench-imap.ts [--messages 100000] [--seconds 20] [--clients 10]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appendMessage, createMailAccount, findMailbox, findMailServerByHostname } from '../schema/index.ts';
import { scratchDatabase } from '../tests/helpers/database.ts';
import { removeDir, startTestHeron, tempDir, TEST_HOSTNAME, testEnv } from '../tests/helpers/heron.ts';
import { RawClient } from '../tests/imap/raw-client.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const BIG = opt('messages', 100_000);
const SECONDS = opt('seconds', 20);
const CLIENTS = opt('clients', 10);
const ROUNDS = opt('rounds', 5);
const PASSWORD = 'bench password';
const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
// With HERON_DATABASE_URL, the run uses a fresh database on that PostgreSQL server (dropped afterwards).
const database = process.env.HERON_DATABASE_URL ? await scratchDatabase(process.env.HERON_DATABASE_URL) : null;
const databaseEnv: Record<string, string> = database ? { HERON_DATABASE_URL: database.url } : {};

function sample(i: number): string {
  return (
    `From: Sender ${i} <sender${i % 97}@example.org>\r\nTo: bench@heron.test\r\nSubject: Benchmark message ${i}\r\n` +
    `Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${i}@bench.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
    `Hello, this is message number ${i}.\r\n${'Lorem ipsum dolor sit amet. '.repeat(20)}\r\n`
  );
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function fill(): Promise<string> {
  const dataDir = tempDir('heron-bench-');
  const heron = await startTestHeron({ dataDir, env: databaseEnv });
  const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
  const make = async (user: string) => {
    const account = await createMailAccount(heron.store, { username: user, password: PASSWORD, mailServerId: server!.id });
    return (await findMailbox(heron.store, account.id, 'INBOX'))!.id;
  };
  const big = await make('big@heron.test');
  const mixed = await make('mixed@heron.test');
  const started = Date.now();
  const BATCH = 500;
  for (let i = 0; i < BIG; i += BATCH) {
    // Appends requested in one tick share one commit (the store's group commit).
    await Promise.all(
      Array.from({ length: Math.min(BATCH, BIG - i) }, (_, j) =>
        appendMessage(heron.store, { mailboxId: big, raw: Buffer.from(sample(i + j)), flags: (i + j) % 3 === 0 ? ['\\Seen'] : [] }),
      ),
    );
  }
  const fillSeconds = (Date.now() - started) / 1000;
  await Promise.all(Array.from({ length: 1000 }, (_, j) => appendMessage(heron.store, { mailboxId: mixed, raw: Buffer.from(sample(j)) })));
  await heron.stop();
  console.log(`filled ${BIG} messages in ${fillSeconds.toFixed(1)} s (${Math.round(BIG / fillSeconds)} messages/s)`);
  return dataDir;
}

async function startServer(dataDir: string): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const env = { ...process.env, ...testEnv(dataDir, { ...databaseEnv, HERON_IMAPS_PORT: String(port), HERON_IMAP_PORT: String(await freePort()), HERON_API_PORT: String(await freePort()) }) };
  const profile = args.includes('--profile') ? ['--cpu-prof', '--cpu-prof-dir', '/tmp/heron-prof'] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', path.join(ROOT, 'server/main.ts')], { env, stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  child.stdout.resume();
  return {
    port,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const out = await fn();
  return [out, Number(process.hrtime.bigint() - t) / 1e6];
}

async function mixedWorker(port: number, deadline: number, counter: { n: number }, id: number): Promise<void> {
  const msg = sample(100000 + id);
  let tag = 0;
  const cmd = async (c: RawClient, text: string) => {
    const t = `w${id}x${tag++}`;
    const r = await c.command(t, text);
    if (!new RegExp(`${t} OK`).test(r)) throw new Error(`${text}: ${r.slice(-200)}`);
    counter.n++;
    // The session's message count follows EXISTS and EXPUNGE, whoever caused them.
    for (const m of r.matchAll(/^\* (\d+) (EXISTS|EXPUNGE)\r$/gm)) exists = m[2] === 'EXISTS' ? Number(m[1]) : exists - 1;
    return r;
  };
  let exists = 0;
  while (Date.now() < deadline) {
    const c = await RawClient.connect(port, { tls: true });
    await cmd(c, `LOGIN mixed@heron.test "${PASSWORD}"`);
    await cmd(c, 'SELECT INBOX');
    for (let round = 0; round < ROUNDS && Date.now() < deadline; round++) {
      const seq = 1 + Math.floor(Math.random() * Math.max(1, exists - 10));
      await cmd(c, `FETCH ${seq}:${seq + 9} (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM DATE)])`);
      await cmd(c, `STORE ${seq} +FLAGS (\\Seen)`);
      const appended = await cmd(c, `APPEND INBOX {${msg.length}+}\r\n${msg}`);
      const uid = /APPENDUID \d+ (\d+)/.exec(appended)![1];
      await cmd(c, `UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`);
      await cmd(c, `UID EXPUNGE ${uid}`);
      await cmd(c, 'NOOP');
    }
    await cmd(c, 'LOGOUT');
    c.close();
  }
}

async function main(): Promise<void> {
  console.log(`Heron IMAP benchmark (${database ? 'PostgreSQL' : 'SQLite'}) — ${new Date().toISOString()} — node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);
  const dataDir = await fill();
  const server = await startServer(dataDir);
  try {
    console.log(`server RSS after start: ${rssMb(server.pid).toFixed(0)} MB`);
    // Large mailbox.
    const c = await RawClient.connect(server.port, { tls: true });
    await c.command('a', `LOGIN big@heron.test "${PASSWORD}"`);
    const [sel, selectMs] = await timed(() => c.command('b', 'SELECT INBOX'));
    console.log(`SELECT INBOX (${/\* (\d+) EXISTS/.exec(sel)![1]} messages): ${selectMs.toFixed(0)} ms`);
    const [, reselectMs] = await timed(() => c.command('b2', 'SELECT INBOX'));
    console.log(`SELECT again: ${reselectMs.toFixed(0)} ms`);
    const [fetched, fetchMs] = await timed(() => c.command('c', 'UID FETCH 1:* (FLAGS)'));
    console.log(`UID FETCH 1:* (FLAGS): ${fetchMs.toFixed(0)} ms, ${(fetched.length / 1e6).toFixed(1)} MB of responses`);
    const [, searchMs] = await timed(() => c.command('d', 'UID SEARCH UNSEEN'));
    console.log(`UID SEARCH UNSEEN: ${searchMs.toFixed(0)} ms`);
    const [, textMs] = await timed(() => c.command('e', 'UID SEARCH BODY "message number 4242."'));
    console.log(`UID SEARCH BODY (full-text index): ${textMs.toFixed(0)} ms`);
    console.log(`server RSS after large mailbox: ${rssMb(server.pid).toFixed(0)} MB`);
    await c.command('z', 'LOGOUT');
    c.close();

    // Mixed load.
    const counter = { n: 0 };
    const deadline = Date.now() + SECONDS * 1000;
    const started = Date.now();
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.pid))), 500);
    await Promise.all(Array.from({ length: CLIENTS }, (_, i) => mixedWorker(server.port, deadline, counter, i)));
    clearInterval(sampler);
    const secs = (Date.now() - started) / 1000;
    console.log(`mixed load: ${CLIENTS} sessions over TLS, ${ROUNDS} rounds of 6 commands per login, ${counter.n} commands in ${secs.toFixed(1)} s = ${Math.round(counter.n / secs)} commands/s`);
    console.log(`server RSS peak during mixed load: ${peak.toFixed(0)} MB`);
  } finally {
    await server.stop();
    removeDir(dataDir);
  }
}

// The scratch database goes whatever happens (a failed fill included).
await main().finally(() => database?.drop());
