// The MX role (HERON_SMTP_PORT): delivery without AUTH to hosted recipients, no
// open relay, EHLO and AUTH-before-TLS rules, limits, smuggling, atomic
// multi-recipient delivery, and nothing stored when a transaction fails.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { createMailAlias, findMailAccount } from '../../schema/index.ts';
import type { SmtpService } from '../../smtpd/service.ts';
import { failInserts } from '../helpers/database.ts';
import { SMTP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { ALICE, mailboxOf, POSTMASTER, smtpHeron, stopHeron, storedCounts, type TestHeron } from './fixtures.ts';
import { message, RawSmtp } from './client.ts';
import { startDns, type TestDns } from './dns.ts';

let heron: TestHeron;
let dns: TestDns;

before(async () => {
  dns = await startDns();
  heron = await smtpHeron({ env: { HERON_DNS: dns.address, HERON_SMTP_MAX_RECIPIENTS: '5', HERON_SMTP_MAX_HOPS: '10' } });
});
after(async () => {
  await stopHeron(heron);
  await dns.close();
});

async function mx(): Promise<RawSmtp> {
  const c = await RawSmtp.connect(heron.ports.smtp);
  const ehlo = await c.hello();
  assert.equal(ehlo.code, 250);
  return c;
}

/** MAIL, RCPTs (all must be accepted), DATA with `body` written as-is, then the final reply. */
async function transaction(c: RawSmtp, from: string, to: string[], body: string | Buffer) {
  assert.equal((await c.cmd(`MAIL FROM:<${from}>`)).code, 250);
  for (const rcpt of to) assert.equal((await c.cmd(`RCPT TO:<${rcpt}>`)).code, 250, rcpt);
  assert.equal((await c.cmd('DATA')).code, 354);
  c.write(body);
  return c.reply();
}

describe('SMTP MX listener', () => {
  test('nodemailer delivers to a hosted account without AUTH; headers are prepended', async () => {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: heron.ports.smtp, secure: false, ignoreTLS: true, ...SMTP_CLIENT_DEADLINES });
    const info = await transport.sendMail({ from: 'bob@remote.test', to: ALICE, subject: 'plain mx', text: 'hi alice' });
    assert.match(info.response, /^250 2\.6\.0 /);
    const inbox = await mailboxOf(heron, ALICE);
    const msg = inbox.find((m) => m.raw.includes('Subject: plain mx'));
    assert.ok(msg, 'message is in INBOX');
    assert.match(msg.raw, /^Received: from \S+ \(\[127\.0\.0\.1\]\)\r\n\tby heron\.test \(Heron\) with ESMTP id /);
    assert.match(msg.raw, /Authentication-Results: heron\.test;/);
    assert.match(msg.raw, /spf=none/);
  });

  test('EHLO offers PIPELINING, SIZE, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES, STARTTLS, and AUTH only after TLS', async () => {
    const c = await RawSmtp.connect(heron.ports.smtp);
    const before = await c.hello();
    for (const ext of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'SIZE 26214400']) assert.match(before.text, new RegExp(`250[ -]${ext}\\b`), ext);
    assert.doesNotMatch(before.text, /AUTH/);
    // AUTH before TLS is refused, from loopback too.
    const early = await c.authPlain(POSTMASTER, 'correct horse battery');
    assert.ok(early.code >= 500, early.text);
    assert.equal((await c.starttls()).code, 220);
    const after = await c.cmd('EHLO client.test');
    assert.match(after.text, /250[ -]AUTH PLAIN LOGIN/);
    assert.doesNotMatch(after.text, /STARTTLS/);
    assert.equal((await c.authPlain(POSTMASTER, 'correct horse battery')).code, 235);
    await c.quit();
  });

  test('open relay attempts from 127.0.0.1 are refused with 554 5.7.1; nothing is stored', async () => {
    const before = await storedCounts(heron);
    const c = await mx();
    assert.equal((await c.cmd('MAIL FROM:<postmaster@heron.test>')).code, 250);
    for (const rcpt of ['victim@example.com', 'victim@heron.test.example.com', 'victim%example.com@other.test']) {
      const r = await c.cmd(`RCPT TO:<${rcpt}>`);
      assert.match(r.text, /^554 5\.7\.1 /, rcpt);
    }
    // Address literals are refused for everyone (schema/address.ts).
    assert.match((await c.cmd('RCPT TO:<victim@[127.0.0.1]>')).text, /^501 5\.1\.3 .*address literals/);
    // Source routes and quoted tricks never reach a hosted mailbox either.
    for (const rcpt of ['"victim@example.com"@heron.test.evil', '@heron.test:victim@example.com']) {
      assert.ok((await c.cmd(`RCPT TO:<${rcpt}>`)).code >= 500, rcpt);
    }
    assert.equal((await c.cmd('DATA')).code, 503);
    await c.quit();
    assert.deepEqual(await storedCounts(heron), before);
  });

  test('unknown user in a hosted domain is 550 5.1.1; an alias delivers to its account', async () => {
    const alice = await findMailAccount(heron.store, ALICE);
    await createMailAlias(heron.store, { address: 'sales@heron.test', mailAccountId: alice!.id });
    const c = await mx();
    assert.equal((await c.cmd('MAIL FROM:<bob@remote.test>')).code, 250);
    assert.match((await c.cmd('RCPT TO:<nobody@heron.test>')).text, /^550 5\.1\.1 /);
    assert.match((await c.cmd('RCPT TO:<NOBODY@HERON.TEST>')).text, /^550 5\.1\.1 /);
    assert.equal((await c.cmd('RCPT TO:<Sales@Heron.Test>')).code, 250);
    assert.equal((await c.cmd('DATA')).code, 354);
    c.write(message({ to: 'sales@heron.test', subject: 'to the alias' }) + '.\r\n');
    assert.equal((await c.reply()).code, 250);
    await c.quit();
    const inbox = await mailboxOf(heron, ALICE);
    assert.ok(inbox.some((m) => m.raw.includes('Subject: to the alias')));
  });

  test('SIZE= over the limit is refused at MAIL FROM with 552 5.3.4; an oversized body after DATA too', async () => {
    const before = await storedCounts(heron);
    const c = await mx();
    assert.match((await c.cmd('MAIL FROM:<bob@remote.test> SIZE=26214401')).text, /^552 5\.3\.4 /);
    await c.quit();
    // A smaller listener limit makes the body check cheap to exercise.
    const { findMailServerByHostname, updateMailServer } = await import('../../schema/index.ts');
    const row = await findMailServerByHostname(heron.store, 'heron.test');
    await updateMailServer(heron.store, row!.id, { max_size: 2000 });
    // The listeners apply the change in a reload queued behind the store event; wait for it.
    const smtp = heron.services.find((s) => s.name === 'smtp') as SmtpService;
    await smtp.reload();
    try {
      const d = await mx();
      const big = message({ body: 'x'.repeat(70) + '\r\n'.repeat(1) }).repeat(1) + ('y'.repeat(78) + '\r\n').repeat(40) + '.\r\n';
      const r = await transaction(d, 'bob@remote.test', [ALICE], big);
      assert.match(r.text, /^552 5\.3\.4 /);
      // The session goes on: a small message after it is accepted.
      const ok = await transaction(d, 'bob@remote.test', [ALICE], message({ subject: 'small after big' }) + '.\r\n');
      assert.equal(ok.code, 250);
      await d.quit();
    } finally {
      await updateMailServer(heron.store, row!.id, { max_size: 26214400 });
      await smtp.reload();
    }
    assert.equal((await storedCounts(heron)).mail, before.mail + 1);
  });

  test('SMTP smuggling: bare LF or bare CR around a dot is refused with 550 5.5.2 and nothing is smuggled', async () => {
    const sequences = ['\n.\n', '\n.\r\n', '\r\n.\n', '\r.\r', '\r\n.\r', '\r.\r\n', '\n\r\n.\r\n'.slice(0, 5)];
    for (const seq of sequences) {
      const before = await storedCounts(heron);
      const c = await mx();
      const smuggled = `MAIL FROM:<ceo@heron.test>\r\nRCPT TO:<${POSTMASTER}>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n`;
      const body = message({ subject: 'carrier' }) + 'line' + seq + smuggled + '.\r\n';
      const r = await transaction(c, 'bob@remote.test', [ALICE], body);
      assert.match(r.text, /^550 5\.5\.2 /, JSON.stringify(seq));
      // The server is back in command mode and still talking.
      assert.equal((await c.cmd('NOOP')).code, 250);
      await c.quit();
      assert.deepEqual(await storedCounts(heron), before, JSON.stringify(seq));
    }
    assert.ok(!(await mailboxOf(heron, POSTMASTER)).some((m) => m.raw.includes('Subject: smuggled')));
  });

  test('a dot-stuffed line is unstuffed, and a line that is only ".." is content', async () => {
    const c = await mx();
    const r = await transaction(c, 'bob@remote.test', [ALICE], message({ subject: 'dots', body: '..leading dot\r\n..\r\nend\r\n' }) + '.\r\n');
    assert.equal(r.code, 250);
    await c.quit();
    const msg = (await mailboxOf(heron, ALICE)).find((m) => m.raw.includes('Subject: dots'));
    assert.ok(msg?.raw.endsWith('\r\n\r\n.leading dot\r\n.\r\nend\r\n'));
  });

  test('one message to three local recipients: one transaction, one stored body, three copies', async () => {
    const { createMailAccount, findMailServerByHostname } = await import('../../schema/index.ts');
    const server = await findMailServerByHostname(heron.store, 'heron.test');
    await createMailAccount(heron.store, { username: 'carol@heron.test', password: 'carol-password', mailServerId: server!.id });
    const before = await storedCounts(heron);
    const c = await mx();
    const r = await transaction(c, 'bob@remote.test', [ALICE, POSTMASTER, 'carol@heron.test'], message({ subject: 'three' }) + '.\r\n');
    assert.match(r.text, /^250 2\.6\.0 /);
    await c.quit();
    assert.deepEqual(await storedCounts(heron), { mail: before.mail + 3, raw: before.raw + 1 });
    const copies = await Promise.all([ALICE, POSTMASTER, 'carol@heron.test'].map(async (a) => (await mailboxOf(heron, a)).find((m) => m.raw.includes('Subject: three'))));
    assert.ok(copies.every(Boolean));
    assert.equal(new Set(copies.map((m) => m!.rawId)).size, 1);
    // Several recipients: no "for <...>" clause that would leak Bcc (RFC 5321 §7.2).
    assert.doesNotMatch(copies[0]!.raw, /for </);
  });

  test('a storage failure in the middle of a multi-recipient delivery is 451 4.3.0 and leaves nothing', async () => {
    // A real database failure on the second copy: the whole delivery must roll back.
    const postmaster = await findMailAccount(heron.store, POSTMASTER);
    const undo = await failInserts(heron.store, 'mail', `NEW.mail_account_id = ${postmaster!.id}`);
    const before = await storedCounts(heron);
    try {
      const c = await mx();
      const r = await transaction(c, 'bob@remote.test', [ALICE, POSTMASTER], message({ subject: 'half' }) + '.\r\n');
      assert.match(r.text, /^451 4\.3\.0 /);
      await c.quit();
    } finally {
      await undo();
    }
    assert.deepEqual(await storedCounts(heron), before);
  });

  test('a client that disconnects mid-DATA leaves nothing stored, and the server keeps serving', async () => {
    const before = await storedCounts(heron);
    const c = await mx();
    assert.equal((await c.cmd('MAIL FROM:<bob@remote.test>')).code, 250);
    assert.equal((await c.cmd(`RCPT TO:<${ALICE}>`)).code, 250);
    assert.equal((await c.cmd('DATA')).code, 354);
    c.write(message({ subject: 'cut off' }) + 'partial line');
    await new Promise((r) => setTimeout(r, 100)); // let the partial data arrive before the disconnect
    c.close();
    // A whole transaction on a new connection comes after the cut one in the
    // server's event loop; once it is stored, exactly one message was added.
    const d = await mx();
    assert.equal((await transaction(d, 'bob@remote.test', [ALICE], message({ subject: 'after cut' }) + '.\r\n')).code, 250);
    await d.quit();
    assert.deepEqual(await storedCounts(heron), { mail: before.mail + 1, raw: before.raw + 1 });
    assert.ok(!(await mailboxOf(heron, ALICE)).some((m) => m.raw.includes('Subject: cut off')));
  });

  test('recipients per message are limited (452 4.5.3)', async () => {
    const alice = await findMailAccount(heron.store, ALICE);
    for (let i = 0; i < 6; i++) await createMailAlias(heron.store, { address: `many${i}@heron.test`, mailAccountId: alice!.id });
    const c = await mx();
    assert.equal((await c.cmd('MAIL FROM:<bob@remote.test>')).code, 250);
    for (let i = 0; i < 5; i++) assert.equal((await c.cmd(`RCPT TO:<many${i}@heron.test>`)).code, 250);
    assert.match((await c.cmd(`RCPT TO:<many5@heron.test>`)).text, /^452 4\.5\.3 /);
    await c.quit();
  });

  test('too many Received headers is a mail loop: 554 5.4.6', async () => {
    const received = 'Received: from a.test by b.test; Sat, 21 Nov 2026 10:00:00 +0000\r\n'.repeat(10);
    const c = await mx();
    const r = await transaction(c, 'bob@remote.test', [ALICE], received + message({ subject: 'loop' }) + '.\r\n');
    assert.match(r.text, /^554 5\.4\.6 /);
    await c.quit();
  });

  test('header lines over 998 octets are refused', async () => {
    const c = await mx();
    const r = await transaction(c, 'bob@remote.test', [ALICE], message({ extra: `X-Long: ${'a'.repeat(1000)}\r\n` }) + '.\r\n');
    assert.match(r.text, /^552 5\.6\.0 /);
    await c.quit();
  });

  test('a header section over 256 KiB is refused with 552 5.3.4', async () => {
    const c = await mx();
    const extra = 'X-Filler: ' + 'z'.repeat(900) + '\r\n';
    const r = await transaction(c, 'bob@remote.test', [ALICE], message({ extra: extra.repeat(300) }) + '.\r\n');
    assert.match(r.text, /^552 5\.3\.4 /);
    await c.quit();
  });

  test('an inbound Authentication-Results claiming heron.test is removed; others stay', async () => {
    const c = await mx();
    const extra = 'Authentication-Results: heron.test; spf=pass smtp.mailfrom=ceo@heron.test;\r\n dkim=pass\r\nAuthentication-Results: other.example; spf=fail\r\n';
    assert.equal((await transaction(c, 'bob@remote.test', [ALICE], message({ subject: 'forged ar', extra }) + '.\r\n')).code, 250);
    await c.quit();
    const msg = (await mailboxOf(heron, ALICE)).find((m) => m.raw.includes('Subject: forged ar'));
    assert.ok(msg);
    assert.doesNotMatch(msg.raw, /smtp\.mailfrom=ceo@heron\.test/);
    assert.match(msg.raw, /Authentication-Results: other\.example; spf=fail/);
    assert.equal(msg.raw.match(/Authentication-Results: heron\.test/g)?.length, 1);
  });

  test('unauthenticated MAIL on the submission port gets 530 5.7.0', async () => {
    const c = await RawSmtp.connect(heron.ports.submission);
    await c.hello();
    assert.match((await c.cmd(`MAIL FROM:<${POSTMASTER}>`)).text, /^530 5\.7\.0 /);
    await c.quit();
  });
});
