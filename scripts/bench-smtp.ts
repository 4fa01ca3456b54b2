// SMTP inbound benchmark: N messages of 4 KiB over 10 parallel sessions to local
// recipients of a Heron running as its own process (`npm start` with a temp
// data folder). Prints accepted messages per second and the time until every
// message is visible over IMAP (an imapflow session polling STATUS INBOX; Heron
// answers 250 only after the commit, so the two are close).
//
//   npm run bench:smtp -- [N] [--submission] [--nodes K] [--mailboxes M]
//
// Default: the MX port, unauthenticated, so every message goes through
// SPF/DKIM/DMARC scoring against a loopback DNS server. --submission sends
// over the implicit-TLS submission port with AUTH instead (no scoring).
// --nodes K (PostgreSQL only) starts K Heron processes on the one database
// (sharing the data folder, as an operator's nodes share the server secret)
// and spreads the sessions over them, 10 per node: compare with --nodes 1 to
// see what another node adds. --mailboxes M spreads the messages over M
// accounts (created before the run) instead of one: the mailbox's row lock
// orders one mailbox's commits, so one mailbox is the hardest case for nodes.
// BENCH_PROF=1 writes a CPU profile of the server process to /tmp/heron-prof.
import net from 'node:net';
import tls from 'node:tls';
import { ImapFlow } from 'imapflow';
import { removeDir, tempDir, TEST_HOSTNAME } from '../tests/helpers/heron.ts';
import { startDns } from '../tests/smtp/dns.ts';
import { onCleanup, withCleanup } from './bench/cleanup.ts';
import { benchDatabase } from './bench/database.ts';
import { fillHeron } from './bench/heron-fill.ts';
import { startBenchHeron } from './bench/heron.ts';

const N = Number(process.argv.find((a, i) => /^\d+$/.test(a) && !['--nodes', '--mailboxes'].includes(process.argv[i - 1])) ?? 2000);
const submission = process.argv.includes('--submission');
const numberAfter = (flag: string) => (process.argv.includes(flag) ? Number(process.argv[process.argv.indexOf(flag) + 1]) : 1);
const NODES = numberAfter('--nodes');
const MAILBOXES = numberAfter('--mailboxes');
const SESSIONS_PER_NODE = 10;
const SESSIONS = SESSIONS_PER_NODE * NODES;
const PASSWORD = 'bench-password-123';
// With --mailboxes, the accounts are made the way the other benchmarks make theirs (on the tests' host name).
const HOSTNAME = MAILBOXES > 1 ? TEST_HOSTNAME : 'heron.bench';
const RCPT = `postmaster@${HOSTNAME}`;
const recipient = (i: number) => (MAILBOXES > 1 ? `box${(i % MAILBOXES) + 1}@${HOSTNAME}` : RCPT);

function body(i: number): string {
  const head = `From: sender@sender.bench\r\nTo: ${recipient(i)}\r\nSubject: bench ${i}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${i}@sender.bench>\r\n\r\n`;
  const line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n';
  let text = head;
  while (text.length + line.length <= 4096) text += line;
  return text + 'x'.repeat(4096 - text.length - 2) + '\r\n';
}

class Session {
  private buf = '';
  private waiters: Array<() => void> = [];
  constructor(private readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buf += d;
      this.waiters.splice(0).forEach((w) => w());
    });
  }
  async reply(): Promise<string> {
    for (;;) {
      const m = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3} [^\r\n]*\r\n/.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m[0].length);
        return m[0];
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  async expect(code: string, line?: string): Promise<void> {
    if (line !== undefined) this.socket.write(line);
    const r = await this.reply();
    if (!r.startsWith(code)) throw new Error(`expected ${code}, got ${r.trim()} after ${line?.slice(0, 40)}`);
  }
}

async function run(port: number, next: () => number | null): Promise<void> {
  const login = submission ? RCPT : null;
  const socket = submission
    ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
    : net.connect({ port, host: '127.0.0.1' });
  await new Promise((r) => socket.once(submission ? 'secureConnect' : 'connect', r));
  const s = new Session(socket);
  await s.expect('220');
  await s.expect('250', 'EHLO mx.sender.bench\r\n');
  if (login) await s.expect('235', `AUTH PLAIN ${Buffer.from(`\0${login}\0${PASSWORD}`).toString('base64')}\r\n`);
  const from = login ?? 'sender@sender.bench';
  for (let i = next(); i !== null; i = next()) {
    // PIPELINING (RFC 2920): MAIL, RCPT and DATA in one write.
    socket.write(`MAIL FROM:<${from}>\r\nRCPT TO:<${recipient(i)}>\r\nDATA\r\n`);
    await s.expect('250');
    await s.expect('250');
    await s.expect('354');
    await s.expect('250', body(i) + '.\r\n');
  }
  socket.end('QUIT\r\n');
}

async function main(): Promise<void> {
  const dns = await startDns({ 'sender.bench': ['v=spf1 ip4:127.0.0.1 -all'] });
  onCleanup('loopback DNS', () => dns.close());
  const dataDir = tempDir('heron-bench-');
  onCleanup(`data folder ${dataDir}`, () => removeDir(dataDir));
  const database = await benchDatabase();
  if (!Number.isInteger(NODES) || NODES < 1 || (NODES > 1 && database.engine !== 'PostgreSQL')) throw new Error('--nodes K needs K ≥ 1, and HERON_DATABASE_URL for K > 1');
  if (!Number.isInteger(MAILBOXES) || MAILBOXES < 1) throw new Error('--mailboxes M needs M ≥ 1');
  const boxes = Array.from({ length: MAILBOXES }, (_, k) => `box${k + 1}@${HOSTNAME}`);
  if (MAILBOXES > 1) await fillHeron(dataDir, PASSWORD, database.env, boxes.map((user) => ({ user, count: 0, message: () => ({ raw: '', flags: [] }) })));
  const nodes = [];
  // One after the other: the first creates the schema, the admin and the mail server.
  for (let i = 0; i < NODES; i++) {
    nodes.push(
      await startBenchHeron(dataDir, {
        env: { ...database.env, HERON_HOSTNAME: HOSTNAME, HERON_ADMIN_PASSWORD: PASSWORD, HERON_DNS: dns.address },
        cpuProfileDir: process.env.BENCH_PROF ? '/tmp/heron-prof' : undefined,
      }),
    );
  }
  const ports = nodes.map((heron) => (submission ? heron.ports.submissions : heron.ports.smtp));
  const imapsPort = nodes[0].ports.imaps;

  const watchers = (MAILBOXES > 1 ? boxes : [RCPT]).map(
    (user) => new ImapFlow({ host: '127.0.0.1', port: imapsPort, secure: true, tls: { rejectUnauthorized: false }, auth: { user, pass: PASSWORD }, logger: false }),
  );
  for (const imap of watchers) await imap.connect();
  let issued = 0;
  const next = () => (issued < N ? issued++ : null);
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: SESSIONS }, (_, i) => run(ports[i % NODES], next)));
  const acceptedMs = Number(process.hrtime.bigint() - start) / 1e6;
  let visible = 0;
  // Polled once the last 250 is in, so the check does not slow the deliveries down.
  const count = async () => {
    let sum = 0;
    for (const imap of watchers) {
      const status = await imap.status('INBOX', { messages: true });
      sum += status ? (status.messages ?? 0) : 0;
    }
    return sum;
  };
  while ((visible = await count()) < N) await new Promise((r) => setTimeout(r, 5));
  const visibleMs = Number(process.hrtime.bigint() - start) / 1e6;

  const where = (NODES > 1 ? `, ${NODES} nodes on one database` : '') + (MAILBOXES > 1 ? `, ${MAILBOXES} mailboxes` : ', one mailbox');
  console.log(`heron smtp bench (${database.engine}${where}): ${N} messages of 4 KiB, ${SESSIONS} parallel sessions, ${submission ? 'submission (implicit TLS + AUTH, no scoring)' : 'MX port (SPF/DKIM/DMARC scoring via loopback DNS)'}`);
  console.log(`  accepted:  ${(N / (acceptedMs / 1000)).toFixed(0)} msg/s  (${acceptedMs.toFixed(0)} ms for all 250s)`);
  console.log(`  in mailbox: ${visible} messages after ${visibleMs.toFixed(0)} ms = ${(N / (visibleMs / 1000)).toFixed(0)} msg/s (IMAP STATUS INBOX)`);

  for (const imap of watchers) await imap.logout();
}

await withCleanup(main);
