// Submission (STARTTLS) and submissions (implicit TLS): AUTH over TLS only,
// 535 5.7.8 and throttling, sender ownership (553 5.7.1), local delivery of
// authenticated mail, and relay: refused with 451 4.3.2 without an outbound
// queue, handed to the RelayHandler when there is one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { createMailAlias, findMailAccount } from '../../schema/index.ts';
import type { RelayRequest } from '../../smtpd/relay.ts';
import { SMTP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { ALICE, ALICE_PASSWORD, mailboxOf, POSTMASTER, PASSWORD, smtpHeron, stopHeron, storedCounts, type TestHeron } from './fixtures.ts';
import { message, RawSmtp } from './client.ts';
import { startDns, type TestDns } from './dns.ts';

let dns: TestDns;
before(async () => {
  dns = await startDns();
});
after(() => dns.close());

const tlsOff = { rejectUnauthorized: false };

describe('SMTP submission without an outbound queue', () => {
  let heron: TestHeron;
  before(async () => {
    // relay: null — no outbound queue behind the listener.
    heron = await smtpHeron({ env: { HERON_DNS: dns.address }, relay: null });
  });
  after(() => stopHeron(heron));

  test('nodemailer over STARTTLS (587 style) delivers to a local recipient, with AUTH results', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: heron.ports.submission,
      secure: false,
      requireTLS: true,
      tls: tlsOff,
      auth: { user: ALICE, pass: ALICE_PASSWORD },
      ...SMTP_CLIENT_DEADLINES,
    });
    const info = await transport.sendMail({ from: ALICE, to: POSTMASTER, subject: 'via 587', text: 'hello' });
    assert.match(info.response, /^250 2\.6\.0 /);
    const msg = (await mailboxOf(heron, POSTMASTER)).find((m) => m.raw.includes('Subject: via 587'));
    assert.ok(msg);
    assert.match(msg.raw, /with ESMTPSA id/);
    assert.match(msg.raw, new RegExp(`Authentication-Results: heron\\.test; auth=pass smtp\\.auth=${ALICE}`));
    assert.equal(msg.spamScore, 0);
    assert.deepEqual(msg.flags, []);
  });

  test('nodemailer over implicit TLS (465 style) delivers', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: heron.ports.submissions,
      secure: true,
      tls: tlsOff,
      auth: { user: POSTMASTER, pass: PASSWORD },
      ...SMTP_CLIENT_DEADLINES,
    });
    await transport.sendMail({ from: POSTMASTER, to: ALICE, subject: 'via 465', text: 'hello' });
    assert.ok((await mailboxOf(heron, ALICE)).some((m) => m.raw.includes('Subject: via 465')));
  });

  test('AUTH is not offered and refused before STARTTLS on the submission port', async () => {
    const c = await RawSmtp.connect(heron.ports.submission);
    const ehlo = await c.hello();
    assert.doesNotMatch(ehlo.text, /AUTH/);
    assert.match(ehlo.text, /STARTTLS/);
    assert.ok((await c.authPlain(ALICE, ALICE_PASSWORD)).code >= 500);
    assert.ok((await c.cmd('AUTH LOGIN')).code >= 500);
    await c.quit();
  });

  test('the sender must be the authenticated address or one of its aliases (553 5.7.1)', async () => {
    const alice = await findMailAccount(heron.store, ALICE);
    await createMailAlias(heron.store, { address: 'alias-of-alice@heron.test', mailAccountId: alice!.id });
    const c = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
    await c.hello();
    assert.equal((await c.authPlain(ALICE, ALICE_PASSWORD)).code, 235);
    assert.match((await c.cmd(`MAIL FROM:<${POSTMASTER}>`)).text, /^553 5\.7\.1 /);
    assert.match((await c.cmd('MAIL FROM:<ceo@bank.example>')).text, /^553 5\.7\.1 /);
    assert.match((await c.cmd('MAIL FROM:<>')).text, /^553 5\.7\.1 /);
    assert.match((await c.cmd('MAIL FROM:<ALICE@heron.test>')).text, /^250 /);
    await c.cmd('RSET');
    assert.match((await c.cmd('MAIL FROM:<alias-of-alice@heron.test>')).text, /^250 /);
    await c.quit();
  });

  test('relay by an authenticated sender is refused with 451 4.3.2 when no outbound queue exists; nothing is stored', async () => {
    const before = await storedCounts(heron);
    const c = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
    await c.hello();
    assert.equal((await c.authPlain(ALICE, ALICE_PASSWORD)).code, 235);
    assert.equal((await c.cmd(`MAIL FROM:<${ALICE}>`)).code, 250);
    assert.match((await c.cmd('RCPT TO:<friend@elsewhere.example>')).text, /^451 4\.3\.2 /);
    assert.equal((await c.cmd('DATA')).code, 503);
    await c.quit();
    assert.deepEqual(await storedCounts(heron), before);
  });
  test('wrong credentials get 535 5.7.8; repeated failures are throttled (last: it leaves 127.0.0.1 throttled)', async () => {
    const c = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
    const ehlo = await c.hello();
    assert.match(ehlo.text, /AUTH PLAIN LOGIN/);
    assert.match((await c.authPlain(ALICE, 'wrong')).text, /^535 5\.7\.8 /);
    assert.match((await c.authPlain('nobody@heron.test', 'wrong')).text, /^535 5\.7\.8 /);
    // AUTH LOGIN with the right password works after a failure.
    assert.equal((await c.cmd('AUTH LOGIN')).code, 334);
    assert.equal((await c.cmd(Buffer.from(ALICE).toString('base64'))).code, 334);
    assert.equal((await c.cmd(Buffer.from(ALICE_PASSWORD).toString('base64'))).code, 235);
    await c.quit();
    // The victim's owner logs in from this address, so the pair is trusted: others'
    // failures do not count against it, but ten failures of its own refuse it, even
    // the right password (schema/auth-throttle.ts).
    const victim = 'postmaster@heron.test';
    const owner = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
    await owner.hello();
    assert.equal((await owner.authPlain(victim, PASSWORD)).code, 235);
    await owner.quit();
    for (let i = 0; i < 10; i++) {
      const d = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
      await d.hello();
      assert.match((await d.authPlain(victim, `guess-${i}`)).text, /^535 5\.7\.8 /);
      await d.quit();
    }
    const e = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
    await e.hello();
    assert.match((await e.authPlain(victim, PASSWORD)).text, /^454 4\.7\.0 /);
    await e.quit();
  });

});

describe('SMTP submission with a RelayHandler', () => {
  let heron: TestHeron;
  const received: RelayRequest[] = [];
  let failNext = false;
  before(async () => {
    heron = await smtpHeron({
      env: { HERON_DNS: dns.address },
      // The outbound queue's contract: resolve once the message is committed to the outbox.
      relay: async (request) => {
        if (failNext) {
          failNext = false;
          throw new Error('outbox is full');
        }
        received.push(request);
        return { queueIds: [`q${received.length}`], messageId: '<x@heron.test>' };
      },
    });
  });
  after(() => stopHeron(heron));

  test('remote recipients go to the handler, local ones are delivered locally, in one submission', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: heron.ports.submissions, secure: true, tls: tlsOff, auth: { user: ALICE, pass: ALICE_PASSWORD }, ...SMTP_CLIENT_DEADLINES });
    const info = await transport.sendMail({ from: ALICE, to: ['friend@elsewhere.example', POSTMASTER], cc: 'other@third.example', subject: 'mixed', text: 'hi' });
    assert.match(info.response, /^250 /);
    assert.equal(received.length, 1);
    const [req] = received;
    assert.equal(req.username, ALICE);
    assert.equal(req.envelopeFrom, ALICE);
    assert.deepEqual([...req.recipients].sort(), ['friend@elsewhere.example', 'other@third.example']);
    assert.match(req.raw.toString(), /Subject: mixed/);
    assert.equal(req.clientAddress, '127.0.0.1');
    assert.ok((await mailboxOf(heron, POSTMASTER)).some((m) => m.raw.includes('Subject: mixed')));
  });

  test('an unauthenticated client still cannot relay (554 5.7.1)', async () => {
    const c = await RawSmtp.connect(heron.ports.smtp);
    await c.hello();
    assert.equal((await c.cmd('MAIL FROM:<bob@remote.test>')).code, 250);
    assert.match((await c.cmd('RCPT TO:<friend@elsewhere.example>')).text, /^554 5\.7\.1 /);
    await c.quit();
  });

  test('a handler failure is a 451 and the local copy is not stored either', async () => {
    const before = await storedCounts(heron);
    failNext = true;
    const c = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
    await c.hello();
    assert.equal((await c.authPlain(ALICE, ALICE_PASSWORD)).code, 235);
    assert.equal((await c.cmd(`MAIL FROM:<${ALICE}>`)).code, 250);
    assert.equal((await c.cmd('RCPT TO:<friend@elsewhere.example>')).code, 250);
    assert.equal((await c.cmd(`RCPT TO:<${POSTMASTER}>`)).code, 250);
    assert.equal((await c.cmd('DATA')).code, 354);
    c.write(message({ from: ALICE, subject: 'handler fails' }) + '.\r\n');
    assert.match((await c.reply()).text, /^451 4\.3\.0 /);
    await c.quit();
    assert.deepEqual(await storedCounts(heron), before);
  });
});
