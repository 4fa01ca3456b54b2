// The whole outbound path as a mail client uses it: nodemailer submits over
// STARTTLS with AUTH to a remote and a local recipient; the remote copy goes
// through the outbox to a loopback SMTP sink found by MX, DKIM-signed; the local
// copy and the Sent copy land in mailboxes. Unauthenticated relay stays refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dkimVerify } from 'mailauth';
import nodemailer from 'nodemailer';
import { findMailAccount, listOutbox, type MailAccountRow } from '../../schema/index.ts';
import { RawSmtp } from '../smtp/client.ts';
import { SMTP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { ADMIN_PASSWORD } from '../helpers/heron.ts';
import { eventually, type LoopbackDns, type RelayWorld, type SmtpSink, startRelayWorld } from '../outbound/helpers.ts';
import { mailboxContents } from '../outbound/mailbox-reader.ts';

describe('SMTP submission → outbound queue → remote MX', () => {
  let world: RelayWorld;
  let dns: LoopbackDns;
  let sink: SmtpSink;
  let heron: RelayWorld['heron'];
  let alice: MailAccountRow;

  before(async () => {
    world = await startRelayWorld(
      new Map([
        ['remote.test', { mx: [{ exchange: 'mx.remote.test', priority: 10 }] }],
        ['mx.remote.test', { a: ['127.0.0.1'] }],
      ]),
    );
    ({ dns, sink, heron, alice } = world);
  });

  after(() => world.stop());

  it('relays a submission DKIM-signed, delivers the local copy, and files a Sent copy', async () => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: heron.ports.submission,
      secure: false,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: alice.username, pass: 'alice-password' },
      ...SMTP_CLIENT_DEADLINES,
    });
    const info = await transport.sendMail({
      from: alice.username,
      to: ['carol@remote.test', 'postmaster@heron.test'],
      subject: 'through the queue',
      text: 'Hello Carol.',
    });
    assert.match(info.response, /^250 /);
    assert.deepEqual(info.rejected, []);

    const delivered = await eventually(
      () => sink.messages.find((m) => m.raw.toString().includes('Subject: through the queue')),
      'the sink to receive the relayed message',
    );
    assert.deepEqual(delivered.to, ['carol@remote.test'], 'only the remote recipient goes out');
    const verdict = await dkimVerify(delivered.raw, { resolver: (name, type) => dns.resolver.resolve(name, type) as Promise<string[][]> });
    assert.equal(verdict.results[0]?.status.result, 'pass', 'DKIM verifies on the receiving side');
    assert.equal(verdict.results[0]?.signingDomain, 'heron.test');

    // The sink has the message before it answers 250; the row is marked sent only after that answer.
    await eventually(async () => (await listOutbox(heron.store)).some((r) => r.status === 'sent' && r.to_host === 'remote.test'), 'the relayed row to be marked sent');
    const rows = await listOutbox(heron.store);
    assert.equal(rows.filter((r) => r.status === 'sent' && r.to_host === 'remote.test').length, 1);

    const postmaster = await findMailAccount(heron.store, 'postmaster@heron.test');
    assert.ok(postmaster);
    const local = await mailboxContents(heron.store, postmaster.id, 'INBOX');
    assert.ok(local.some((m) => m.raw.includes('Subject: through the queue')), 'local recipient got it');
    const sent = await mailboxContents(heron.store, alice.id, '\\Sent');
    assert.ok(sent.some((m) => m.raw.includes('Subject: through the queue') && m.flags.includes('\\Seen')), 'Sent copy filed');
  });

  it('an unauthenticated client still cannot relay, even from 127.0.0.1', async () => {
    const before = (await listOutbox(heron.store)).length;
    const c = await RawSmtp.connect(heron.ports.smtp);
    await c.hello();
    assert.equal((await c.cmd('MAIL FROM:<postmaster@heron.test>')).code, 250);
    assert.match((await c.cmd('RCPT TO:<carol@remote.test>')).text, /^554 5\.7\.1 /);
    await c.quit();
    const submission = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
    await submission.hello();
    assert.match((await submission.authPlain('postmaster@heron.test', ADMIN_PASSWORD + 'x')).text, /^535 5\.7\.8 /);
    await submission.quit();
    assert.equal((await listOutbox(heron.store)).length, before, 'nothing queued');
  });
});
