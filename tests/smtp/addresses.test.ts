// Envelope addresses under the one address rule (schema/address.ts): an IDN
// hosted domain in either form, UTF-8 local parts only with SMTPUTF8
// (RFC 6531; 553 5.6.7 without it), quoted local parts, the domainless
// postmaster (RFC 5321 §4.1.1.3). Commands are written as UTF-8 bytes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMailAccount, createMailServer } from '../../schema/index.ts';
import { message, RawSmtp, type Reply } from './client.ts';
import { mailboxOf, POSTMASTER, smtpHeron, stopHeron, type TestHeron } from './fixtures.ts';

const JORG = 'jörg@bücher.example';
const JORG_PASSWORD = 'jörg password';

/** Sends one command line as UTF-8 (the raw client writes strings as Latin-1). */
async function utf8(c: RawSmtp, line: string): Promise<Reply> {
  c.write(Buffer.from(`${line}\r\n`, 'utf8'));
  return c.reply();
}

describe('SMTP envelope addresses', () => {
  let heron: TestHeron;
  before(async () => {
    heron = await smtpHeron();
    const idn = await createMailServer(heron.store, { hostname: 'bücher.example' });
    await createMailAccount(heron.store, { username: JORG, password: JORG_PASSWORD, mailServerId: idn.id });
    await createMailAccount(heron.store, { username: 'info@bücher.example', password: 'info password', mailServerId: idn.id });
    await createMailAccount(heron.store, { username: 'john.doe@heron.test', password: 'john password', mailServerId: idn.id });
  });
  after(() => stopHeron(heron));

  async function mx(): Promise<RawSmtp> {
    const c = await RawSmtp.connect(heron.ports.smtp);
    await c.hello();
    return c;
  }

  test('a UTF-8 local part needs SMTPUTF8: 553 5.6.7 without it, delivered with it (U-label or A-label domain)', async () => {
    const before = (await mailboxOf(heron, JORG)).length;
    const c = await mx();
    assert.equal((await c.cmd('MAIL FROM:<sender@example.org>')).code, 250);
    assert.match((await utf8(c, `RCPT TO:<${JORG}>`)).text, /^553 5\.6\.7 .*SMTPUTF8/);
    assert.equal((await c.cmd('RSET')).code, 250);
    assert.equal((await c.cmd('MAIL FROM:<sender@example.org> SMTPUTF8')).code, 250);
    assert.equal((await utf8(c, `RCPT TO:<${JORG}>`)).code, 250);
    assert.equal((await utf8(c, 'RCPT TO:<JÖRG@xn--bcher-kva.example>')).code, 250, 'the A-label form is the same mailbox');
    assert.equal((await c.cmd('DATA')).code, 354);
    assert.equal((await utf8(c, `${message({ to: 'x@example.org', subject: 'eai' })}.`)).code, 250);
    await c.quit();
    const inbox = await mailboxOf(heron, 'JÖRG@xn--bcher-kva.example');
    assert.equal(inbox.length, before + 1, 'one copy for the two spellings');
  });

  test('an ASCII local part at an IDN domain needs nothing special', async () => {
    const c = await mx();
    assert.equal((await c.cmd('MAIL FROM:<sender@example.org>')).code, 250);
    assert.equal((await c.cmd('RCPT TO:<info@xn--bcher-kva.example>')).code, 250);
    assert.equal((await utf8(c, 'RCPT TO:<nobody@bücher.example>')).code, 550, 'a hosted IDN domain, unknown user');
    await c.quit();
  });

  test('a quoted local part is the same address as its bare form; the domainless postmaster is accepted', async () => {
    const c = await mx();
    assert.equal((await c.cmd('MAIL FROM:<sender@example.org>')).code, 250);
    assert.equal((await c.cmd('RCPT TO:<"john.doe"@heron.test>')).code, 250);
    assert.equal((await c.cmd('RCPT TO:<Postmaster>')).code, 250);
    assert.equal((await c.cmd('DATA')).code, 354);
    assert.equal((await c.cmd(`${message({ subject: 'quoted and postmaster' })}.`)).code, 250);
    await c.quit();
    assert.ok((await mailboxOf(heron, 'john.doe@heron.test')).some((m) => m.raw.includes('Subject: quoted and postmaster')));
    assert.ok((await mailboxOf(heron, POSTMASTER)).some((m) => m.raw.includes('Subject: quoted and postmaster')));
  });

  test('the sender follows the same rule: UTF-8 needs SMTPUTF8, bad syntax is 501 5.1.7', async () => {
    const c = await mx();
    assert.match((await utf8(c, 'MAIL FROM:<zoë@example.org>')).text, /^553 5\.6\.7 /);
    assert.match((await c.cmd('MAIL FROM:<someone@192.0.2.1>')).text, /^501 5\.1\.7 .*IP address/);
    assert.equal((await utf8(c, 'MAIL FROM:<zoë@example.org> SMTPUTF8')).code, 250);
    await c.quit();
  });

  test('an account with a UTF-8 address authenticates (AUTH PLAIN is UTF-8) and sends as itself', async () => {
    const c = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
    await c.hello();
    assert.equal((await c.authPlain(JORG, JORG_PASSWORD)).code, 235);
    assert.equal((await utf8(c, 'MAIL FROM:<Jörg@xn--bcher-kva.example> SMTPUTF8')).code, 250);
    assert.equal((await c.cmd(`RCPT TO:<${POSTMASTER}>`)).code, 250);
    await c.quit();
  });
});
