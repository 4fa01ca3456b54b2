// Per-session SMTP error limits (smtpd/error-limits.ts), as Postfix's
// smtpd_soft_error_limit / smtpd_hard_error_limit: after the soft limit each
// error reply is delayed longer, at the hard limit the session gets 421 4.7.0
// and is closed. Raw transcripts over real sockets; every read has a deadline.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { message, RawSmtp } from './client.ts';
import { ALICE, ALICE_PASSWORD, POSTMASTER, smtpHeron, stopHeron, type TestHeron } from './fixtures.ts';

const DELAY = 40;

describe('SMTP error limits', () => {
  let heron: TestHeron;
  before(async () => {
    // The defaults: soft 10, hard 20; a short delay keeps the test quick.
    heron = await smtpHeron({ env: { HERON_SMTP_ERROR_DELAY_MS: String(DELAY), HERON_SMTP_MAX_RECIPIENTS: '2' } });
  });
  after(() => stopHeron(heron));

  async function mx(localAddress?: string): Promise<RawSmtp> {
    const c = await RawSmtp.connect(heron.ports.smtp, { localAddress });
    await c.hello();
    assert.equal((await c.cmd('MAIL FROM:<prober@example.org>')).code, 250);
    return c;
  }

  async function waitClosed(c: RawSmtp): Promise<void> {
    await c.readUntil(() => c.isClosed);
  }

  test('25 unknown recipients: 550s, the later ones delayed longer each time, then 421 4.7.0 and the connection is closed', async () => {
    const c = await mx();
    const replies: string[] = [];
    const took: number[] = [];
    for (let i = 1; i <= 20; i++) {
      const started = performance.now();
      replies.push((await c.cmd(`RCPT TO:<nobody${i}@heron.test>`)).text);
      took.push(performance.now() - started);
    }
    assert.ok(replies.every((r) => /^550 5\.1\.1 /.test(r)), replies.join('\n'));
    // Lower bounds only: the n-th error past the soft limit waits n × DELAY.
    for (let n = 1; n <= 10; n++) assert.ok(took[9 + n] >= n * DELAY * 0.9, `error ${10 + n} waited ${took[9 + n]} ms`);
    assert.match((await c.reply()).text, /^421 4\.7\.0 .*too many errors/);
    for (let i = 21; i <= 25 && !c.isClosed; i++) c.write(`RCPT TO:<nobody${i}@heron.test>\r\n`);
    await waitClosed(c);
  });

  test('pipelined, the replies stay in order: 20 × 550 then 421', async () => {
    const c = await mx();
    c.write(Array.from({ length: 25 }, (_, i) => `RCPT TO:<piped${i}@heron.test>\r\n`).join(''));
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await c.reply()).code);
    assert.deepEqual(codes, [...Array(20).fill(550), 421]);
    await waitClosed(c);
  });

  test('other errors count too: unknown commands and commands out of sequence', async () => {
    const c = await RawSmtp.connect(heron.ports.smtp);
    await c.hello();
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await c.cmd('FROBNICATE')).code);
    for (let i = 0; i < 6; i++) codes.push((await c.cmd(`RCPT TO:<${POSTMASTER}>`)).code); // no MAIL yet
    for (let i = 0; i < 6; i++) codes.push((await c.cmd('MAIL FROM:<bad address@example.org>')).code);
    assert.ok(codes.every((code) => code >= 500), codes.join(' '));
    assert.equal((await c.reply()).code, 421);
    await waitClosed(c);
  });

  test('failed AUTH counts as an error', async () => {
    const c = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true, localAddress: '127.0.0.31' });
    await c.hello();
    const codes: number[] = [];
    // 535 until the address is throttled, then 454: errors all the same.
    for (let i = 0; i < 20; i++) codes.push((await c.authPlain(ALICE, `wrong-${i}`)).code);
    assert.ok(codes.every((code) => code === 535 || code === 454), codes.join(' '));
    assert.match((await c.reply()).text, /^421 4\.7\.0 /);
    await waitClosed(c);
  });

  test('recipients over the per-message limit (452 4.5.3) are not errors: the client is told to send them in another transaction', async () => {
    const c = await mx();
    assert.equal((await c.cmd(`RCPT TO:<${ALICE}>`)).code, 250);
    assert.equal((await c.cmd(`RCPT TO:<${POSTMASTER}>`)).code, 250);
    for (let i = 0; i < 25; i++) assert.match((await c.cmd(`RCPT TO:<more${i}@heron.test>`)).text, /^452 4\.5\.3 /);
    assert.equal((await c.cmd('DATA')).code, 354);
    assert.equal((await c.cmd(`${message({ to: ALICE })}.`)).code, 250);
    await c.quit();
  });

  test('a delivered message resets the count, as Postfix does ("errors without delivering mail")', async () => {
    const c = await mx();
    for (let i = 0; i < 15; i++) assert.equal((await c.cmd(`RCPT TO:<first${i}@heron.test>`)).code, 550);
    assert.equal((await c.cmd(`RCPT TO:<${ALICE}>`)).code, 250);
    assert.equal((await c.cmd('DATA')).code, 354);
    assert.equal((await c.cmd(`${message({ to: ALICE })}.`)).code, 250);
    assert.equal((await c.cmd('MAIL FROM:<prober@example.org>')).code, 250);
    for (let i = 0; i < 15; i++) assert.equal((await c.cmd(`RCPT TO:<second${i}@heron.test>`)).code, 550);
    assert.equal(c.isClosed, false);
    await c.quit();
  });

  test('the count is per session: another session and the same credentials are unaffected', async () => {
    const prober = await mx();
    for (let i = 0; i < 15; i++) await prober.cmd(`RCPT TO:<probe${i}@heron.test>`);
    const other = await mx();
    assert.equal((await other.cmd(`RCPT TO:<${ALICE}>`)).code, 250);
    assert.equal((await other.cmd('RCPT TO:<unknown@heron.test>')).code, 550);
    await other.quit();
    await prober.quit();
    // The credentials still work from a clean address: the error limit is per session.
    const sub = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true, localAddress: '127.0.0.32' });
    await sub.hello();
    assert.equal((await sub.authPlain(ALICE, ALICE_PASSWORD)).code, 235);
    await sub.quit();
  });
});
