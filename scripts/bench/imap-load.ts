// IMAP loads shared by bench:imap and bench:compare, spoken with the tests' raw
// client (tests/imap/raw-client.ts) over implicit TLS, so the same bytes go
// to Heron and to Dovecot:
//   - the mixed load: sessions that log in, select, fetch flags and envelopes,
//     store, append, expunge and log out, over and over;
//   - the large-mailbox operations of issue 11 §3.
import { RawClient } from '../../tests/imap/raw-client.ts';

/** A small message (~700 bytes): the large mailbox and the mixed load's appends. */
export function sample(i: number): string {
  return (
    `From: Sender ${i} <sender${i % 97}@example.org>\r\nTo: bench@heron.test\r\nSubject: Benchmark message ${i}\r\n` +
    `Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <${i}@bench.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
    `Hello, this is message number ${i}.\r\n${'Lorem ipsum dolor sit amet. '.repeat(20)}\r\n`
  );
}

/** Flags of the i-th message of the large mailbox: a third seen, one in fifty flagged. */
export function sampleFlags(i: number): string[] {
  const flags: string[] = [];
  if (i % 3 === 0) flags.push('\\Seen');
  if (i % 50 === 7) flags.push('\\Flagged');
  return flags;
}

export interface Account {
  port: number;
  user: string;
  password: string;
}

/** The i-th loopback source address, 127.0.0.2 … 127.0.0.(count+1): servers limit connections per client address. */
export const sourceAddress = (i: number, count: number) => `127.0.0.${2 + (i % count)}`;

let tagCounter = 0;
const nextTag = () => `b${(tagCounter++).toString(36)}`;
/**
 * How long a server may stay silent before a command counts as hung: long,
 * since Dovecot indexes 100,000 new maildir files at the first SELECT and
 * reads every file for BODY without saying anything meanwhile.
 */
const SILENCE_MS = 600_000;

/** Sends a command, fails unless it ends in OK; returns the whole response. */
export async function ok(c: RawClient, command: string): Promise<string> {
  const tag = nextTag();
  const r = await c.command(tag, command, { ms: SILENCE_MS });
  if (!r.includes(`\r\n${tag} OK`) && !r.startsWith(`${tag} OK`)) throw new Error(`${command.slice(0, 60)}: ${r.slice(-300)}`);
  return r;
}

export async function login(a: Account, localAddress?: string): Promise<RawClient> {
  const c = await RawClient.connect(a.port, { tls: true, localAddress });
  await ok(c, `LOGIN ${a.user} "${a.password}"`);
  return c;
}

/** Logged in with INBOX selected. */
export async function selected(a: Account): Promise<RawClient> {
  const c = await login(a);
  await ok(c, 'SELECT INBOX');
  return c;
}

export async function logout(c: RawClient): Promise<void> {
  await ok(c, 'LOGOUT');
  c.close();
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const out = await fn();
  return [out, Number(process.hrtime.bigint() - t) / 1e6];
}

export interface MixedResult {
  commands: number;
  seconds: number;
  perSecond: number;
  logins: number;
}

/**
 * `clients` sessions for `seconds`: each logs in, selects INBOX, then `rounds`
 * times FETCH 10 messages' flags and header fields, STORE \Seen on one, APPEND
 * one, flag it \Deleted, UID EXPUNGE it, NOOP; then logs out and starts over.
 * Every session deletes what it appended, so the mailbox ends as it began.
 * Each session comes from its own loopback address, as separate clients would.
 */
export async function mixedLoad(a: Account, options: { clients: number; seconds: number; rounds: number }): Promise<MixedResult> {
  const counter = { n: 0, logins: 0 };
  const deadline = Date.now() + options.seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: options.clients }, (_, id) => mixedWorker(a, deadline, options.rounds, counter, id)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { commands: counter.n, seconds, perSecond: counter.n / seconds, logins: counter.logins };
}

async function mixedWorker(a: Account, deadline: number, rounds: number, counter: { n: number; logins: number }, id: number): Promise<void> {
  const msg = sample(100000 + id);
  let exists = 0;
  const cmd = async (c: RawClient, text: string) => {
    const r = await ok(c, text);
    counter.n++;
    // The session's message count follows EXISTS and EXPUNGE, whoever caused them.
    for (const m of r.matchAll(/^\* (\d+) (EXISTS|EXPUNGE)\r$/gm)) exists = m[2] === 'EXISTS' ? Number(m[1]) : exists - 1;
    return r;
  };
  while (Date.now() < deadline) {
    const c = await RawClient.connect(a.port, { tls: true, localAddress: sourceAddress(id, 250) });
    await cmd(c, `LOGIN ${a.user} "${a.password}"`);
    counter.logins++;
    await cmd(c, 'SELECT INBOX');
    for (let round = 0; round < rounds && Date.now() < deadline; round++) {
      const seq = 1 + Math.floor(Math.random() * Math.max(1, exists - 10));
      await cmd(c, `FETCH ${seq}:${seq + 9} (UID FLAGS ENVELOPE RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT FROM DATE)])`);
      await cmd(c, `STORE ${seq} +FLAGS (\\Seen)`);
      const appended = await cmd(c, `APPEND INBOX {${msg.length}+}\r\n${msg}`);
      const uid = /APPENDUID \d+ (\d+)/.exec(appended)?.[1];
      if (!uid) throw new Error(`APPEND gave no APPENDUID: ${appended.slice(-200)}`);
      await cmd(c, `UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`);
      await cmd(c, `UID EXPUNGE ${uid}`);
      await cmd(c, 'NOOP');
    }
    await cmd(c, 'LOGOUT');
    c.close();
  }
}

/** Messages in INBOX and how many carry \Deleted (the mixed load must leave none). */
export async function inboxState(a: Account): Promise<{ messages: number; deleted: number }> {
  const c = await login(a);
  const status = await ok(c, 'STATUS INBOX (MESSAGES)');
  await ok(c, 'EXAMINE INBOX');
  const search = await ok(c, 'UID SEARCH DELETED');
  await logout(c);
  const messages = Number(/MESSAGES (\d+)/.exec(status)?.[1] ?? -1);
  const deleted = (/^\* SEARCH([\d ]*)\r$/m.exec(search)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).length;
  return { messages, deleted };
}

/** Polls STATUS INBOX until it holds at least `count` messages; resolves with the count seen. */
export async function waitForMessages(a: Account, count: number, timeoutMs: number): Promise<number> {
  const c = await login(a);
  const until = Date.now() + timeoutMs;
  let seen = 0;
  try {
    for (;;) {
      const status = await ok(c, 'STATUS INBOX (MESSAGES)');
      seen = Number(/MESSAGES (\d+)/.exec(status)?.[1] ?? 0);
      if (seen >= count || Date.now() > until) return seen;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await logout(c);
  }
}

export interface LargeMailboxResult {
  messages: number;
  firstSelectMs: number;
  selectAgainMs: number;
  fetchFlagsMs: number;
  fetchFlagsBytes: number;
  searchUnseenMs: number;
  searchFlaggedMs: number;
  searchSubjectMs: number;
  searchBodyMs: number;
  /** The searches' hit counts, to check both servers found the same messages. */
  hits: { unseen: number; flagged: number; subject: number; body: number };
  appendPerSecond: number;
  /** Memory of the server (MiB) with the mailbox selected, as `memory()` measures it. */
  memoryMiB: number;
}

const hitsOf = (r: string) => (/^\* SEARCH([\d ]*)\r$/m.exec(r)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).length;

/**
 * The large-mailbox operations of issue 11 §3 on `a`'s INBOX: SELECT (first,
 * then again), UID FETCH 1:* (FLAGS), UID SEARCH UNSEEN / FLAGGED / SUBJECT /
 * BODY, memory with the mailbox selected, then `appends` APPENDs pipelined on
 * a second connection (LITERAL+, every command written before any reply is read).
 */
export async function largeMailbox(a: Account, options: { appends: number; memory: () => number; subjectWord: string; bodyWord: string }): Promise<LargeMailboxResult> {
  const c = await login(a);
  const [selected, firstSelectMs] = await timed(() => ok(c, 'SELECT INBOX'));
  const messages = Number(/^\* (\d+) EXISTS\r$/m.exec(selected)?.[1] ?? 0);
  const [, selectAgainMs] = await timed(() => ok(c, 'SELECT INBOX'));
  const [fetched, fetchFlagsMs] = await timed(() => ok(c, 'UID FETCH 1:* (FLAGS)'));
  const [unseen, searchUnseenMs] = await timed(() => ok(c, 'UID SEARCH UNSEEN'));
  const [flagged, searchFlaggedMs] = await timed(() => ok(c, 'UID SEARCH FLAGGED'));
  const [subject, searchSubjectMs] = await timed(() => ok(c, `UID SEARCH SUBJECT "${options.subjectWord}"`));
  const [body, searchBodyMs] = await timed(() => ok(c, `UID SEARCH BODY "${options.bodyWord}"`));
  const memoryMiB = options.memory();

  const appender = await login(a);
  const startedAppend = process.hrtime.bigint();
  const tags: string[] = [];
  for (let i = 0; i < options.appends; i++) {
    const msg = sample(200000 + i);
    const tag = nextTag();
    tags.push(tag);
    appender.write(`${tag} APPEND INBOX {${msg.length}+}\r\n${msg}\r\n`);
  }
  for (const tag of tags) {
    const r = await appender.waitTagged(tag, { ms: SILENCE_MS });
    if (!r.includes(`${tag} OK`)) throw new Error(`pipelined APPEND: ${r.slice(-200)}`);
  }
  const appendSeconds = Number(process.hrtime.bigint() - startedAppend) / 1e9;
  await logout(appender);
  await logout(c);
  return {
    messages,
    firstSelectMs,
    selectAgainMs,
    fetchFlagsMs,
    fetchFlagsBytes: fetched.length,
    searchUnseenMs,
    searchFlaggedMs,
    searchSubjectMs,
    searchBodyMs,
    hits: { unseen: hitsOf(unseen), flagged: hitsOf(flagged), subject: hitsOf(subject), body: hitsOf(body) },
    appendPerSecond: options.appends / appendSeconds,
    memoryMiB,
  };
}

export interface IdleResult {
  sessions: number;
  setupSeconds: number;
  memoryBeforeMiB: number;
  memoryIdleMiB: number;
  perSessionKiB: number;
  /** From the APPEND being sent until the EXISTS reached half of the sessions, and all of them. */
  pushMedianMs: number;
  pushAllMs: number;
}

/**
 * `sessions` sessions over implicit TLS, spread over `addresses` loopback
 * source addresses, each logged in with INBOX selected and in IDLE; the
 * server's memory before and with all of them idle; then one APPEND from
 * another connection and the time until every session has read its EXISTS.
 */
export async function idleSessions(
  a: Account,
  options: { sessions: number; addresses: number; concurrency: number; memoryMiB: () => number; progress?: (open: number) => void },
): Promise<IdleResult> {
  // One session first, so what the first login and SELECT load once is not counted per session.
  await logout(await login(a));
  const memoryBeforeMiB = options.memoryMiB();
  const clients: RawClient[] = new Array(options.sessions);
  let next = 0;
  const started = process.hrtime.bigint();
  const opener = async () => {
    for (let i = next++; i < options.sessions; i = next++) {
      const c = await login(a, sourceAddress(i, options.addresses));
      await ok(c, 'SELECT INBOX');
      c.write('i IDLE\r\n');
      await c.readUntil((b) => b.includes('+ '));
      c.take();
      clients[i] = c;
      if (options.progress && (i + 1) % 1000 === 0) options.progress(i + 1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.sessions) }, opener));
  const setupSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // Let the server settle (timers, GC) before reading its memory.
  await new Promise((r) => setTimeout(r, 2000));
  const memoryIdleMiB = options.memoryMiB();

  const appender = await login(a);
  const msg = sample(300000);
  const arrivals: number[] = [];
  const t0 = process.hrtime.bigint();
  const reached = Promise.all(
    clients.map((c) => c.readUntil((b) => /^\* \d+ EXISTS\r$/m.test(b), { ms: 120_000 }).then(() => arrivals.push(Number(process.hrtime.bigint() - t0) / 1e6))),
  );
  await ok(appender, `APPEND INBOX {${msg.length}+}\r\n${msg}`);
  await reached;
  await logout(appender);
  for (const c of clients) c.close();
  arrivals.sort((x, y) => x - y);
  return {
    sessions: options.sessions,
    setupSeconds,
    memoryBeforeMiB,
    memoryIdleMiB,
    perSessionKiB: ((memoryIdleMiB - memoryBeforeMiB) * 1024) / options.sessions,
    pushMedianMs: arrivals[Math.floor(arrivals.length / 2)],
    pushAllMs: arrivals[arrivals.length - 1],
  };
}
