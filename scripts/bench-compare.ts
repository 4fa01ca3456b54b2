// Heron side by side with Postfix and Dovecot on this machine (issue 11 §2):
//
//   npm run bench:compare -- [--runs 2] [--only smtp,imap,large]
//     [--smtp-messages 2000] [--smtp-sessions 10] [--size 4096]
//     [--imap-clients 10] [--imap-seconds 20] [--rounds 5]
//     [--messages 100000] [--appends 500] [--profile]
//
// It installs nothing. When Debian's postfix and dovecot-imapd (+ dovecot-lmtpd)
// are installed and it runs as root, it starts a private, loopback-only Postfix
// (delivering over LMTP to the private Dovecot) and Dovecot, each with its own
// config, queue and mail folders under one temp folder (scripts/bench/postfix.ts
// and dovecot.ts say exactly what they set); otherwise it says which reference
// it skips and why, and measures Heron alone. Heron runs as its own process on a
// temp data folder, scoring inbound mail (SPF/DKIM/DMARC) against a DNS server
// on loopback. The same loads run against both, the servers alternating from run
// to run; everything is stopped and removed at the end, on Ctrl-C too.
//
// Loads:
//   smtp   Postfix's own smtp-source: one session × 200 messages (the per-message
//          cost), then `-s 10 -m 2000 -l 4096`: accepted/s, and messages/s until
//          all are in the mailbox (Heron: visible over IMAP; Postfix: delivered
//          into Dovecot, visible over IMAP).
//   imap   the mixed load over implicit TLS: 10 sessions logging in, selecting,
//          fetching flags and envelopes, storing, appending, expunging, logging
//          out; commands/s; the mailbox checked at the end.
//   large  one mailbox of --messages small messages: SELECT, UID FETCH 1:*
//          (FLAGS), UID SEARCH UNSEEN/FLAGGED/SUBJECT/BODY, memory with it
//          selected, pipelined APPEND with LITERAL+.
// BENCH_PROFILE / --profile writes a CPU profile of Heron to /tmp/heron-prof.
// With HERON_DATABASE_URL set, Heron runs on a fresh database on that
// PostgreSQL server (dropped at the end); on SQLite otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDns } from '../tests/smtp/dns.ts';
import { onCleanup, withCleanup } from './bench/cleanup.ts';
import { dovecotUnavailable, startDovecot, writeMaildir, type Dovecot } from './bench/dovecot.ts';
import { benchDatabase } from './bench/database.ts';
import { fillHeron } from './bench/heron-fill.ts';
import { startBenchHeron, type BenchHeron } from './bench/heron.ts';
import { inboxState, largeMailbox, logout, mixedLoad, sample, sampleFlags, selected, waitForMessages, type Account, type LargeMailboxResult } from './bench/imap-load.ts';
import { postfixUnavailable, runSmtpSource, SMTP_SOURCE, startPostfix, type Postfix } from './bench/postfix.ts';
import { rssOf } from '../tests/helpers/heron-process.ts';
import { pssMiB } from './bench/processes.ts';
import { formatNumber, machineLine, table, type Row } from './bench/report.ts';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const RUNS = opt('runs', 2);
const SMTP_MESSAGES = opt('smtp-messages', 2000);
const SMTP_SESSIONS = opt('smtp-sessions', 10);
const SIZE = opt('size', 4096);
const IMAP_CLIENTS = opt('imap-clients', 10);
const IMAP_SECONDS = opt('imap-seconds', 20);
const ROUNDS = opt('rounds', 5);
const BIG = opt('messages', 100_000);
const APPENDS = opt('appends', 500);
const onlyArg = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : ['smtp', 'imap', 'large'];
const only = new Set(onlyArg);
const PROFILE = args.includes('--profile') || !!process.env.BENCH_PROFILE;

const PASSWORD = 'bench-password-123';
const HERON_DOMAIN = 'heron.test';
const REF_DOMAIN = 'reference.test';
const SENDER = 'sender@sender.test';
const MIXED_MESSAGES = 1000;
const SUBJECT_WORD = '4242';
const BODY_WORD = 'number 4242.';

const log = (line: string) => console.log(line);
const both = (heron: boolean) => (heron ? 'Heron' : 'Postfix/Dovecot');

interface Servers {
  heron: BenchHeron;
  dovecot: Dovecot | null;
  postfix: Postfix | null;
}

/** The two servers in alternating order: Heron first in odd runs, the reference first in even ones. */
const order = (run: number) => (run % 2 === 1 ? [true, false] : [false, true]);

async function smtpPhase(s: Servers, rows: Row[]): Promise<void> {
  const one: Row = { measure: 'SMTP, one session: ms per message (`smtp-source -s 1 -m 200 -l 4096`, a connection per message)', better: 'lower', heron: [], reference: [] };
  const accepted: Row = { measure: `SMTP accepted/s (\`smtp-source -s ${SMTP_SESSIONS} -m ${SMTP_MESSAGES} -l ${SIZE}\`)`, better: 'higher', heron: [], reference: [] };
  const inbox: Row = { measure: 'SMTP in the mailbox/s (same run: until all are visible over IMAP)', better: 'higher', heron: [], reference: [] };
  rows.push(one, accepted, inbox);
  for (let run = 1; run <= RUNS; run++) {
    for (const heron of order(run)) {
      if (!heron && !s.postfix) continue;
      const port = heron ? s.heron.ports.smtp : s.postfix!.smtpPort;
      const to = heron ? `smtp@${HERON_DOMAIN}` : `smtp@${REF_DOMAIN}`;
      const account: Account = { port: heron ? s.heron.ports.imaps : s.dovecot!.imapsPort, user: to, password: PASSWORD };
      const source = { port, from: SENDER, to, helo: 'mx.sender.test', size: SIZE };
      let before = await waitForMessages(account, 0, 0);
      const single = await runSmtpSource({ ...source, sessions: 1, messages: 200 });
      const singleMs = single.ms / 200;
      before = await waitForMessages(account, before + 200, 600_000);
      const started = process.hrtime.bigint();
      const load = await runSmtpSource({ ...source, sessions: SMTP_SESSIONS, messages: SMTP_MESSAGES });
      const seen = await waitForMessages(account, before + SMTP_MESSAGES, 600_000);
      const inboxSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (seen < before + SMTP_MESSAGES) throw new Error(`${both(heron)}: only ${seen - before} of ${SMTP_MESSAGES} messages reached the mailbox`);
      (heron ? one.heron : one.reference).push(singleMs);
      (heron ? accepted.heron : accepted.reference).push(load.perSecond);
      (heron ? inbox.heron : inbox.reference).push(SMTP_MESSAGES / inboxSeconds);
      log(
        `  run ${run} ${both(heron).padEnd(15)} one session ${formatNumber(singleMs)} ms/message; ${SMTP_SESSIONS} sessions: accepted ${formatNumber(load.perSecond)}/s (${formatNumber(load.ms / 1000)} s), all in the mailbox after ${formatNumber(inboxSeconds)} s = ${formatNumber(SMTP_MESSAGES / inboxSeconds)}/s`,
      );
    }
  }
}

async function imapPhase(s: Servers, rows: Row[]): Promise<void> {
  const row: Row = { measure: `IMAP mixed load, ${IMAP_CLIENTS} sessions over TLS: commands/s`, better: 'higher', heron: [], reference: [] };
  rows.push(row);
  for (let run = 1; run <= RUNS; run++) {
    for (const heron of order(run)) {
      if (!heron && !s.dovecot) continue;
      const account: Account = heron
        ? { port: s.heron.ports.imaps, user: `mixed@${HERON_DOMAIN}`, password: PASSWORD }
        : { port: s.dovecot!.imapsPort, user: `mixed@${REF_DOMAIN}`, password: PASSWORD };
      const result = await mixedLoad(account, { clients: IMAP_CLIENTS, seconds: IMAP_SECONDS, rounds: ROUNDS });
      const state = await inboxState(account);
      const good = state.messages === MIXED_MESSAGES && state.deleted === 0;
      log(
        `  run ${run} ${both(heron).padEnd(15)} ${result.commands} commands, ${result.logins} logins in ${formatNumber(result.seconds)} s = ${formatNumber(result.perSecond)} commands/s; ` +
          `mailbox after: ${state.messages} messages, ${state.deleted} \\Deleted ${good ? '(as before: ok)' : `(EXPECTED ${MIXED_MESSAGES} and 0)`}`,
      );
      if (!good) throw new Error(`${both(heron)}: the mixed load left the mailbox in the wrong state`);
      (heron ? row.heron : row.reference).push(result.perSecond);
    }
  }
}

async function largePhase(s: Servers, rows: Row[]): Promise<void> {
  const n = formatNumber(BIG);
  const measures: Array<[keyof LargeMailboxResult, string, Row['better']]> = [
    ['firstSelectMs', `SELECT INBOX, ${n} messages, first in the run (ms)`, 'lower'],
    ['selectAgainMs', 'SELECT INBOX again (ms)', 'lower'],
    ['fetchFlagsMs', '`UID FETCH 1:* (FLAGS)` (ms)', 'lower'],
    ['searchUnseenMs', '`UID SEARCH UNSEEN` (ms)', 'lower'],
    ['searchFlaggedMs', '`UID SEARCH FLAGGED` (ms)', 'lower'],
    ['searchSubjectMs', `\`UID SEARCH SUBJECT "${SUBJECT_WORD}"\` (ms)`, 'lower'],
    ['searchBodyMs', `\`UID SEARCH BODY "${BODY_WORD}"\` (ms)`, 'lower'],
    ['appendPerSecond', `APPEND, ${APPENDS} pipelined on one connection (LITERAL+): messages/s`, 'higher'],
    ['memoryMiB', 'server memory with the mailbox selected (MiB, PSS of all its processes)', 'lower'],
  ];
  const byKey = new Map(measures.map(([key, measure, better]) => [key, { measure, better, heron: [], reference: [] } as Row]));
  rows.push(...byKey.values());
  for (let run = 1; run <= RUNS; run++) {
    for (const heron of order(run)) {
      if (!heron && !s.dovecot) continue;
      const account: Account = heron
        ? { port: s.heron.ports.imaps, user: `big@${HERON_DOMAIN}`, password: PASSWORD }
        : { port: s.dovecot!.imapsPort, user: `big@${REF_DOMAIN}`, password: PASSWORD };
      const memory = heron ? () => pssMiB([s.heron.pid]) : () => pssMiB(s.dovecot!.pids());
      const r = await largeMailbox(account, { appends: APPENDS, memory, subjectWord: SUBJECT_WORD, bodyWord: BODY_WORD });
      for (const [key] of measures) {
        const row = byKey.get(key)!;
        (heron ? row.heron : row.reference).push(r[key] as number);
      }
      log(
        `  run ${run} ${both(heron).padEnd(15)} ${r.messages} messages: SELECT ${formatNumber(r.firstSelectMs)} ms, again ${formatNumber(r.selectAgainMs)} ms; FETCH FLAGS ${formatNumber(r.fetchFlagsMs)} ms (${formatNumber(r.fetchFlagsBytes / 1e6)} MB); ` +
          `SEARCH UNSEEN ${formatNumber(r.searchUnseenMs)} ms (${r.hits.unseen} hits), FLAGGED ${formatNumber(r.searchFlaggedMs)} ms (${r.hits.flagged}), SUBJECT ${formatNumber(r.searchSubjectMs)} ms (${r.hits.subject}), BODY ${formatNumber(r.searchBodyMs)} ms (${r.hits.body}); ` +
          `APPEND ${formatNumber(r.appendPerSecond)}/s; memory ${formatNumber(r.memoryMiB)} MiB${heron ? ` (RSS ${formatNumber(rssOf(s.heron.pid) / 2 ** 20)} MiB)` : ''}`,
      );
    }
  }
}

async function main(): Promise<void> {
  log(`Heron vs Postfix/Dovecot — ${machineLine()}`);
  if (!fs.existsSync(SMTP_SOURCE) && only.has('smtp')) {
    log(`smtp phase skipped: ${SMTP_SOURCE} not found (Debian package postfix)`);
    only.delete('smtp');
  }
  const dovecotWhyNot = dovecotUnavailable();
  const postfixWhyNot = postfixUnavailable() ?? (dovecotWhyNot ? 'it delivers to the private Dovecot over LMTP, which cannot run' : null);
  if (dovecotWhyNot) log(`Dovecot reference skipped: ${dovecotWhyNot}`);
  if (postfixWhyNot) log(`Postfix reference skipped: ${postfixWhyNot}`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heron-compare-'));
  onCleanup(`temp folder ${tmp}`, () => fs.rmSync(tmp, { recursive: true, force: true }));
  // Postfix's and Dovecot's unprivileged users must be able to pass through to their folders.
  fs.chmodSync(tmp, 0o711);
  const dns = await startDns({ 'sender.test': ['v=spf1 ip4:127.0.0.1 -all'], '_dmarc.sender.test': ['v=DMARC1; p=none'] });
  onCleanup('loopback DNS', () => dns.close());

  const users = ['smtp', 'mixed', ...(only.has('large') ? ['big'] : [])];
  const bigMessage = (i: number) => ({ raw: sample(i), flags: sampleFlags(i) });
  const counts: Record<string, number> = { smtp: 0, mixed: MIXED_MESSAGES, big: BIG };
  log(`preparing: ${users.map((u) => `${u} (${formatNumber(counts[u])} messages)`).join(', ')} on each server…`);
  const heronData = path.join(tmp, 'heron');
  const database = await benchDatabase();
  let t = Date.now();
  const fillRate = await fillHeron(
    heronData,
    PASSWORD,
    database.env,
    users.map((u) => ({ user: `${u}@${HERON_DOMAIN}`, count: counts[u], message: u === 'big' ? bigMessage : (i) => ({ raw: sample(i), flags: [] }) })),
  );
  log(`  Heron: filled through the store in ${formatNumber((Date.now() - t) / 1000)} s (${formatNumber(fillRate)} messages/s)`);
  let dovecot: Dovecot | null = null;
  let postfix: Postfix | null = null;
  if (!dovecotWhyNot) {
    t = Date.now();
    const dir = path.join(tmp, 'dovecot');
    const maildir = (u: string) => path.join(dir, 'mail', REF_DOMAIN, u, 'Maildir');
    for (const u of users) writeMaildir(maildir(u), counts[u], u === 'big' ? bigMessage : (i) => ({ raw: sample(i), flags: [] }));
    dovecot = await startDovecot({ dir, users: users.map((u) => `${u}@${REF_DOMAIN}`), password: PASSWORD });
    const written = (Date.now() - t) / 1000;
    t = Date.now();
    // Dovecot builds its index of a maildir at the first SELECT: part of filling it, not of the measures.
    for (const u of users) await logout(await selected({ port: dovecot.imapsPort, user: `${u}@${REF_DOMAIN}`, password: PASSWORD }));
    log(
      `  Dovecot ${dovecot.version}: maildirs written in ${formatNumber(written)} s, indexed by a first SELECT in ${formatNumber((Date.now() - t) / 1000)} s; IMAPS 127.0.0.1:${dovecot.imapsPort}, LMTP 127.0.0.1:${dovecot.lmtpPort}`,
    );
  }
  if (!postfixWhyNot && dovecot) {
    postfix = await startPostfix({ dir: path.join(tmp, 'postfix'), domain: REF_DOMAIN, lmtpPort: dovecot.lmtpPort });
    log(`  Postfix ${postfix.version}: smtpd on 127.0.0.1:${postfix.smtpPort}, virtual domain ${REF_DOMAIN} → Dovecot LMTP`);
  }
  const heronEnv = { ...database.env, HERON_DNS: dns.address };
  const heron = await startBenchHeron(heronData, { env: heronEnv, cpuProfileDir: PROFILE ? '/tmp/heron-prof' : undefined });
  log(`  Heron: MX 127.0.0.1:${heron.ports.smtp} (SPF/DKIM/DMARC scoring against DNS ${dns.address}), IMAPS 127.0.0.1:${heron.ports.imaps}, ${database.engine === 'SQLite' ? 'SQLite synchronous=FULL' : 'PostgreSQL'}`);
  const servers: Servers = { heron, dovecot, postfix };

  const smtpRows: Row[] = [];
  const imapRows: Row[] = [];
  const largeRows: Row[] = [];
  if (only.has('smtp')) {
    log(`\nSMTP (${RUNS} runs, alternating)`);
    await smtpPhase(servers, smtpRows);
  }
  if (only.has('imap')) {
    log(`\nIMAP mixed load (${RUNS} runs of ${IMAP_SECONDS} s, alternating)`);
    await imapPhase(servers, imapRows);
  }
  if (only.has('large')) {
    // A fresh Heron process, so its memory figure is the large mailbox's, not the earlier loads'.
    await servers.heron.stop();
    servers.heron = await startBenchHeron(heronData, { env: heronEnv, cpuProfileDir: PROFILE ? '/tmp/heron-prof' : undefined });
    log(`\nLarge mailbox, ${formatNumber(BIG)} messages (${RUNS} runs, alternating; Heron restarted before this phase)`);
    await largePhase(servers, largeRows);
  }
  await servers.heron.stop();

  log(`\n## Heron vs Postfix ${postfix?.version ?? '(skipped)'} + Dovecot ${dovecot?.version.split(' ')[0] ?? '(skipped)'}\n`);
  log(`${machineLine()}\n`);
  log('Each cell lists every run (runs alternate which server goes first); the ratio is Heron ÷ reference of the medians; "better" names the faster or smaller one and by how much.\n');
  if (smtpRows.length) log(table('Postfix → Dovecot LMTP', smtpRows) + '\n');
  if (imapRows.length || largeRows.length) log(table('Dovecot', [...imapRows, ...largeRows]) + '\n');
}

await withCleanup(main);
