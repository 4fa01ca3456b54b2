// Search extensions benchmark (prints figures; not a test). Fills one large
// mailbox and many small ones through the store, then measures over IMAP (TLS):
//   - UID SEARCH UNSEEN plain, and with RETURN (COUNT) / (ALL) / (MIN MAX) /
//     (PARTIAL -1:-50) / (SAVE), then UID FETCH $ (FLAGS) (ESEARCH, SEARCHRES);
//   - the cost a live search (RETURN (UPDATE)) adds to the commands of its
//     session: a NOOP that takes in one flag change made by another session,
//     with 0 and with 5 live searches (CONTEXT=SEARCH);
//   - ESEARCH IN (personal) over the small mailboxes (MULTISEARCH).
// Usage: node --import tsx scripts/bench-search.ts [--messages 100000] [--mailboxes 200] [--per-mailbox 200]
// With HERON_DATABASE_URL, a scratch database on that PostgreSQL server is used and dropped.
import { appendMessage, createMailAccount, createMailbox, findMailbox, findMailServerByHostname, type Store } from '../schema/index.ts';
import { scratchDatabase } from '../tests/helpers/database.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../tests/helpers/heron.ts';
import { RawClient } from '../tests/imap/raw-client.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const BIG = opt('messages', 100_000);
const MAILBOXES = opt('mailboxes', 200);
const PER_MAILBOX = opt('per-mailbox', 200);
const PASSWORD = 'bench password';
const database = process.env.HERON_DATABASE_URL ? await scratchDatabase(process.env.HERON_DATABASE_URL) : null;

const sample = (i: number) =>
  `From: Sender ${i} <sender${i % 97}@example.org>\r\nTo: bench@heron.test\r\nSubject: Benchmark message ${i}\r\n` +
  `Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${i}@bench.example>\r\n\r\nHello, this is message number ${i}.\r\n`;

/** Appends `count` messages, 500 per tick so they share commits; every third one \Seen. */
async function fill(store: Store, mailboxId: number, count: number): Promise<void> {
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, (_, j) => appendMessage(store, { mailboxId, raw: Buffer.from(sample(i + j)), flags: (i + j) % 3 === 0 ? ['\\Seen'] : [] })),
    );
  }
}

async function timed(c: RawClient, command: string, tag = 'b'): Promise<[string, number]> {
  const t = process.hrtime.bigint();
  const r = await c.command(tag, command);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (!new RegExp(`(^|\r\n)${tag} OK `).test(r)) throw new Error(`${command}: ${r.slice(-300)}`);
  return [r, ms];
}

/** The median of `runs` timings of a command. */
async function median(c: RawClient, command: string, runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(c, command))[1]);
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

async function main(): Promise<void> {
  console.log(`Heron search benchmark (${database ? 'PostgreSQL' : 'SQLite'}) — ${new Date().toISOString()} — node ${process.version}`);
  const heron = await startTestHeron({ env: database ? { HERON_DATABASE_URL: database.url } : {} });
  try {
    const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
    const big = await createMailAccount(heron.store, { username: 'big@heron.test', password: PASSWORD, mailServerId: server!.id });
    const many = await createMailAccount(heron.store, { username: 'many@heron.test', password: PASSWORD, mailServerId: server!.id });
    let started = Date.now();
    await fill(heron.store, (await findMailbox(heron.store, big.id, 'INBOX'))!.id, BIG);
    console.log(`filled ${BIG} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    started = Date.now();
    for (let m = 0; m < MAILBOXES; m++) await fill(heron.store, (await createMailbox(heron.store, many.id, `Folder ${m}`)).id, PER_MAILBOX);
    console.log(`filled ${MAILBOXES} mailboxes of ${PER_MAILBOX} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const a = await RawClient.connect(heron.ports.imaps, { tls: true });
    const b = await RawClient.connect(heron.ports.imaps, { tls: true });
    for (const c of [a, b]) {
      await timed(c, `LOGIN big@heron.test "${PASSWORD}"`);
      await timed(c, 'SELECT INBOX');
    }
    console.log(`\n${BIG} messages, median of 5:`);
    for (const command of [
      'UID SEARCH UNSEEN',
      'UID SEARCH RETURN (COUNT) UNSEEN',
      'UID SEARCH RETURN (ALL) UNSEEN',
      'UID SEARCH RETURN (MIN MAX) UNSEEN',
      'UID SEARCH RETURN (PARTIAL -1:-50) UNSEEN',
      'UID SEARCH RETURN (SAVE) UNSEEN',
      'UID FETCH $ (FLAGS)',
      'UID SEARCH YOUNGER 3600',
    ]) {
      console.log(`  ${command}: ${(await median(a, command)).toFixed(0)} ms`);
    }
    const [all] = await timed(a, 'UID SEARCH RETURN (ALL) UNSEEN');
    const [plain] = await timed(a, 'UID SEARCH UNSEEN');
    console.log(`  response size: SEARCH ${(plain.length / 1e6).toFixed(2)} MB, ESEARCH ALL ${(all.length / 1e3).toFixed(1)} kB`);

    // A live search is computed again on each change: what that adds to the NOOP that reports one.
    let next = 7;
    const noopAfterChange = async (label: string) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        await timed(b, `UID STORE ${next++} +FLAGS.SILENT (\\Flagged)`);
        const [r, ms] = await timed(a, 'NOOP');
        if (process.env.BENCH_DEBUG) console.log(r);
        times.push(ms);
      }
      console.log(`  NOOP taking in one flag change, ${label}: ${times.sort((x, y) => x - y)[2].toFixed(0)} ms`);
    };
    await noopAfterChange('no live search');
    for (let n = 1; n <= 5; n++) await timed(a, `UID SEARCH RETURN (UPDATE COUNT) ${n % 2 ? 'UNSEEN' : 'FLAGGED'}`, `live${n}`);
    await noopAfterChange('5 live searches (UPDATE)');
    await timed(a, 'LOGOUT');
    await timed(b, 'LOGOUT');

    const m = await RawClient.connect(heron.ports.imaps, { tls: true });
    await timed(m, `LOGIN many@heron.test "${PASSWORD}"`);
    console.log(`\nESEARCH over ${MAILBOXES} mailboxes of ${PER_MAILBOX} messages, median of 5:`);
    for (const command of ['ESEARCH IN (personal) RETURN (COUNT) UNSEEN', 'ESEARCH IN (personal) SUBJECT "message 42"', 'ESEARCH IN (subtree "Folder 1") RETURN (MIN MAX) ALL']) {
      console.log(`  ${command}: ${(await median(m, command)).toFixed(0)} ms`);
    }
    await timed(m, 'LOGOUT');
  } finally {
    await heron.stop();
    removeDir(heron.dataDir);
  }
}

await main().finally(() => database?.drop());
