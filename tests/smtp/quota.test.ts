// Delivery to an account at or over its quota (RFC 9208 limits set on
// mail_account): 552 5.2.2 at RCPT when the account is full or MAIL FROM's
// SIZE= cannot fit (only that recipient is refused), 552 5.2.2 at DATA when
// the message itself does not fit (nothing stored for anyone), and concurrent
// deliveries racing the last room: exactly as many accepted as fit.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { accountQuota, findMailAccount, setAccountQuota } from '../../schema/index.ts';
import { SMTP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { message, RawSmtp } from './client.ts';
import { startDns, type TestDns } from './dns.ts';
import { ALICE, mailboxOf, POSTMASTER, smtpHeron, stopHeron, storedCounts, type TestHeron } from './fixtures.ts';

let heron: TestHeron;
let dns: TestDns;
let alice: number;

before(async () => {
  dns = await startDns();
  heron = await smtpHeron({ env: { HERON_DNS: dns.address } });
  alice = (await findMailAccount(heron.store, ALICE))!.id;
});
after(async () => {
  await stopHeron(heron);
  await dns.close();
});

async function mx(): Promise<RawSmtp> {
  const c = await RawSmtp.connect(heron.ports.smtp);
  assert.equal((await c.hello()).code, 250);
  return c;
}

/** A message of exactly `size` bytes as sent (before Heron prepends its headers). */
function sized(subject: string, size: number): string {
  const head = message({ to: ALICE, subject, body: '' });
  return head + 'x'.repeat(size - head.length - 2) + '\r\n';
}

/** Sends a whole transaction; returns the RCPT replies' codes and the final reply. */
async function send(c: RawSmtp, mailFrom: string, to: string[], body: string) {
  assert.equal((await c.cmd(`MAIL FROM:${mailFrom}`)).code, 250);
  const rcpts = [];
  for (const rcpt of to) rcpts.push(await c.cmd(`RCPT TO:<${rcpt}>`));
  const data = await c.cmd('DATA');
  if (data.code !== 354) return { rcpts, final: data };
  c.write(body + '.\r\n');
  return { rcpts, final: await c.reply() };
}

describe('SMTP delivery and quotas', () => {
  beforeEach(async () => {
    await setAccountQuota(heron.store, alice, { storageBytes: null, messages: null });
  });

  test('a full account is refused at RCPT with 552 5.2.2; the other recipients still get the message', async () => {
    const c = await mx();
    assert.equal((await send(c, '<bob@remote.test>', [ALICE], sized('fills', 2000))).final.code, 250);
    const used = await accountQuota(heron.store, alice);
    await setAccountQuota(heron.store, alice, { messages: used.messagesUsed });
    const before = (await mailboxOf(heron, ALICE)).length;
    const { rcpts, final } = await send(c, '<bob@remote.test>', [ALICE, POSTMASTER], sized('to both', 2000));
    assert.equal(rcpts[0].code, 552);
    assert.match(rcpts[0].text, /^552 5\.2\.2 <alice@heron\.test>: mailbox full/);
    assert.equal(rcpts[1].code, 250);
    assert.equal(final.code, 250, final.text);
    assert.equal((await mailboxOf(heron, ALICE)).length, before, 'nothing for alice');
    assert.ok((await mailboxOf(heron, POSTMASTER)).some((m) => m.raw.includes('Subject: to both')), 'postmaster got it');
    // Only recipient full: DATA has nobody to deliver to.
    const alone = await send(c, '<bob@remote.test>', [ALICE], sized('alone', 500));
    assert.equal(alone.rcpts[0].code, 552);
    assert.equal(alone.final.code, 503);
    assert.equal((await c.cmd('RSET')).code, 250);
    await c.quit();
  });

  test("MAIL FROM's SIZE= that cannot fit is refused at RCPT; a message that does not fit is refused at DATA, nothing stored", async () => {
    const q = await accountQuota(heron.store, alice);
    await setAccountQuota(heron.store, alice, { storageBytes: q.storageUsedBytes + 3000 });
    const c = await mx();
    const declared = await send(c, '<bob@remote.test> SIZE=5000', [ALICE], sized('declared', 5000));
    assert.match(declared.rcpts[0].text, /^552 5\.2\.2 /);
    assert.equal((await c.cmd('RSET')).code, 250);
    // Undeclared: RCPT passes, DATA is refused for every recipient (one reply covers them all).
    const counts = await storedCounts(heron);
    const { rcpts, final } = await send(c, '<bob@remote.test>', [ALICE, POSTMASTER], sized('too big', 5000));
    assert.deepEqual(
      rcpts.map((r) => r.code),
      [250, 250],
    );
    assert.equal(final.code, 552);
    assert.match(final.text, /^552 5\.2\.2 <alice@heron\.test>: mailbox full/);
    assert.deepEqual(await storedCounts(heron), counts, 'nothing stored for anyone');
    // A message that fits still goes through on the same connection.
    assert.equal((await send(c, '<bob@remote.test> SIZE=1000', [ALICE], sized('fits', 1000))).final.code, 250);
    await c.quit();
  });

  test('nodemailer sees the 552 5.2.2 refusal', async () => {
    await setAccountQuota(heron.store, alice, { messages: 0 });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: heron.ports.smtp, secure: false, ignoreTLS: true, ...SMTP_CLIENT_DEADLINES });
    await assert.rejects(transport.sendMail({ from: 'bob@remote.test', to: ALICE, subject: 'refused', text: 'no room' }), (err: Error & { responseCode?: number; response?: string }) => {
      assert.equal(err.responseCode, 552);
      assert.match(err.response ?? '', /5\.2\.2/);
      return true;
    });
  });

  test('three concurrent deliveries with room for two: two accepted, the last refused with 552 5.2.2, usage exact', async () => {
    const q = await accountQuota(heron.store, alice);
    await setAccountQuota(heron.store, alice, { messages: q.messagesUsed + 2 });
    const clients = await Promise.all([mx(), mx(), mx()]);
    for (const c of clients) {
      assert.equal((await c.cmd('MAIL FROM:<bob@remote.test>')).code, 250);
      assert.equal((await c.cmd(`RCPT TO:<${ALICE}>`)).code, 250);
      assert.equal((await c.cmd('DATA')).code, 354);
    }
    // All three bodies end at once: the deliveries race for the last two places.
    for (const [i, c] of clients.entries()) c.write(sized(`race ${i}`, 800) + '.\r\n');
    const finals = await Promise.all(clients.map((c) => c.reply()));
    assert.deepEqual(finals.map((f) => f.code).sort(), [250, 250, 552], finals.map((f) => f.text).join('\n'));
    assert.match(finals.find((f) => f.code === 552)!.text, /^552 5\.2\.2 /);
    const after = await accountQuota(heron.store, alice);
    assert.equal(after.messagesUsed, q.messagesUsed + 2);
    const real = (await heron.store.get<{ n: number; bytes: number }>(`SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM mail WHERE mail_account_id = ?`, alice))!;
    assert.equal(Number(real.n), after.messagesUsed);
    assert.equal(Number(real.bytes), after.storageUsedBytes);
    for (const c of clients) await c.quit();
  });
});
