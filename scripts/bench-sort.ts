// SORT and THREAD benchmark (prints figures; not a test). Fills one mailbox
// with a generated mail archive (threads of replies with References and
// In-Reply-To, Re:/Fwd:/[list] subjects, a thousand senders, a few messages
// without a Date: or with a broken one), measures how fast the sort keys of
// messages stored before they existed are computed, starts Heron as its own
// process and times SORT and THREAD over implicit TLS, each run three times.
// With --dovecot the same archive (same internal dates) goes to a Dovecot and
// each answer is compared with Heron's.
// Usage: npm run bench:sort -- [--messages 100000]
//   [--dovecot <port> --user u --password p]   the same commands against a Dovecot
//   on 127.0.0.1 (implicit TLS), in that user's mailbox "bench-sort" (made anew, filled by APPEND).
import fs from 'node:fs';
import os from 'node:os';
import {
  appendMessage,
  backfillSortKeys,
  createMailAccount,
  findMailbox,
  findMailServerByHostname,
} from '../schema/index.ts';
import { startHeronProcess } from '../tests/helpers/heron-process.ts';
import { scratchDatabase } from '../tests/helpers/database.ts';
import { removeDir, startTestHeron, tempDir, TEST_HOSTNAME } from '../tests/helpers/heron.ts';
import { formatDateTime } from '../imapd/parser/args.ts';
import { RawClient } from '../tests/imap/raw-client.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const MESSAGES = Number(opt('messages') ?? 100_000);
const PASSWORD = 'bench password';
// With HERON_DATABASE_URL, the run uses a fresh database on that PostgreSQL server (dropped afterwards).
const database = process.env.HERON_DATABASE_URL ? await scratchDatabase(process.env.HERON_DATABASE_URL) : null;
const databaseEnv: Record<string, string> = database ? { HERON_DATABASE_URL: database.url } : {};

const COMMANDS = [
  'SORT (DATE) UTF-8 ALL',
  'UID SORT (REVERSE DATE) UTF-8 ALL',
  'SORT (ARRIVAL) UTF-8 ALL',
  'SORT (SIZE) UTF-8 ALL',
  'SORT (SUBJECT) UTF-8 ALL',
  'SORT (FROM) UTF-8 ALL',
  'SORT (DISPLAYFROM) UTF-8 ALL',
  'SORT (SUBJECT REVERSE DATE) UTF-8 ALL',
  'SORT (REVERSE DATE) UTF-8 UNSEEN',
  'THREAD REFERENCES UTF-8 ALL',
  'THREAD REFS UTF-8 ALL',
  'THREAD ORDEREDSUBJECT UTF-8 ALL',
];

/** A deterministic pseudo-random sequence (so Heron and Dovecot get the same archive). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The archive: each message starts a thread or answers a recent one. */
function archive(count: number): { raw: string[]; seen: boolean[] } {
  const rnd = random(5256);
  const threads: Array<{ subject: string; ids: string[] }> = [];
  const raw: string[] = [];
  const seen: boolean[] = [];
  const words = ['sort', 'thread', 'release', 'lunch', 'budget', 'outage', 'design', 'review', 'Überblick', 'café'];
  const prefixes = ['Re: ', 'RE: ', 'Re: [heron] ', 'Fwd: ', 'Re[2]: ', 'Re: Re: ', 'AW: '];
  const zones = ['+0000', '-0800', '+0100', '+0530', '-0300'];
  for (let i = 0; i < count; i++) {
    const id = `<${i}.${Math.floor(rnd() * 1e9)}@bench.example>`;
    let subject: string;
    let refs = '';
    if (threads.length === 0 || rnd() < 0.2) {
      subject = `Topic ${threads.length}: ${words[Math.floor(rnd() * words.length)]}`;
      threads.push({ subject, ids: [id] });
    } else {
      const t = threads[threads.length - 1 - Math.floor(rnd() * Math.min(threads.length, 2000))];
      const parents = t.ids.slice(-10);
      refs = `References: ${parents.join(' ')}\r\nIn-Reply-To: ${parents[parents.length - 1]}\r\n`;
      subject = prefixes[Math.floor(rnd() * prefixes.length)] + t.subject;
      t.ids.push(id);
    }
    const sender = Math.floor(rnd() * 1000);
    const from = rnd() < 0.7 ? `"Sender ${sender}" <user${sender}@example${sender % 7}.org>` : `user${sender}@example${sender % 7}.org`;
    const when = new Date(Date.UTC(2023, 0, 1) + i * 600_000 + Math.floor(rnd() * 3_600_000));
    const r = rnd();
    const date =
      r < 0.02
        ? ''
        : r < 0.03
          ? 'Date: sometime last week\r\n'
          : `Date: ${when.toUTCString().replace('GMT', zones[Math.floor(rnd() * zones.length)])}\r\n`;
    const body = `Message ${i}.\r\n${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(1 + Math.floor(rnd() * 40))}\r\n`;
    raw.push(
      `From: ${from}\r\nTo: list@heron.test\r\nSubject: ${subject}\r\n${date}Message-ID: ${id}\r\n${refs}` +
        `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`,
    );
    seen.push(rnd() < 0.66);
  }
  return { raw, seen };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Each command's answer (its untagged SORT or THREAD line), from the last server timed. */
type Answers = Map<string, string>;

/** CPU time (user + system) a process has used, in ms, from /proc. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/**
 * Runs every command three times on a selected session; prints the wall times
 * (and, given the server's pid, the CPU time it spent, which a busy machine
 * inflates less), the answer's size, and how it compares with `reference`'s.
 */
async function timeCommands(name: string, c: RawClient, options: { reference?: Answers; pid?: number } = {}): Promise<Answers> {
  console.log(`${name}:`);
  const answers: Answers = new Map();
  for (const command of COMMANDS) {
    const times: number[] = [];
    const cpu: number[] = [];
    let answer = '';
    for (let run = 0; run < 3; run++) {
      const cpuBefore = options.pid ? cpuMs(options.pid) : 0;
      const started = performance.now();
      const r = await c.command(`t${run}`, command);
      times.push(performance.now() - started);
      if (options.pid) cpu.push(cpuMs(options.pid) - cpuBefore);
      if (!new RegExp(`t${run} OK`).test(r)) throw new Error(`${command}: ${r.slice(-300)}`);
      answer = r.split('\r\n').find((l) => /^\* (SORT|THREAD)\b/.test(l)) ?? '';
    }
    answers.set(command, answer);
    const reference = options.reference?.get(command);
    const same = reference === undefined ? '' : reference === answer ? '  same answer as Heron' : `  differs from Heron's: ${firstDifference(reference, answer)}`;
    const cpuText = cpu.length ? `, server CPU ${cpu.map((t) => t.toFixed(0)).join(' ')} ms` : '';
    console.log(`  ${command.padEnd(38)} ${times.map((t) => t.toFixed(0).padStart(5)).join(' ')} ms${cpuText}   (${(answer.length / 1e6).toFixed(2)} MB)${same}`);
  }
  return answers;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at character ${i}: …${a.slice(Math.max(0, i - 40), i + 40)}… / …${b.slice(Math.max(0, i - 40), i + 40)}…`;
}

async function login(port: number, user: string, password: string): Promise<RawClient> {
  const c = await RawClient.connect(port, { tls: true });
  const r = await c.command('L', `LOGIN ${user} "${password}"`);
  if (!/L OK/.test(r)) throw new Error(`login failed: ${r}`);
  return c;
}

/** The internal date of the i-th message (Heron stores it; Dovecot gets it in APPEND). */
const internalDate = (i: number) => Date.UTC(2023, 0, 1) + i * 600_000;

async function heron(messages: { raw: string[]; seen: boolean[] }): Promise<Answers> {
  const dataDir = tempDir('heron-bench-sort-');
  try {
    const setup = await startTestHeron({ dataDir, env: databaseEnv });
    const server = await findMailServerByHostname(setup.store, TEST_HOSTNAME);
    const account = await createMailAccount(setup.store, { username: `big@${TEST_HOSTNAME}`, password: PASSWORD, mailServerId: server!.id });
    const inbox = (await findMailbox(setup.store, account.id, 'INBOX'))!.id;
    let started = performance.now();
    const BATCH = 500;
    for (let i = 0; i < MESSAGES; i += BATCH) {
      // Appends requested in one tick share one commit (SQLite's group commit).
      await Promise.all(
        messages.raw
          .slice(i, i + BATCH)
          .map((raw, j) => appendMessage(setup.store, { mailboxId: inbox, raw: Buffer.from(raw), flags: messages.seen[i + j] ? ['\\Seen'] : [], internalDate: internalDate(i + j) })),
      );
    }
    const fill = (performance.now() - started) / 1000;
    console.log(`filled ${MESSAGES} messages in ${fill.toFixed(1)} s (${Math.round(MESSAGES / fill)} messages/s), sort keys computed at delivery`);
    // The keys of messages stored before Heron kept them: computed again from the stored headers.
    await setup.store.run(`UPDATE mail SET sort_keys_version = 0 WHERE mail_box_id = ?`, inbox);
    started = performance.now();
    let afterId = 0;
    let done = 0;
    for (;;) {
      const batch = await backfillSortKeys(setup.store, { afterId, limit: 200 });
      if (batch.count === 0) break;
      done += batch.count;
      afterId = batch.lastId;
    }
    const backfill = (performance.now() - started) / 1000;
    console.log(`backfill: keys of ${done} stored messages computed in ${backfill.toFixed(1)} s (${Math.round(done / backfill)} messages/s)`);
    await setup.stop();

    const child = await startHeronProcess(dataDir, { env: databaseEnv });
    try {
      const c = await login(child.ports.imaps, `big@${TEST_HOSTNAME}`, PASSWORD);
      const sel = await c.command('S', 'SELECT INBOX');
      console.log(`server RSS after SELECT of ${/\* (\d+) EXISTS/.exec(sel)![1]} messages: ${child.rssMb().toFixed(0)} MB`);
      const answers = await timeCommands(`Heron (${database ? 'PostgreSQL' : 'SQLite'})`, c, { pid: child.pid });
      console.log(`server RSS after: ${child.rssMb().toFixed(0)} MB`);
      await c.command('Z', 'LOGOUT');
      c.close();
      return answers;
    } finally {
      await child.stop();
    }
  } finally {
    removeDir(dataDir);
  }
}

/** The same commands against a running Dovecot, after APPENDing the same archive (pipelined, LITERAL+). */
async function dovecot(port: number, user: string, password: string, messages: { raw: string[]; seen: boolean[] }, reference: Answers): Promise<void> {
  const c = await login(port, user, password);
  // A new mailbox each time, so UIDs start at 1 as in Heron's.
  await c.command('D0', 'DELETE bench-sort');
  await c.command('C0', 'CREATE bench-sort');
  const started = performance.now();
  for (let i = 0; i < messages.raw.length; i += 500) {
    let tag = '';
    for (let j = i; j < Math.min(i + 500, messages.raw.length); j++) {
      const bytes = Buffer.from(messages.raw[j]);
      tag = `A${j}`;
      c.write(`${tag} APPEND bench-sort (${messages.seen[j] ? '\\Seen' : ''}) "${formatDateTime(internalDate(j))}" {${bytes.length}+}\r\n${bytes.toString('latin1')}\r\n`);
    }
    await c.waitTagged(tag);
    c.take();
  }
  console.log(`Dovecot: appended ${messages.raw.length} messages in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await c.command('S1', 'SELECT bench-sort');
  await timeCommands('Dovecot (same client; its first run builds its sort and thread indexes)', c, { reference });
  await c.command('Z', 'LOGOUT');
  c.close();
}

async function main(): Promise<void> {
  console.log(`Heron SORT/THREAD benchmark — ${new Date().toISOString()} — node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`);
  const messages = archive(MESSAGES);
  const answers = await heron(messages);
  const port = opt('dovecot');
  if (port) await dovecot(Number(port), opt('user') ?? 'bench', opt('password') ?? 'bench', messages, answers);
}

await main().finally(() => database?.drop());
