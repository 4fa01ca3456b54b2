// IMAP benchmark (prints figures; not a test). Fills mailboxes through the
// store, starts Heron as its own process, and measures over implicit TLS:
//   - the large-mailbox operations on a --messages mailbox: SELECT, UID FETCH
//     1:* (FLAGS), UID SEARCH UNSEEN/FLAGGED/SUBJECT/BODY, pipelined APPEND,
//     the server's memory with it selected;
//   - the mixed load: --clients sessions logging in, selecting, fetching,
//     storing, appending, expunging and logging out for --seconds;
//   - --idle sessions (default 10,000) logged in with INBOX selected and in
//     IDLE, on a fresh server process: memory per idle session, and the time
//     until one new message's EXISTS reached every session.
//
//   npm run bench:imap -- [--messages 100000] [--seconds 20] [--clients 10]
//     [--rounds 5] [--appends 1000] [--idle 10000] [--profile]
//
// With HERON_DATABASE_URL set, Heron runs on a fresh database on that
// PostgreSQL server (dropped at the end); on SQLite otherwise.
//
// The idle sessions need descriptors on both sides: this process needs
// sessions + 1,000 (Node raises its soft limit to the hard one, `ulimit -Hn`),
// and the server is started under `ulimit -n` as high as that (at most
// 2 × sessions + 4,000). Raise the hard limit first if it is lower (as root:
// `ulimit -Hn 30000` in the shell that runs the bench; systemd LimitNOFILE;
// /etc/security/limits.conf); a VM may cap it for root too. The sessions come from 100
// loopback addresses (127.0.0.2–101) and the run raises the per-account,
// per-address and per-listener IMAP connection limits to fit them.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openFileLimit } from '../server/descriptor-budget.ts';
import { rssOf } from '../tests/helpers/heron-process.ts';
import { removeDir, tempDir, TEST_HOSTNAME } from '../tests/helpers/heron.ts';
import { withCleanup, onCleanup } from './bench/cleanup.ts';
import { benchDatabase, type BenchDatabase } from './bench/database.ts';
import { fillHeron } from './bench/heron-fill.ts';
import { cpuSeconds, cpuUsed } from './bench/processes.ts';
import { startBenchHeron, type BenchHeron } from './bench/heron.ts';
import { idleSessions, inboxState, largeMailbox, mixedLoad, sample, sampleFlags, type Account } from './bench/imap-load.ts';
import { formatNumber, machineLine } from './bench/report.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '20' },
    clients: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    appends: { type: 'string', default: '1000' },
    idle: { type: 'string', default: '10000' },
    profile: { type: 'boolean', default: false },
  },
});
const BIG = Number(values.messages);
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);
const APPENDS = Number(values.appends);
const IDLE = Number(values.idle);
const IDLE_ADDRESSES = 100;
const PASSWORD = 'bench password';
const MIXED_MESSAGES = 1000;
const mib = (pid: number) => rssOf(pid) / 2 ** 20;
const cpuProfileDir = values.profile ? '/tmp/heron-prof' : undefined;

async function largeAndMixed(heron: BenchHeron, database: BenchDatabase): Promise<void> {
  const port = heron.ports.imaps;
  console.log(`server RSS after start: ${formatNumber(mib(heron.pid))} MiB`);
  const big: Account = { port, user: `big@${TEST_HOSTNAME}`, password: PASSWORD };
  const r = await largeMailbox(big, { appends: APPENDS, memory: () => mib(heron.pid), subjectWord: '4242', bodyWord: 'number 4242.' });
  console.log(`large mailbox (${formatNumber(r.messages)} messages):`);
  console.log(`  SELECT INBOX ${formatNumber(r.firstSelectMs)} ms, again ${formatNumber(r.selectAgainMs)} ms`);
  console.log(`  UID FETCH 1:* (FLAGS) ${formatNumber(r.fetchFlagsMs)} ms, ${formatNumber(r.fetchFlagsBytes / 1e6)} MB of responses`);
  console.log(`  UID SEARCH UNSEEN ${formatNumber(r.searchUnseenMs)} ms (${r.hits.unseen} hits), FLAGGED ${formatNumber(r.searchFlaggedMs)} ms (${r.hits.flagged})`);
  console.log(`  UID SEARCH SUBJECT "4242" ${formatNumber(r.searchSubjectMs)} ms (${r.hits.subject}), BODY "number 4242." ${formatNumber(r.searchBodyMs)} ms (${r.hits.body})`);
  console.log(`  APPEND, ${APPENDS} pipelined on one connection (LITERAL+): ${formatNumber(r.appendPerSecond)} messages/s`);
  console.log(`  server RSS with the mailbox selected: ${formatNumber(r.memoryMiB)} MiB`);

  const mixed: Account = { port, user: `mixed@${TEST_HOSTNAME}`, password: PASSWORD };
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, mib(heron.pid))), 500);
  const cpuBefore = { heron: cpuSeconds([heron.pid]), database: cpuSeconds(await database.serverPids()) };
  const m = await mixedLoad(mixed, { clients: CLIENTS, seconds: SECONDS, rounds: ROUNDS });
  const cpu = {
    heron: cpuUsed(cpuBefore.heron, cpuSeconds([heron.pid])),
    database: cpuUsed(cpuBefore.database, cpuSeconds(await database.serverPids())),
  };
  clearInterval(sampler);
  const state = await inboxState(mixed);
  console.log(
    `mixed load: ${CLIENTS} sessions over TLS, ${ROUNDS} rounds of 6 commands per login: ${m.commands} commands, ${m.logins} logins in ${formatNumber(m.seconds)} s = ${formatNumber(m.perSecond)} commands/s`,
  );
  console.log(`  mailbox after: ${state.messages} messages, ${state.deleted} \\Deleted ${state.messages === MIXED_MESSAGES && state.deleted === 0 ? '(as before: ok)' : `(EXPECTED ${MIXED_MESSAGES} and 0)`}`);
  console.log(`  server RSS peak during the mixed load: ${formatNumber(peak)} MiB`);
  // CPU per command: what a busy machine inflates least (wall time waits for other jobs too).
  const perCommand = (seconds: number) => `${formatNumber((seconds * 1e6) / m.commands)} µs/command`;
  console.log(
    `  CPU during the mixed load: Heron ${formatNumber(cpu.heron)} s (${perCommand(cpu.heron)})` +
      (database.engine === 'PostgreSQL' ? `, PostgreSQL's backends ${formatNumber(cpu.database)} s (${perCommand(cpu.database)})` : ''),
  );
}

async function idle(dataDir: string, database: BenchDatabase): Promise<void> {
  // Node raised this process's soft limit to the hard one; the server gets as much, up to what it can use.
  const own = openFileLimit();
  const serverFiles = Math.min(own, 2 * IDLE + 4000);
  if (own < IDLE + 1000) {
    console.log(`idle sessions skipped: the open-file limit is ${own}, ${IDLE} sessions need ${IDLE + 1000} on each side (raise the hard limit: ulimit -Hn, LimitNOFILE, limits.conf)`);
    return;
  }
  const heron = await startBenchHeron(dataDir, {
    openFiles: serverFiles,
    cpuProfileDir,
    env: {
      ...database.env,
      HERON_IMAP_MAX_CONNECTIONS_PER_USER: String(IDLE + 100),
      HERON_IMAP_MAX_PER_CLIENT: String(Math.ceil(IDLE / IDLE_ADDRESSES) + 10),
      HERON_IMAP_MAX_CONNECTIONS: String(IDLE + 100),
    },
  }).catch((err: Error) => {
    console.log(`idle sessions skipped: Heron did not start under ulimit -n ${serverFiles} (${err.message.split('\n')[0]})`);
    return null;
  });
  if (!heron) return;
  try {
    const account: Account = { port: heron.ports.imaps, user: `idle@${TEST_HOSTNAME}`, password: PASSWORD };
    const r = await idleSessions(account, {
      sessions: IDLE,
      addresses: IDLE_ADDRESSES,
      concurrency: 100,
      memoryMiB: () => mib(heron.pid),
      progress: (n) => console.log(`  ${n} sessions idle…`),
    });
    console.log(`idle sessions: ${r.sessions} over implicit TLS from ${IDLE_ADDRESSES} addresses, logged in, INBOX selected, in IDLE (set up in ${formatNumber(r.setupSeconds)} s)`);
    console.log(
      `  server RSS ${formatNumber(r.memoryBeforeMiB)} MiB before, ${formatNumber(r.memoryIdleMiB)} MiB with all idle: ${formatNumber(r.perSessionKiB)} KiB per idle session`,
    );
    console.log(`  one APPEND → EXISTS in every session: half after ${formatNumber(r.pushMedianMs)} ms, all after ${formatNumber(r.pushAllMs)} ms (measured by this client, which reads them one by one)`);
  } finally {
    await heron.stop();
  }
}

async function main(): Promise<void> {
  const dataDir = tempDir('heron-bench-');
  onCleanup(`data folder ${dataDir}`, () => removeDir(dataDir));
  const database = await benchDatabase();
  console.log(`Heron IMAP benchmark (${database.engine}) — ${machineLine()}`);
  const fillRate = await fillHeron(dataDir, PASSWORD, database.env, [
    { user: `big@${TEST_HOSTNAME}`, count: BIG, message: (i) => ({ raw: sample(i), flags: sampleFlags(i) }) },
    { user: `mixed@${TEST_HOSTNAME}`, count: MIXED_MESSAGES, message: (i) => ({ raw: sample(i), flags: [] }) },
    { user: `idle@${TEST_HOSTNAME}`, count: 10, message: (i) => ({ raw: sample(i), flags: [] }) },
  ]);
  console.log(`filled ${formatNumber(BIG + MIXED_MESSAGES + 10)} messages through the store: ${formatNumber(fillRate)} messages/s (${os.availableParallelism()} cores)`);
  const heron = await startBenchHeron(dataDir, { cpuProfileDir, env: database.env });
  try {
    await largeAndMixed(heron, database);
  } finally {
    await heron.stop();
  }
  if (IDLE > 0) await idle(dataDir, database);
}

await withCleanup(main);
