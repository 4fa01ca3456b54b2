// Request limits of the admin API (README "Limits"): 64 KiB without a token,
// answered 413 on the declared length before the body is sent and while
// counting a chunked one, the connection closed after it; large JSON parsed off
// the event loop with value and depth limits; unauthenticated requests in
// flight and connections per address; and the flood of issue 10 against a
// Heron in its own process (RSS and /health during 20 concurrent 31 MB bodies).
import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { eventually, fetchWithDeadline, within } from '../helpers/deadline.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, startTestHeron, tempDir } from '../helpers/heron.ts';
import { type HeronProcess, rssOf, startHeronProcess } from '../helpers/heron-process.ts';
import { connectSocket } from '../helpers/line-socket.ts';
import { healthProbe, rawRequest, signinFlood, statusOf } from '../helpers/raw-http.ts';

const DEADLINE_MS = 20_000;

async function signinToken(base: string): Promise<string> {
  const res = await fetchWithDeadline(`${base}/action/user_account/signin`, {
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
    const res = await fetchWithDeadline(`${base}/action/user_account/signin`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ attributes: { email: ADMIN_EMAIL, password: 'wrong' } }),
    });
    assert.equal(res.status, 401);
  });

  test('with a token, a large JSON body is parsed (off the event loop) and used', async () => {
    const box = (await (await fetchWithDeadline(`${base}/api/mail_box?page[size]=1`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { data: Array<{ id: string }> };
    const raw = `From: a@example.org\r\nTo: admin@heron.test\r\nSubject: big\r\n\r\n${'x'.repeat(76)}\r\n`.repeat(1) + `${'y'.repeat(76)}\r\n`.repeat(4000);
    const doc = { data: { type: 'mail', attributes: { mail: raw }, relationships: { mail_box_id: { data: { type: 'mail_box', id: box.data[0].id } } } } };
    const body = JSON.stringify(doc);
    assert.ok(body.length > 256 * 1024);
    const res = await fetchWithDeadline(`${base}/api/mail`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json' }, body });
    assert.equal(res.status, 201, await res.clone().text());
    const created = (await res.json()) as { data: { attributes: { size: number } } };
    assert.equal(created.data.attributes.size, raw.length);
  });

  test('with a token, too many values or too deep a document is a 400, and the caller cap is a 413', async () => {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/vnd.api+json' };
    const many = await fetchWithDeadline(`${base}/api/mail`, { method: 'POST', headers, body: `{"data":[${'1,'.repeat(150_000)}1]}` });
    assert.equal(many.status, 400);
    assert.match(await many.text(), /more than 100000 values/);
    const deep = await fetchWithDeadline(`${base}/api/mail`, { method: 'POST', headers, body: '['.repeat(50_000) + ']'.repeat(50_000) });
    assert.equal(deep.status, 400);
    const huge = await fetchWithDeadline(`${base}/api/mail`, { method: 'POST', headers, body: `"${'z'.repeat(3 * 1024 * 1024)}"` });
    assert.equal(huge.status, 413);
    assert.match(await huge.text(), /limited to 2097152 bytes/);
  });

  test('unauthenticated requests in flight from one address are limited (429); another address is not affected', async () => {
    // Two sign-ins that declare 40 bytes and send 5: they stay in flight, reading.
    const slow = 'POST /action/user_account/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"att';
    const holders: net.Socket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const h = await connectSocket(heron.ports.api, false);
        h.on('error', () => undefined);
        holders.push(h);
        h.write(slow);
      }
      // Until both holders are in the route (the server may not have read them yet).
      await eventually(async () => (await fetchWithDeadline(`${base}/health`)).status === 429, 'a third unauthenticated request to be refused with 429');
      assert.equal((await within(healthProbe(heron.ports.api, '127.0.0.2'), DEADLINE_MS, 'health')).status, 200);
      const signedIn = await fetchWithDeadline(`${base}/health`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(signedIn.status, 200, 'callers with a token are not counted');
    } finally {
      holders.forEach((h) => h.destroy());
    }
    // Slots come back when the server has seen the requests end.
    await eventually(async () => (await fetchWithDeadline(`${base}/health`)).status === 200, 'the slots to come back when the requests end');
  });

  test('connections per address are limited; another address still connects', async () => {
    const open: net.Socket[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const s = await connectSocket(heron.ports.api, false, undefined, '127.0.0.3');
        s.on('error', () => undefined);
        open.push(s);
      }
      const seventh = await within(rawRequest(heron.ports.api, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n', 0, { localAddress: '127.0.0.3' }), DEADLINE_MS, 'close');
      assert.equal(seventh.closed, true);
      assert.equal(seventh.received, '', 'closed without an answer');
      assert.equal((await within(healthProbe(heron.ports.api, '127.0.0.4'), DEADLINE_MS, 'health')).status, 200);
    } finally {
      open.forEach((s) => s.destroy());
    }
  });
});

describe('the sign-in flood of issue 10, against Heron in its own process', () => {
  const dataDir = tempDir();
  let heron: HeronProcess;
  before(async () => {
    heron = await startHeronProcess(dataDir);
  });
  after(() => {
    heron.kill();
    removeDir(dataDir);
  });

  test('20 concurrent 31 MB bodies all get 413, RSS grows < 100 MB, /health answers during the flood', async () => {
    const { pid } = heron;
    const api = heron.ports.api;
    // Warm up what the first requests load, then take the baseline.
    for (let i = 0; i < 5; i++) assert.equal((await healthProbe(api)).status, 200);
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
    const flood = signinFlood(api, 20, 31_000_000);
    // Issued while flood connections are open, from another address, until the flood is over.
    const probes: Array<{ status: number; ms: number }> = [];
    let floodOver = false;
    const probing = (async () => {
      while (!floodOver || probes.length === 0) probes.push(await healthProbe(api, '127.0.0.2'));
    })();
    const results = await within(flood, 120_000, 'flood answers');
    floodOver = true;
    await within(probing, DEADLINE_MS, 'health probes');
    clearInterval(sampler);
    peak = Math.max(peak, rssOf(pid));
    const statuses = results.map((r) => statusOf(r.received));
    const latencies = probes.map((p) => p.ms).sort((a, b) => a - b);
    console.log(
      `flood: 20 × 31 MB → ${statuses.filter((s) => s === 413).length} × 413; client wrote ${(results.reduce((n, r) => n + r.sent, 0) / 1e6).toFixed(1)} MB; ` +
        `server RSS ${(baseline / 1e6).toFixed(0)} MB → peak ${(peak / 1e6).toFixed(0)} MB (+${((peak - baseline) / 1e6).toFixed(1)} MB); ` +
        `/health ×${latencies.length} during it: median ${latencies[Math.floor(latencies.length / 2)].toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms`,
    );
    assert.deepEqual(statuses, Array(20).fill(413));
    assert.ok(peak - baseline < 100 * 1024 * 1024, `RSS grew by ${(peak - baseline) / 1e6} MB`);
    assert.ok(probes.every((p) => p.status === 200), `health: ${probes.map((p) => p.status).join(',')}`);
    assert.equal(heron.child.exitCode, null, 'the process is still up');
    assert.doesNotMatch(heron.output(), /EMFILE|heap out of memory/);
  });
});
