// Request limits of the admin API (README "Limits"): 64 KiB without a token,
// answered 413 on the declared length before the body is sent and while
// counting a chunked one, the connection closed after it; large JSON parsed off
// the event loop with value and depth limits; unauthenticated requests in
// flight and connections per address; and the flood of issue 10 against a
// Heron in its own process (RSS and /health during 20 concurrent 31 MB bodies).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, startTestHeron, tempDir, testEnv } from '../helpers/heron.ts';

const DEADLINE_MS = 20_000;

/** Fails when `promise` has not settled within `ms`: silence fails a test, never hangs it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface RawExchange {
  /** Everything the server sent (latin1). */
  received: string;
  /** Whether the server closed the connection. */
  closed: boolean;
  /** Body bytes the client managed to write before the answer came or the connection closed. */
  sent: number;
}

/**
 * Sends a request by hand: `head` as given, then (unless `body` is 0) up to
 * `body` bytes from a shared buffer with backpressure, stopping as soon as a
 * response has arrived, as RFC 9112 §9.3 asks of a client.
 */
function rawRequest(port: number, head: string, body: number, options: { localAddress?: string; chunked?: boolean } = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: options.localAddress });
    const out: RawExchange = { received: '', closed: false, sent: 0 };
    const piece = Buffer.alloc(1024 * 1024, 0x61);
    let answered = false;
    socket.on('data', (d: Buffer) => {
      out.received += d.toString('latin1');
      if (/\r\n\r\n/.test(out.received)) answered = true;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      out.closed = true;
      resolve(out);
    });
    socket.on('connect', async () => {
      socket.write(head);
      while (out.sent < body && !answered && !out.closed) {
        const n = Math.min(piece.length, body - out.sent);
        const chunk = options.chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), piece.subarray(0, n), Buffer.from('\r\n')]) : piece.subarray(0, n);
        out.sent += n;
        if (!socket.write(chunk)) await new Promise<void>((r) => {
          socket.once('drain', r);
          socket.once('close', r);
        });
      }
      // Done sending (or answered): wait for the server's close, but never for long.
      setTimeout(() => socket.destroy(), 3000).unref();
    });
  });
}

function statusOf(received: string): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
  return m ? Number(m[1]) : 0;
}

async function signinToken(base: string): Promise<string> {
  const res = await fetch(`${base}/action/user_account/signin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ attributes: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }),
  });
  const body = (await res.json()) as Array<{ ResponseType: string; Attributes: { value?: string } }>;
  return body.find((e) => e.ResponseType === 'client.store.set')!.Attributes.value!;
}

describe('request bodies and request limits', () => {
  let heron: Awaited<ReturnType<typeof startTestHeron>>;
  let base: string;
  let token: string;
  before(async () => {
    heron = await startTestHeron({ env: { HERON_API_MAX_ANONYMOUS_PER_CLIENT: '2', HERON_API_MAX_PER_CLIENT: '6', HERON_API_MAX_BODY_MB: '2' } });
    base = `http://127.0.0.1:${heron.ports.api}`;
    token = await signinToken(base);
  });
  after(async () => {
    await heron.stop();
    removeDir(heron.dataDir);
  });

  test('without a token, a declared length past 64 KiB gets 413 before the body is sent, and the connection closes', async () => {
    const head = `POST /action/user_account/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${65 * 1024}\r\n\r\n`;
    const out = await within(rawRequest(heron.ports.api, head, 0), DEADLINE_MS, 'answer');
    assert.equal(statusOf(out.received), 413);
    assert.match(out.received, /\r\nConnection: close\r\n/i);
    assert.match(out.received, /limited to 65536 bytes/);
    assert.equal(out.closed, true);
  });

  test('Expect: 100-continue past the cap gets 413 and never "100 Continue"', async () => {
    const head = `POST /action/user_account/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 31000000\r\n\r\n`;
    const out = await within(rawRequest(heron.ports.api, head, 0), DEADLINE_MS, 'answer');
    assert.equal(statusOf(out.received), 413);
    assert.doesNotMatch(out.received, /100 Continue/);
  });

  test('a chunked body is counted while read: 413 once past 64 KiB, and the rest is not read', async () => {
    const head = 'POST /action/user_account/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const out = await within(rawRequest(heron.ports.api, head, 31_000_000, { chunked: true }), DEADLINE_MS, 'answer');
    assert.equal(statusOf(out.received), 413);
    assert.equal(out.closed, true);
    assert.ok(out.sent < 31_000_000, `the client could stop early (sent ${out.sent})`);
  });

  test('a small sign-in still works and answers 401 for a wrong password', async () => {
    const res = await fetch(`${base}/action/user_account/signin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ attributes: { email: ADMIN_EMAIL, password: 'wrong' } }),
    });
    assert.equal(res.status, 401);
  });

  test('with a token, a large JSON body is parsed (off the event loop) and used', async () => {
    const box = (await (await fetch(`${base}/api/mail_box?page[size]=1`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { data: Array<{ id: string }> };
    const raw = `From: a@example.org\r\nTo: admin@heron.test\r\nSubject: big\r\n\r\n${'x'.repeat(76)}\r\n`.repeat(1) + `${'y'.repeat(76)}\r\n`.repeat(4000);
    const doc = { data: { type: 'mail', attributes: { mail: raw }, relationships: { mail_box_id: { data: { type: 'mail_box', id: box.data[0].id } } } } };
    const body = JSON.stringify(doc);
    assert.ok(body.length > 256 * 1024);
    const res = await fetch(`${base}/api/mail`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json' }, body });
    assert.equal(res.status, 201, await res.clone().text());
    const created = (await res.json()) as { data: { attributes: { size: number } } };
    assert.equal(created.data.attributes.size, raw.length);
  });

  test('with a token, too many values or too deep a document is a 400, and the caller cap is a 413', async () => {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json' };
    const many = await fetch(`${base}/api/mail`, { method: 'POST', headers, body: `{"data":[${'1,'.repeat(150_000)}1]}` });
    assert.equal(many.status, 400);
    assert.match(await many.text(), /more than 100000 values/);
    const deep = await fetch(`${base}/api/mail`, { method: 'POST', headers, body: '['.repeat(50_000) + ']'.repeat(50_000) });
    assert.equal(deep.status, 400);
    const huge = await fetch(`${base}/api/mail`, { method: 'POST', headers, body: `"${'z'.repeat(3 * 1024 * 1024)}"` });
    assert.equal(huge.status, 413);
    assert.match(await huge.text(), /limited to 2097152 bytes/);
  });

  test('unauthenticated requests in flight from one address are limited (429); another address is not affected', async () => {
    // Two sign-ins that declare 40 bytes and send 5: they stay in flight, reading.
    const slow = 'POST /action/user_account/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"att';
    const holders = [net.connect(heron.ports.api, '127.0.0.1'), net.connect(heron.ports.api, '127.0.0.1')];
    try {
      for (const h of holders) {
        h.on('error', () => undefined);
        await new Promise<void>((r) => h.once('connect', () => r()));
        h.write(slow);
      }
      let third = 0;
      for (let i = 0; i < 50 && third !== 429; i++) {
        third = (await fetch(`${base}/health`)).status; // until both holders are in the route
        if (third !== 429) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(third, 429);
      const elsewhere = await within(rawRequest(heron.ports.api, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 0, { localAddress: '127.0.0.2' }), DEADLINE_MS, 'health');
      assert.equal(statusOf(elsewhere.received), 200);
      const signedIn = await fetch(`${base}/health`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(signedIn.status, 200, 'callers with a token are not counted');
    } finally {
      holders.forEach((h) => h.destroy());
    }
    let after = 0;
    for (let i = 0; i < 50 && after !== 200; i++) {
      after = (await fetch(`${base}/health`)).status;
      if (after !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(after, 200, 'slots come back when the requests end');
  });

  test('connections per address are limited; another address still connects', async () => {
    const open: net.Socket[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const s = net.connect({ port: heron.ports.api, host: '127.0.0.1', localAddress: '127.0.0.3' });
        s.on('error', () => undefined);
        await new Promise<void>((r) => s.once('connect', () => r()));
        open.push(s);
      }
      const seventh = await within(rawRequest(heron.ports.api, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 0, { localAddress: '127.0.0.3' }), DEADLINE_MS, 'close');
      assert.equal(seventh.closed, true);
      assert.equal(seventh.received, '', 'closed without an answer');
      const other = await within(rawRequest(heron.ports.api, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 0, { localAddress: '127.0.0.4' }), DEADLINE_MS, 'health');
      assert.equal(statusOf(other.received), 200);
    } finally {
      open.forEach((s) => s.destroy());
    }
  });
});

/** VmRSS of a process, in bytes. */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

async function startChild(dataDir: string): Promise<{ child: ChildProcess; api: number; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, ...testEnv(dataDir, { HERON_LOG_LEVEL: 'info' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const started = new Promise<number>((resolve, reject) => {
    const check = () => {
      const m = /"msg":"heron started"/.test(out) ? /"api":(\d+)/.exec(out) : null;
      if (m) return resolve(Number(m[1]));
      if (child.exitCode !== null) return reject(new Error(`heron exited: ${out}`));
      setTimeout(check, 50);
    };
    check();
  });
  return { child, api: await within(started, 60_000, 'heron start'), output: () => out };
}

describe('the sign-in flood of issue 10, against Heron in its own process', () => {
  const dataDir = tempDir();
  let heron: Awaited<ReturnType<typeof startChild>>;
  before(async () => {
    heron = await startChild(dataDir);
  });
  after(() => {
    heron.child.kill('SIGKILL');
    removeDir(dataDir);
  });

  test('20 concurrent 31 MB bodies all get 413, RSS grows < 100 MB, /health answers during the flood', async () => {
    const pid = heron.child.pid!;
    // Warm up what the first requests load, then take the baseline.
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`http://127.0.0.1:${heron.api}/health`)).status, 200);
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
    const BODY = 31_000_000;
    const head = `POST /action/user_account/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${BODY}\r\n\r\n`;
    const chunkedHead = 'POST /action/user_account/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    let floodOpen = true;
    const floodStarted = performance.now();
    // Half declare their length, half stream chunked (counted while read).
    const flood = Array.from({ length: 20 }, (_, i) => rawRequest(heron.api, i % 2 ? head : chunkedHead, BODY, { chunked: i % 2 === 0 }));
    const healthLatencies: number[] = [];
    const healthStatuses: number[] = [];
    const probe = async () => {
      // Issued while flood connections are open; from another address.
      while (floodOpen || healthLatencies.length === 0) {
        const t = performance.now();
        const r = await rawRequest(heron.api, 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 0, { localAddress: '127.0.0.2' });
        healthLatencies.push(performance.now() - t);
        healthStatuses.push(statusOf(r.received));
      }
    };
    const probing = probe();
    const results = await within(Promise.all(flood), 120_000, 'flood answers');
    const floodMs = performance.now() - floodStarted;
    floodOpen = false;
    await within(probing, DEADLINE_MS, 'health probes');
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(pid));
    const statuses = results.map((r) => statusOf(r.received));
    const sent = results.reduce((n, r) => n + r.sent, 0);
    console.log(
      `flood: ${results.length} × 31 MB → ${statuses.join(',')}; client wrote ${(sent / 1e6).toFixed(1)} MB in ${floodMs.toFixed(0)} ms; ` +
        `server RSS ${(baseline / 1e6).toFixed(0)} MB → peak ${(peak / 1e6).toFixed(0)} MB (+${((peak - baseline) / 1e6).toFixed(1)} MB); ` +
        `/health ×${healthLatencies.length}: max ${Math.max(...healthLatencies).toFixed(1)} ms, ` +
        `median ${healthLatencies.sort((a, b) => a - b)[Math.floor(healthLatencies.length / 2)].toFixed(1)} ms`,
    );
    assert.deepEqual(statuses, Array(20).fill(413));
    assert.ok(peak - baseline < 100 * 1024 * 1024, `RSS grew by ${(peak - baseline) / 1e6} MB`);
    assert.ok(healthStatuses.length > 0 && healthStatuses.every((s) => s === 200), `health: ${healthStatuses.join(',')}`);
    assert.equal(heron.child.exitCode, null, 'the process is still up');
    assert.doesNotMatch(heron.output(), /EMFILE|heap out of memory/);
  });
});
