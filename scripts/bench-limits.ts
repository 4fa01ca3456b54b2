// Floods of issue 10 §2 against a Heron in its own process, with the server's
// RSS (from /proc) and the latency of /health and of an SMTP greeting, asked
// from another loopback address while each flood runs:
//
//   1. sign-in flood: rounds of N concurrent 31 MB bodies to the unauthenticated
//      sign-in route (half with Content-Length, half chunked);
//   2. IMAP flood: M cleartext connections from 100 addresses, held open (past
//      HERON_IMAP_MAX_PER_CLIENT, 50, they are refused);
//   3. a signed-in 30 MB JSON:API document (a 22 MB message as base64) stored
//      through POST /api/mail: JSON parsed in the worker; the rest (base64,
//      MIME indexing, the store) still runs on the event loop.
//
//   npm run bench:limits -- [--bodies 20] [--rounds 3] [--imap 6000]
import net from 'node:net';
import { parseArgs } from 'node:util';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, tempDir } from '../tests/helpers/heron.ts';
import { rssOf, startHeronProcess } from '../tests/helpers/heron-process.ts';
import { healthProbe, signinFlood, statusOf } from '../tests/helpers/raw-http.ts';

const { values } = parseArgs({ options: { bodies: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' }, imap: { type: 'string', default: '6000' } } });
const BODIES = Number(values.bodies);
const ROUNDS = Number(values.rounds);
const IMAP_CONNECTIONS = Number(values.imap);
const MB = 1e6;

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))].toFixed(1);
  return `n=${s.length} median ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
}

/** Samples the server's RSS and probes /health from 127.0.0.2 until `work` settles. */
async function during<T>(pid: number, api: number, work: Promise<T>): Promise<{ result: T; peak: number; health: number[]; failures: number }> {
  let peak = rssOf(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
  let done = false;
  const health: number[] = [];
  let failures = 0;
  const probing = (async () => {
    while (!done || health.length + failures === 0) {
      const p = await healthProbe(api, '127.0.0.2');
      if (p.status === 200) health.push(p.ms);
      else failures++;
    }
  })();
  const result = await work;
  done = true;
  await probing;
  clearInterval(sampler);
  return { result, peak: Math.max(peak, rssOf(pid)), health, failures };
}

async function smtpGreeting(port: number, from: string): Promise<number> {
  const started = performance.now();
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve());
    socket.once('error', reject);
    setTimeout(() => reject(new Error('no SMTP greeting in 10 s')), 10_000).unref();
  });
  socket.destroy();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const dataDir = tempDir('heron-bench-');
  const heron = await startHeronProcess(dataDir);
  try {
    const { pid, ports } = heron;
    const quiet: number[] = [];
    for (let i = 0; i < 50; i++) quiet.push((await healthProbe(ports.api, '127.0.0.2')).ms);
    const start = rssOf(pid);
    console.log(`heron limits bench (pid ${pid}); server RSS at start ${(start / MB).toFixed(0)} MB`);
    console.log(`  /health, quiet:                        ${summary(quiet)}`);

    // 1. sign-in flood
    for (let round = 1; round <= ROUNDS; round++) {
      const before = rssOf(pid);
      const t = performance.now();
      const run = await during(pid, ports.api, signinFlood(ports.api, BODIES, 31_000_000));
      const ms = performance.now() - t;
      const codes = run.result.map((r) => statusOf(r.received));
      const sent = run.result.reduce((n, r) => n + r.sent, 0);
      console.log(
        `  sign-in flood ${round}/${ROUNDS}: ${BODIES} × 31 MB → ${codes.filter((c) => c === 413).length} × 413 in ${ms.toFixed(0)} ms ` +
          `(clients got ${(sent / MB).toFixed(0)} MB out before the refusal); RSS ${(before / MB).toFixed(0)} → peak ${(run.peak / MB).toFixed(0)} MB ` +
          `(+${((run.peak - before) / MB).toFixed(1)} MB); /health during: ${summary(run.health)}${run.failures ? `, ${run.failures} failed` : ''}`,
      );
    }

    // 2. IMAP flood, held open while SMTP and /health are asked
    const before = rssOf(pid);
    const sockets: net.Socket[] = [];
    let admitted = 0;
    let refused = 0;
    const flood = (async () => {
      for (let i = 0; i < IMAP_CONNECTIONS; i++) {
        const socket = net.connect({ port: ports.imap, host: '127.0.0.1', localAddress: `127.0.4.${(i % 100) + 1}` });
        socket.on('error', () => undefined);
        sockets.push(socket);
        await new Promise<void>((resolve) => {
          socket.once('data', (d: Buffer) => {
            if (d.toString().startsWith('* OK')) admitted++;
            else refused++;
            resolve();
          });
          socket.once('close', () => resolve());
        });
      }
      const smtp: number[] = [];
      for (let i = 0; i < 20; i++) smtp.push(await smtpGreeting(ports.smtp, '127.0.0.3'));
      return smtp;
    })();
    const imapRun = await during(pid, ports.api, flood);
    console.log(
      `  IMAP flood: ${IMAP_CONNECTIONS} connections from 100 addresses → ${admitted} greeted, ${refused} refused; ` +
        `RSS ${(before / MB).toFixed(0)} → peak ${(imapRun.peak / MB).toFixed(0)} MB; SMTP greeting meanwhile: ${summary(imapRun.result)}; /health: ${summary(imapRun.health)}`,
    );
    sockets.forEach((s) => s.destroy());

    // 3. a signed-in 30 MB JSON body: parsed off the event loop
    const signin = await fetch(`http://127.0.0.1:${ports.api}/action/user_account/signin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ attributes: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }),
    });
    const token = ((await signin.json()) as Array<{ ResponseType: string; Attributes: { value?: string } }>).find((e) => e.ResponseType === 'client.store.set')!.Attributes.value!;
    // A 22 MB message as base64 in a JSON:API document (30 MB), filed into the first mailbox.
    const boxes = await fetch(`http://127.0.0.1:${ports.api}/api/mail_box?page[size]=1`, { headers: { Authorization: `Bearer ${token}` } });
    const boxId = ((await boxes.json()) as { data: Array<{ id: string }> }).data[0].id;
    const raw = Buffer.from(`From: a@example.org\r\nTo: postmaster@heron.test\r\nSubject: big\r\n\r\n${'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\r\n'.repeat(290_000)}`);
    const big = JSON.stringify({ data: { type: 'mail', attributes: { mail: raw.toString('base64') }, relationships: { mail_box_id: { data: { type: 'mail_box', id: boxId } } } } });
    const head = `POST /api/mail HTTP/1.1\r\nHost: heron\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/vnd.api+json\r\nContent-Length: ${big.length}\r\nConnection: close\r\n\r\n`;
    const bodyRun = await during(
      pid,
      ports.api,
      (async () => {
        const socket = net.connect({ port: ports.api, host: '127.0.0.1' });
        await new Promise<void>((r) => socket.once('connect', () => r()));
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
        socket.write(head);
        socket.write(big);
        await new Promise<void>((r) => socket.once('close', () => r()));
        return statusOf(text);
      })(),
    );
    console.log(`  signed-in POST /api/mail, ${(big.length / MB).toFixed(0)} MB JSON (a ${(raw.length / MB).toFixed(0)} MB message) → ${bodyRun.result}; RSS peak ${(bodyRun.peak / MB).toFixed(0)} MB; /health during: ${summary(bodyRun.health)}`);
  } finally {
    heron.kill();
    removeDir(dataDir);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
