// What an SMTP submission sends and delivers: Bcc reaches nobody but the
// sender's Sent copy (relayed and local copies alike, removed before signing),
// and relayed mail says nothing about the sender's login.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dkimVerify } from 'mailauth';
import nodemailer from 'nodemailer';
import { listOutbox, type MailAccountRow } from '../../schema/index.ts';
import { SMTP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { eventually, type LoopbackDns, type RelayWorld, type SmtpSink, startRelayWorld, userWithMailbox } from './helpers.ts';
import { mailboxContents } from './mailbox-reader.ts';

describe('SMTP submission: what leaves Heron and what is delivered', () => {
  let world: RelayWorld;
  let dns: LoopbackDns;
  let sink: SmtpSink;
  let heron: RelayWorld['heron'];
  let alice: MailAccountRow;
  let bob: MailAccountRow;

  before(async () => {
    world = await startRelayWorld(new Map([['remote.test', { a: ['127.0.0.1'] }]]));
    ({ dns, sink, heron, alice } = world);
    bob = (await userWithMailbox(heron.store, 'bob')).account;
  });

  after(() => world.stop());

  /** Submits `raw` as written (nodemailer leaves a raw message alone) over implicit TLS as alice. */
  async function submit(raw: string, to: string[]): Promise<void> {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: heron.ports.submissions,
      secure: true,
      tls: { rejectUnauthorized: false },
      auth: { user: alice.username, pass: 'alice-password' },
      ...SMTP_CLIENT_DEADLINES,
    });
    try {
      const info = await transport.sendMail({ envelope: { from: alice.username, to }, raw });
      assert.match(info.response, /^250 /);
    } finally {
      transport.close();
    }
  }

  const headerOf = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n') + 2);

  it('Bcc to a local and a remote recipient: neither copy shows it, the Sent copy keeps it, DKIM verifies', async () => {
    const subject = 'blind copies';
    await submit(
      [
        'From: Alice <alice@heron.test>',
        'To: carol@remote.test',
        'Bcc: bob@heron.test,',
        ' hidden@remote.test',
        `Subject: ${subject}`,
        'Message-ID: <blind-1@heron.test>',
        '',
        'Only Carol is meant to be seen.',
        '',
      ].join('\r\n'),
      ['carol@remote.test', 'bob@heron.test', 'hidden@remote.test'],
    );
    const [row] = (await listOutbox(heron.store)).filter((r) => r.message_id === '<blind-1@heron.test>');
    await eventually(async () => (await listOutbox(heron.store)).find((r) => r.id === row.id && r.status === 'sent'), 'delivery to remote.test');

    const remote = sink.messages.find((m) => m.raw.includes('<blind-1@heron.test>'))!;
    assert.deepEqual(remote.to.sort(), ['carol@remote.test', 'hidden@remote.test'], 'the envelope still reaches the Bcc recipient');
    const remoteHeader = headerOf(remote.raw.toString());
    assert.doesNotMatch(remoteHeader, /^Bcc:/im);
    assert.doesNotMatch(remote.raw.toString(), /hidden@remote\.test|bob@heron\.test/);
    const verified = await dkimVerify(remote.raw, { resolver: (name, type) => dns.resolver.resolve(name, type) as Promise<string[][]> });
    assert.equal(verified.results[0]?.status.result, 'pass', verified.results[0]?.info);

    const [local] = (await mailboxContents(heron.store, bob.id, 'INBOX')).filter((m) => m.raw.includes('<blind-1@heron.test>'));
    assert.ok(local, 'bob got his copy');
    assert.doesNotMatch(headerOf(local.raw), /^Bcc:/im);
    assert.doesNotMatch(local.raw, /hidden@remote\.test/);

    const [sent] = (await mailboxContents(heron.store, alice.id, '\\Sent')).filter((m) => m.raw.includes('<blind-1@heron.test>'));
    assert.ok(sent, 'the Sent copy is filed');
    assert.match(headerOf(sent.raw), /^Bcc: bob@heron\.test,\r\n hidden@remote\.test\r$/m);
  });

  it("relayed mail does not name the sender's login; the local copy keeps Heron's Authentication-Results", async () => {
    await submit(
      'From: Alice <alice@heron.test>\r\nTo: carol@remote.test, bob@heron.test\r\nSubject: who sent this\r\nMessage-ID: <login-1@heron.test>\r\n\r\nHi.\r\n',
      ['carol@remote.test', 'bob@heron.test'],
    );
    const remote = await eventually(() => sink.messages.find((m) => m.raw.includes('<login-1@heron.test>')), 'the relayed copy');
    const remoteHeader = headerOf(remote.raw.toString());
    assert.doesNotMatch(remoteHeader, /^Authentication-Results:/im);
    assert.doesNotMatch(remoteHeader, /smtp\.auth/);
    assert.match(remoteHeader, /^Received: from .* with ESMTPSA id /ms, 'the Received trace stays');

    const [local] = (await mailboxContents(heron.store, bob.id, 'INBOX')).filter((m) => m.raw.includes('<login-1@heron.test>'));
    assert.match(headerOf(local.raw), /^Authentication-Results: heron\.test; auth=pass smtp\.auth=alice@heron\.test\r$/m);
  });
});
