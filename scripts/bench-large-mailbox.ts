// Large-mailbox and idle-session benchmark (issue 11 §3; prints figures, not a test).
// Fills a data directory once (kept in $HERON_BENCH_DIR, default /tmp/heron-bench-large,
// under data-<engine>), copies it for every run, starts Heron as its own process and
// measures, over implicit TLS with a raw client:
//   large: SELECT, SELECT again, UID FETCH 1:* (FLAGS), UID SEARCH UNSEEN / FLAGGED /
//          SUBJECT / BODY, pipelined APPEND (LITERAL+), RSS with the mailbox selected;
//   idle:  N sessions logged in, INBOX selected, in IDLE: RSS per session, and how
//          long a new message takes to reach all of them as EXISTS;
//   mem:   RSS per session at a stage (--stage connect|login|select|idle, --plain), after a
//          full GC, split into JS heap and native; --floor measures a bare Node TLS server
//          (scripts/bench/tls-floor-server.ts) instead: the floor under the TLS figures.
// Usage:
//   node --import tsx scripts/bench-large-mailbox.ts fill [--messages 100000] [--pg URL]
//   node --import tsx scripts/bench-large-mailbox.ts upgrade [--pg URL]
//     brings the filled data up to this checkout's schema once (migrations, the SORT keys'
//     background backfill), so that runs do not measure that work going on beside them;
//   node --import tsx scripts/bench-large-mailbox.ts large [--rounds 3] [--appends 1000] [--profile NAME]
//   node --import tsx scripts/bench-large-mailbox.ts idle [--sessions 10000] [--rounds 3]
//   node --import tsx scripts/bench-large-mailbox.ts large --only fetch|unseen|flagged|subject|body|append [--repeat 20] [--profile NAME]
//     runs one operation --repeat times (after a SELECT), so a profile holds that operation alone.
// --server DIR measures the Heron checked out there instead (a before/after on one machine).
// --pg URL (a role that may create databases) runs on PostgreSQL; --profile writes a
// .cpuprofile of the server under the bench dir (summarise with scripts/cpuprofile-summary.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { appendMessage, createMailAccount, findMailbox, findMailServerByHostname, sortKeysPending } from '../schema/index.ts';
import { startTestHeron, testEnv, TEST_HOSTNAME } from '../tests/helpers/heron.ts';
import { RawClient } from '../tests/imap/raw-client.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    messages: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    appends: { type: 'string', default: '1000' },
    sessions: { type: 'string', default: '10000' },
    profile: { type: 'string' },
    pg: { type: 'string' },
    stage: { type: 'string', default: 'idle' },
    plain: { type: 'boolean', default: false },
    snapshot: { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false },
    server: { type: 'string' },
    only: { type: 'string' },
    repeat: { type: 'string', default: '20' },
  },
});
const mode = positionals[0];
const PASSWORD = 'bench password';
// --server DIR runs the Heron checked out in DIR (e.g. main) on the same data, for a before/after in one run.
const ROOT = values.server ? path.resolve(values.server) : path.join(import.meta.dirname, '..');
const PGURL = values.pg; // server url, e.g. postgres://heron:heron@127.0.0.1:55493/heron
const engine = PGURL ? 'pg' : 'sqlite';
const BENCH_DIR = process.env.HERON_BENCH_DIR ?? '/tmp/heron-bench-large';
const MASTER = `${BENCH_DIR}/data-${engine}`;
const PG_MASTER = 'perf_master';

export function sample(i: number): string {
  return (
    `From: Sender ${i} <sender${i % 97}@example.org>\r\nTo: bench@heron.test\r\nSubject: Benchmark message ${i}\r\n` +
    `Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${i}@bench.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
    `Hello, this is message number ${i}.\r\n${'Lorem ipsum dolor sit amet. '.repeat(20)}\r\n`
  );
}
function sampleFlags(i: number): string[] {
  const flags: string[] = [];
  if (i % 3 === 0) flags.push('\\Seen');
  if (i % 50 === 7) flags.push('\\Flagged');
  return flags;
}

function dbUrl(name: string): string {
  const u = new URL(PGURL!);
  u.pathname = `/${name}`;
  return u.toString();
}
async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PGURL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function fill(): Promise<void> {
  const n = Number(values.messages);
  fs.rmSync(MASTER, { recursive: true, force: true });
  fs.mkdirSync(MASTER, { recursive: true });
  const env: Record<string, string> = {};
  if (PGURL) {
    await admin(`DROP DATABASE IF EXISTS ${PG_MASTER}`);
    await admin(`CREATE DATABASE ${PG_MASTER}`);
    env.HERON_DATABASE_URL = dbUrl(PG_MASTER);
  }
  const heron = await startTestHeron({ dataDir: MASTER, env });
  const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
  const t0 = Date.now();
  for (const [user, count] of [[`big@${TEST_HOSTNAME}`, n], [`idle@${TEST_HOSTNAME}`, 10]] as const) {
    const account = await createMailAccount(heron.store, { username: user, password: PASSWORD, mailServerId: server!.id });
    const inbox = (await findMailbox(heron.store, account.id, 'INBOX'))!.id;
    for (let i = 0; i < count; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, count - i) }, (_, j) =>
          appendMessage(heron.store, { mailboxId: inbox, raw: Buffer.from(sample(i + j), 'latin1'), flags: user.startsWith('big') ? sampleFlags(i + j) : [] }),
        ),
      );
      if (i % 10000 === 0) console.log(`  ${i}`);
    }
  }
  await heron.stop();
  console.log(`filled in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** Migrates the filled data and waits for the background backfill of SORT keys to finish, so no run repeats them. */
async function upgrade(): Promise<void> {
  const env: Record<string, string> = PGURL ? { HERON_DATABASE_URL: dbUrl(PG_MASTER) } : {};
  const t0 = Date.now();
  const heron = await startTestHeron({ dataDir: MASTER, env });
  try {
    while (await sortKeysPending(heron.store)) await new Promise((r) => setTimeout(r, 500));
  } finally {
    await heron.stop();
  }
  console.log(`upgraded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

interface Server {
  child: ChildProcess;
  /** What the server printed so far (the last 100 kB of a long run). */
  output(): string;
  pid: number;
  imaps: number;
  imap: number;
  stop(): Promise<void>;
}

async function copyData(): Promise<{ dir: string; env: Record<string, string>; drop: () => Promise<void> }> {
  const dir = `${BENCH_DIR}/run-${process.pid}`;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(MASTER, dir, { recursive: true });
  if (!PGURL) return { dir, env: {}, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  const name = `perf_run_${process.pid}`;
  await admin(`DROP DATABASE IF EXISTS ${name}`);
  await admin(`CREATE DATABASE ${name} TEMPLATE ${PG_MASTER}`);
  return {
    dir,
    env: { HERON_DATABASE_URL: dbUrl(name) },
    drop: async () => {
      fs.rmSync(dir, { recursive: true, force: true });
      await admin(`DROP DATABASE IF EXISTS ${name}`);
    },
  };
}

async function startServer(dataDir: string, env: Record<string, string>, openFiles?: number): Promise<Server> {
  const main = path.join(ROOT, 'server/main.ts');
  const fullEnv = { ...process.env, ...testEnv(dataDir, { HERON_LOG_LEVEL: 'info', ...env }) };
  const prof = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${BENCH_DIR}/prof-${values.profile}`] : [];
  if (values.snapshot) prof.push('--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${BENCH_DIR}/snap`);
  // mem: SIGWINCH makes the server collect garbage and print its memory (scripts/bench/gc-on-signal.ts).
  const gc = mode === 'mem' ? ['--expose-gc', '--import', path.join(import.meta.dirname, 'bench/gc-on-signal.ts')] : [];
  const args = [...prof, '--import', 'tsx', ...gc, main];
  const child = openFiles
    ? spawn('bash', ['-c', `ulimit -n ${openFiles} && exec "$0" "$@"`, process.execPath, ...args], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT })
    : spawn(process.execPath, args, { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()).length > 1e6 && (out = out.slice(-1e5)));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 600_000;
  while (!/"msg":"heron started"/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`heron did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const ports = JSON.parse(/"ports":(\{[^}]*\})/.exec(out)![1]) as { imaps: number };
  return {
    child,
    output: () => out,
    pid: child.pid!,
    imaps: ports.imaps,
    imap: (ports as unknown as { imap: number }).imap,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU time (user + system) the process has used, in ms: on a shared machine a steadier measure than wall time. */
const cpuMs = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
};
/** Linux's USER_HZ for /proc times. */
const CLOCK_TICKS = 100;
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
let tagN = 0;
/**
 * A tagged wait that scans only the new chunk: RawClient.waitTagged appends to one
 * string and searches it per chunk, which on a 3.8 MB response costs the client
 * seconds and would be counted as the server's time.
 */
function waitTaggedFast(c: RawClient, tag: string): Promise<string> {
  const sock = (c as unknown as { socket: import('node:net').Socket }).socket;
  const re = new RegExp(`(^|\r\n)${tag} (OK|NO|BAD)[^\r\n]*\r\n`);
  return new Promise((resolve, reject) => {
    const chunks: string[] = [(c as unknown as { buffer: string }).buffer];
    (c as unknown as { buffer: string }).buffer = '';
    let tail = '';
    const check = (piece: string) => {
      const hay = tail + piece;
      const m = re.exec(hay);
      if (m) {
        sock.off('data', onData);
        clearTimeout(timer);
        const all = chunks.join('');
        const end = all.length - (hay.length - (m.index + m[0].length));
        (c as unknown as { buffer: string }).buffer = all.slice(end);
        resolve(all.slice(0, end));
        return true;
      }
      const cut = hay.lastIndexOf('\r\n');
      tail = cut >= 0 ? hay.slice(cut) : hay.slice(-200);
      return false;
    };
    const onData = (d: Buffer) => {
      const piece = d.toString('latin1');
      chunks.push(piece);
      check(piece);
    };
    const timer = setTimeout(() => reject(new Error(`timeout ${tag}`)), 600_000);
    if (check(chunks[0])) return;
    sock.on('data', onData);
  });
}

async function ok(c: RawClient, cmd: string): Promise<string> {
  const tag = `t${tagN++}`;
  c.write(`${tag} ${cmd}\r\n`);
  const r = await waitTaggedFast(c, tag);
  if (!r.includes(`${tag} OK`)) throw new Error(`${cmd}: ${r.slice(-300)}`);
  return r;
}
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const out = await fn();
  return [out, Number(process.hrtime.bigint() - t) / 1e6];
}
const hits = (r: string) => (/^\* SEARCH([\d ]*)\r$/m.exec(r)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).length;

async function login(port: number, user: string, localAddress?: string): Promise<RawClient> {
  const c = await RawClient.connect(port, { tls: true, localAddress });
  await ok(c, `LOGIN ${user} "${PASSWORD}"`);
  return c;
}

/** The operations `--only` can repeat alone (for a profile of one of them). */
const OPERATIONS: Record<string, string> = {
  fetch: 'UID FETCH 1:* (FLAGS)',
  unseen: 'UID SEARCH UNSEEN',
  flagged: 'UID SEARCH FLAGGED',
  subject: 'UID SEARCH SUBJECT "4242"',
  body: 'UID SEARCH BODY "number 4242."',
};

async function pipelinedAppends(c: RawClient, n: number, first: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  const tags: string[] = [];
  for (let i = 0; i < n; i++) {
    const msg = sample(first + i);
    const tag = `ap${tagN++}`;
    tags.push(tag);
    c.write(`${tag} APPEND INBOX {${msg.length}+}\r\n${msg}\r\n`);
  }
  for (const tag of tags) {
    const r = await waitTaggedFast(c, tag);
    if (!r.includes(`${tag} OK`)) throw new Error(`append: ${r.slice(-200)}`);
  }
  return n / (Number(process.hrtime.bigint() - t0) / 1e9);
}

/** `--only OP`: one operation, --repeat times, each timed. */
async function only(op: string): Promise<void> {
  const data = await copyData();
  const server = await startServer(data.dir, data.env);
  const times: number[] = [];
  let cpu = 0;
  try {
    const c = await login(server.imaps, `big@${TEST_HOSTNAME}`);
    await ok(c, 'SELECT INBOX');
    // Warm: the first runs (JIT, the view's first load) are not counted in the CPU time.
    for (let i = 0; i < 3 && op !== 'append'; i++) await ok(c, OPERATIONS[op] ?? 'NOOP');
    const cpu0 = cpuMs(server.pid);
    for (let i = 0; i < Number(values.repeat); i++) {
      if (op === 'append') times.push(await pipelinedAppends(c, Number(values.appends), 200000 + i * Number(values.appends)));
      else if (OPERATIONS[op]) times.push((await timed(() => ok(c, OPERATIONS[op])))[1]);
      else throw new Error(`--only: one of ${[...Object.keys(OPERATIONS), 'append'].join(', ')}`);
    }
    cpu = cpuMs(server.pid) - cpu0;
    await ok(c, 'LOGOUT');
    c.close();
  } finally {
    await server.stop();
    await data.drop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const perRun = op === 'append' ? `${((cpu * 1000) / (times.length * Number(values.appends))).toFixed(0)} µs per message` : `${(cpu / times.length).toFixed(1)} ms per run`;
  console.log(`${op} ${op === 'append' ? 'messages/s' : 'ms'}: ${times.map((x) => x.toFixed(0)).join(' / ')} (median ${sorted[sorted.length >> 1].toFixed(0)}); server CPU ${perRun}`);
}

async function large(): Promise<void> {
  if (values.only) return only(values.only);
  const data = await copyData();
  const server = await startServer(data.dir, data.env);
  const results: Record<string, number[]> = {};
  const note = (k: string, v: number) => (results[k] ??= []).push(v);
  try {
    note('rss start', rssMiB(server.pid));
    const user = `big@${TEST_HOSTNAME}`;
    for (let round = 0; round < Number(values.rounds); round++) {
      const c = await login(server.imaps, user);
      const [sel, s1] = await timed(() => ok(c, 'SELECT INBOX'));
      note('SELECT first', s1);
      const [, s2] = await timed(() => ok(c, 'SELECT INBOX'));
      note('SELECT again', s2);
      const [f, fm] = await timed(() => ok(c, 'UID FETCH 1:* (FLAGS)'));
      note('UID FETCH 1:* (FLAGS)', fm);
      const [u, um] = await timed(() => ok(c, 'UID SEARCH UNSEEN'));
      note('UID SEARCH UNSEEN', um);
      const [fl, flm] = await timed(() => ok(c, 'UID SEARCH FLAGGED'));
      note('UID SEARCH FLAGGED', flm);
      const [su, sum] = await timed(() => ok(c, 'UID SEARCH SUBJECT "4242"'));
      note('UID SEARCH SUBJECT', sum);
      const [b, bm] = await timed(() => ok(c, 'UID SEARCH BODY "number 4242."'));
      note('UID SEARCH BODY', bm);
      note('rss selected', rssMiB(server.pid));
      if (round === 0) {
        console.log(
          `  ${/\* (\d+) EXISTS/.exec(sel)?.[1]} messages; fetch ${(f.length / 1e6).toFixed(1)} MB; hits unseen ${hits(u)} flagged ${hits(fl)} subject ${hits(su)} body ${hits(b)}`,
        );
      }
      // Pipelined APPEND on a second connection.
      const appender = await login(server.imaps, user);
      const n = Number(values.appends);
      note('APPEND pipelined /s', await pipelinedAppends(appender, n, 200000 + round * n));
      await ok(appender, 'LOGOUT');
      appender.close();
      await ok(c, 'LOGOUT');
      c.close();
    }
  } finally {
    await server.stop();
    await data.drop();
  }
  for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(24)} ${v.map((x) => x.toFixed(0)).join(' / ')}`);
}

/** A copy of the data and a Heron whose connection caps (and open-file limit) admit --sessions clients from 100 loopback addresses. */
async function startForSessions(env: Record<string, string>) {
  const sessions = Number(values.sessions);
  const addresses = 100;
  const data = await copyData();
  const server = await startServer(
    data.dir,
    {
      ...data.env,
      ...env,
      HERON_IMAP_MAX_CONNECTIONS_PER_USER: String(sessions + 100),
      HERON_IMAP_MAX_PER_CLIENT: String(Math.ceil(sessions / addresses) + 10),
      HERON_IMAP_MAX_CONNECTIONS: String(sessions + 100),
    },
    Math.min(2 * sessions + 4000, 20000),
  );
  return { sessions, addresses, data, server };
}

async function idle(): Promise<void> {
  const { sessions, addresses, data, server } = await startForSessions({});
  try {
    const user = `idle@${TEST_HOSTNAME}`;
    const warm = await login(server.imaps, user);
    await ok(warm, 'SELECT INBOX');
    await ok(warm, 'LOGOUT');
    warm.close();
    await new Promise((r) => setTimeout(r, 1000));
    const before = rssMiB(server.pid);
    const clients: RawClient[] = new Array(sessions);
    let next = 0;
    const t0 = Date.now();
    const opener = async () => {
      for (let i = next++; i < sessions; i = next++) {
        const c = await login(server.imaps, user, `127.0.0.${2 + (i % addresses)}`);
        await ok(c, 'SELECT INBOX');
        c.write('i IDLE\r\n');
        await c.readUntil((b) => b.includes('+ '));
        c.take();
        clients[i] = c;
        if ((i + 1) % 2000 === 0) console.log(`  ${i + 1} idle (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }
    };
    await Promise.all(Array.from({ length: 100 }, opener));
    await new Promise((r) => setTimeout(r, 3000));
    const idleRss = rssMiB(server.pid);
    console.log(`RSS before ${before.toFixed(0)} MiB, idle ${idleRss.toFixed(0)} MiB: ${(((idleRss - before) * 1024) / sessions).toFixed(1)} KiB/session`);
    for (let round = 0; round < Number(values.rounds); round++) {
      const appender = await login(server.imaps, user);
      const msg = sample(300000 + round);
      const arrivals: number[] = [];
      const t = process.hrtime.bigint();
      const reached = Promise.all(
        clients.map((c) =>
          c.readUntil((b) => /^\* \d+ EXISTS\r$/m.test(b), { ms: 120_000 }).then(() => {
            arrivals.push(Number(process.hrtime.bigint() - t) / 1e6);
            c.take();
          }),
        ),
      );
      await ok(appender, `APPEND INBOX {${msg.length}+}\r\n${msg}`);
      await reached;
      await ok(appender, 'LOGOUT');
      appender.close();
      arrivals.sort((a, b) => a - b);
      console.log(`push: half ${arrivals[arrivals.length >> 1].toFixed(0)} ms, all ${arrivals[arrivals.length - 1].toFixed(0)} ms; RSS ${rssMiB(server.pid).toFixed(0)} MiB`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const c of clients) c.close();
  } finally {
    await server.stop();
    await data.drop();
  }
}

interface LiveMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
}
/** The server's memory after a full garbage collection (mem mode preloads scripts/bench/gc-on-signal.ts). */
async function liveMemory(server: Server): Promise<LiveMemory> {
  const seen = (server.output().match(/"benchMemory"/g) ?? []).length;
  server.child.kill('SIGWINCH');
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 200));
    const all = [...server.output().matchAll(/\{"benchMemory":(\{[^}]*\})\}/g)];
    if (all.length > seen) return JSON.parse(all[all.length - 1][1]) as LiveMemory;
  }
  throw new Error('the server did not report its memory');
}

/** `mem --floor`: the same measure against a bare TLS server (no IMAP, no store). */
async function floor(): Promise<void> {
  const sessions = Number(values.sessions);
  const script = path.join(import.meta.dirname, 'bench/tls-floor-server.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', '--import', path.join(import.meta.dirname, 'bench/gc-on-signal.ts'), script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: path.join(import.meta.dirname, '..'),
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const server: Server = {
    child,
    output: () => out,
    pid: child.pid!,
    imaps: 0,
    imap: 0,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  for (const deadline = Date.now() + 60_000; !/"port":\d+/.test(out); ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the floor server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const port = Number(/"port":(\d+)/.exec(out)![1]);
  const clients: RawClient[] = [];
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const before = await liveMemory(server);
    let next = 0;
    const opener = async () => {
      for (let i = next++; i < sessions; i = next++) {
        const c = await RawClient.connect(port, { tls: true, localAddress: `127.0.0.${2 + (i % 100)}` });
        // As many exchanges as a session that logs in, selects and idles.
        for (const command of ['LOGIN', 'SELECT', 'IDLE']) await ok(c, command);
        clients.push(c);
      }
    };
    await Promise.all(Array.from({ length: 100 }, opener));
    await new Promise((r) => setTimeout(r, 3000));
    const after = await liveMemory(server);
    const per = (key: keyof LiveMemory) => ((after[key] - before[key]) / 1024 / sessions).toFixed(1);
    console.log(`bare Node TLS server, idle connections, after a full GC: ${per('rss')} KiB/connection (JS heap used ${per('heapUsed')}, heap committed ${per('heapTotal')})`);
  } finally {
    for (const c of clients) c.close();
    await server.stop();
  }
}

async function mem(): Promise<void> {
  if (values.floor) return floor();
  const { sessions, addresses, data, server } = await startForSessions({ HERON_ALLOW_PLAINTEXT_AUTH: 'true' });
  const stage = values.stage!;
  const port = values.plain ? server.imap : server.imaps;
  try {
    const user = `idle@${TEST_HOSTNAME}`;
    const warm = await RawClient.connect(port, { tls: !values.plain });
    await ok(warm, `LOGIN ${user} "${PASSWORD}"`);
    await ok(warm, 'SELECT INBOX');
    await ok(warm, 'LOGOUT');
    warm.close();
    await new Promise((r) => setTimeout(r, 1000));
    const before = await liveMemory(server);
    const clients: RawClient[] = [];
    let next = 0;
    const opener = async () => {
      for (let i = next++; i < sessions; i = next++) {
        const c = await RawClient.connect(port, { tls: !values.plain, localAddress: `127.0.0.${2 + (i % addresses)}` });
        if (stage !== 'connect') await ok(c, `LOGIN ${user} "${PASSWORD}"`);
        if (stage === 'select' || stage === 'idle') await ok(c, 'SELECT INBOX');
        if (stage === 'idle') {
          c.write('i IDLE\r\n');
          await c.readUntil((b) => b.includes('+ '));
          c.take();
        }
        clients.push(c);
      }
    };
    await Promise.all(Array.from({ length: 100 }, opener));
    await new Promise((r) => setTimeout(r, 3000));
    const after = await liveMemory(server);
    const per = (key: keyof LiveMemory) => ((after[key] - before[key]) / 1024 / sessions).toFixed(1);
    console.log(
      `${values.plain ? 'plain' : 'tls'} ${stage}, after a full GC: RSS ${(before.rss / 2 ** 20).toFixed(0)} -> ${(after.rss / 2 ** 20).toFixed(0)} MiB: ` +
        `${per('rss')} KiB/session (JS heap used ${per('heapUsed')}, heap committed ${per('heapTotal')}, the rest is native: sockets, OpenSSL, buffers)`,
    );
    if (values.snapshot) {
      fs.mkdirSync(`${BENCH_DIR}/snap`, { recursive: true });
      const had = new Set(fs.readdirSync(`${BENCH_DIR}/snap`));
      server.child.kill('SIGUSR2');
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        const fresh = fs.readdirSync(`${BENCH_DIR}/snap`).filter((f) => !had.has(f));
        if (fresh.length && fs.statSync(`${BENCH_DIR}/snap/${fresh[0]}`).size > 0) {
          await new Promise((r) => setTimeout(r, 5000));
          console.log('snapshot', fresh[0], 'RSS after', rssMiB(server.pid).toFixed(0));
          break;
        }
      }
    }
    for (const c of clients) c.close();
  } finally {
    await server.stop();
    await data.drop();
  }
}

if (mode === 'mem') await mem();
else if (mode === 'upgrade') await upgrade();
else if (mode === 'fill') await fill();
else if (mode === 'large') await large();
else if (mode === 'idle') await idle();
else console.log('mode: fill | upgrade | large | idle | mem');
