// Quota benchmark (prints figures; not a test). Why usage is kept as counters
// on mail_account instead of summed from the mail rows: fills one account,
// then compares
//   - reading the usage from the counters (what GETQUOTA, SMTP RCPT and every
//     charge do) with the indexed SUM over the account's mail that the
//     alternative would run inside every delivery's transaction;
//   - APPEND throughput through the store for an unlimited and a limited
//     account (both pay the counter UPDATE; the limit adds only its WHERE).
// Usage: node --import tsx scripts/bench-quota.ts [--messages 20000]
// With HERON_DATABASE_URL, a scratch database on that PostgreSQL server is used and dropped.
import { accountQuota, appendMessage, createMailAccount, findMailbox, findMailServerByHostname, setAccountQuota, type Store } from '../schema/index.ts';
import { scratchDatabase } from '../tests/helpers/database.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../tests/helpers/heron.ts';

const args = process.argv.slice(2);
const i = args.indexOf('--messages');
const MESSAGES = i >= 0 ? Number(args[i + 1]) : 20_000;
const database = process.env.HERON_DATABASE_URL ? await scratchDatabase(process.env.HERON_DATABASE_URL) : null;

const sample = (n: number) =>
  `From: Sender <sender@example.org>\r\nTo: bench@heron.test\r\nSubject: Quota benchmark ${n}\r\n` +
  `Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${n}@bench.example>\r\n\r\nHello, message ${n}.\r\n`;

/** Appends `count` messages, 500 per tick; returns messages per second. */
async function fill(store: Store, mailboxId: number, count: number, from = 0): Promise<number> {
  const t = process.hrtime.bigint();
  for (let n = 0; n < count; n += 500) {
    await Promise.all(Array.from({ length: Math.min(500, count - n) }, (_, j) => appendMessage(store, { mailboxId, raw: Buffer.from(sample(from + n + j)) })));
  }
  return count / (Number(process.hrtime.bigint() - t) / 1e9);
}

async function median(run: () => Promise<unknown>, runs = 21): Promise<number> {
  const times: number[] = [];
  for (let n = 0; n < runs; n++) {
    const t = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

async function main(): Promise<void> {
  console.log(`Heron quota benchmark (${database ? 'PostgreSQL' : 'SQLite'}) — ${new Date().toISOString()} — node ${process.version}`);
  const heron = await startTestHeron({ env: database ? { HERON_DATABASE_URL: database.url } : {} });
  try {
    const store = heron.store;
    const server = await findMailServerByHostname(store, TEST_HOSTNAME);
    const account = async (name: string) => {
      const row = await createMailAccount(store, { username: `${name}@heron.test`, password: 'bench password', mailServerId: server!.id });
      return { id: row.id, inbox: (await findMailbox(store, row.id, 'INBOX'))!.id };
    };
    const unlimited = await account('unlimited');
    const limited = await account('limited');
    await setAccountQuota(store, limited.id, { storageBytes: 1e12, messages: 1e9 });
    const half = Math.floor(MESSAGES / 2);
    const rateUnlimited = await fill(store, unlimited.inbox, half);
    const rateLimited = await fill(store, limited.inbox, half, half);
    const rest = await fill(store, unlimited.inbox, MESSAGES - half, MESSAGES);
    console.log(`APPEND through the store, 500 per tick: unlimited ${rateUnlimited.toFixed(0)}/s, limited ${rateLimited.toFixed(0)}/s (${half} each)`);
    console.log(`  then ${rest.toFixed(0)}/s into the unlimited account holding ${half} already`);
    const q = await accountQuota(store, unlimited.id);
    const counters = await median(() => accountQuota(store, unlimited.id));
    const sum = await median(() => store.get(`SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM mail WHERE mail_account_id = ?`, unlimited.id));
    console.log(`usage of an account with ${q.messagesUsed} messages (${q.storageUsedBytes} bytes), median of 21:`);
    console.log(`  counters on mail_account: ${counters.toFixed(3)} ms`);
    console.log(`  indexed SUM over mail:    ${sum.toFixed(3)} ms (per delivery, inside its write transaction, in the alternative)`);
  } finally {
    await heron.stop();
    removeDir(heron.dataDir);
    await database?.drop();
  }
}

await main();
