// The 220 greeting is not held back by a timer: smtp-server's stock 100 ms
// "early talker" pause cost every connection, and so every message of a client
// that connects once per message (smtp-source, many MTAs): ~110 ms a message.
import assert from 'node:assert/strict';
import { after, before, describe, mock, test } from 'node:test';
import { message, RawSmtp } from './client.ts';
import { startDns, type TestDns } from './dns.ts';
import { POSTMASTER, mailboxOf, smtpHeron, stopHeron, type TestHeron } from './fixtures.ts';

const DEADLINE_MS = 10_000;

/** Resolves with `work`, or rejects after DEADLINE_MS measured by a clock setTimeout mocks cannot stop. */
function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      if (Date.now() - started > DEADLINE_MS) reject(new Error(`${what}: nothing within ${DEADLINE_MS} ms`));
    }, 50);
  });
  return Promise.race([work, deadline]).finally(() => clearInterval(timer));
}

let dns: TestDns;
let heron: TestHeron;
before(async () => {
  dns = await startDns({ 'remote.test': ['v=spf1 ip4:127.0.0.1 -all'] });
  heron = await smtpHeron({ env: { HERON_DNS: dns.address } });
});
after(async () => {
  await stopHeron(heron);
  await dns.close();
});

describe('SMTP greeting', () => {
  test('the 220 greeting is sent without waiting for any timer', async () => {
    // With setTimeout frozen, a greeting that waits on a timer never comes.
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const client = await RawSmtp.connect(heron.ports.smtp);
      const greeting = await withDeadline(client.reply(), 'greeting');
      assert.equal(greeting.code, 220);
      assert.match(greeting.text, /heron\.test/);
      const ehlo = await withDeadline(client.cmd('EHLO client.test'), 'EHLO');
      assert.equal(ehlo.code, 250);
      client.close();
    } finally {
      mock.timers.reset();
    }
  });

  test('a client that connects once per message gets every message stored', async () => {
    const before = (await mailboxOf(heron, POSTMASTER)).length;
    for (let i = 0; i < 5; i++) {
      const client = await RawSmtp.connect(heron.ports.smtp);
      assert.equal((await client.hello('mx.remote.test')).code, 250);
      assert.equal((await client.cmd('MAIL FROM:<bob@remote.test>')).code, 250);
      assert.equal((await client.cmd(`RCPT TO:<${POSTMASTER}>`)).code, 250);
      assert.equal((await client.cmd('DATA')).code, 354);
      // Written in pieces, as smtp-source and many MTAs do.
      const text = message({ subject: `per-connection ${i}` });
      client.write(text.slice(0, 40));
      client.write(text.slice(40));
      const done = await client.cmd('.');
      assert.equal(done.code, 250, done.text);
      await client.quit();
    }
    const stored = await mailboxOf(heron, POSTMASTER);
    assert.equal(stored.length, before + 5);
    assert.deepEqual(
      stored.slice(-5).map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1]?.trim()),
      [0, 1, 2, 3, 4].map((i) => `per-connection ${i}`),
    );
  });
});
