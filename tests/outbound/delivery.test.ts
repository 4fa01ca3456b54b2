// The relay path end to end on loopback: RelayHandler → outbox → worker → MX
// lookup on a loopback DNS → SMTP sink; retries, DSNs, MX fallback, DKIM.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dkimVerify } from 'mailauth';
import { simpleParser } from 'mailparser';
import { accountQuota, listOutbox, type MailAccountRow, type OutboxRow, parseRecipientStatus, setAccountQuota } from '../../schema/index.ts';
import { removeDir, startTestHeron } from '../helpers/heron.ts';
import { eventually, type LoopbackDns, outboundEnv, publishDkimKey, type SmtpSink, startDns, startSink, userWithMailbox } from './helpers.ts';
import { mailboxContents } from './mailbox-reader.ts';

type TestHeron = Awaited<ReturnType<typeof startTestHeron>>;

describe('outbound delivery', () => {
  let dns: LoopbackDns;
  let sink: SmtpSink;
  /** A destination without 8BITMIME and SMTPUTF8, on another loopback address with the same port. */
  let legacy: SmtpSink;
  let heron: TestHeron;
  let alice: MailAccountRow;

  before(async () => {
    dns = await startDns(
      new Map([
        ['remote.test', { mx: [{ exchange: 'mx.remote.test', priority: 10 }] }],
        ['mx.remote.test', { a: ['127.0.0.1'] }],
        ['two-mx.test', { mx: [{ exchange: 'mx.remote.test', priority: 20 }, { exchange: 'down.two-mx.test', priority: 10 }] }],
        ['down.two-mx.test', { a: ['127.0.0.2'] }],
        ['nullmx.test', { mx: [{ exchange: '', priority: 0 }] }],
        ['implicit.test', { a: ['127.0.0.1'] }],
        ['legacy.test', { a: ['127.0.0.3'] }],
      ]),
    );
    sink = await startSink();
    legacy = await startSink({ host: '127.0.0.3', port: sink.port, hide8BitMime: true, hideSmtpUtf8: true });
    heron = await startTestHeron({
      // Delay notice after 1.8 s, give up after 5.4 s: the expiry test needs no long wait.
      env: outboundEnv(dns, sink.port, { HERON_OUTBOUND_DELAY_NOTICE_HOURS: '0.0005', HERON_OUTBOUND_LIFETIME_HOURS: '0.0015' }),
    });
    alice = (await userWithMailbox(heron.store, 'alice')).account;
    await publishDkimKey(heron, dns);
  });

  after(async () => {
    await heron.stop();
    await sink.close();
    await legacy.close();
    await dns.close();
    removeDir(heron.dataDir);
  });

  const relay = (recipients: string[], subject: string, extraHeaders = '', body = 'Hello from Heron.') =>
    heron.relay({
      accountId: alice.id,
      username: alice.username,
      envelopeFrom: alice.username,
      recipients,
      raw: Buffer.from(`From: Alice <alice@heron.test>\r\nTo: ${recipients.join(', ')}\r\nSubject: ${subject}\r\n${extraHeaders}\r\n${body}\r\n`),
    });

  const row = async (queueId: string): Promise<OutboxRow> => (await listOutbox(heron.store)).find((r) => r.reference_id === queueId)!;
  const settled = (queueId: string, status: OutboxRow['status']) =>
    eventually(async () => {
      const r = await row(queueId);
      return r.status === status ? r : undefined;
    }, `outbox row ${queueId} to become ${status}`);
  const received = (subject: string) => sink.messages.filter((m) => m.raw.toString().includes(`Subject: ${subject}\r\n`));
  const dsns = async (about: string) =>
    (await mailboxContents(heron.store, alice.id, 'INBOX')).filter((m) => m.raw.includes('multipart/report') && m.raw.includes(about));

  it('queues one row per destination, signs, and delivers over STARTTLS with all recipients in one transaction', async () => {
    const result = await relay(['carol@remote.test', 'dave@remote.test', 'eve@two-mx.test'], 'first light');
    assert.equal(result.queueIds.length, 2);
    assert.match(result.messageId, /^<[^@\s]+@heron\.test>$/);
    const sent = await settled(result.queueIds[0], 'sent');
    assert.equal(sent.to_host, 'remote.test');
    assert.deepEqual(JSON.parse(sent.to_address), ['carol@remote.test', 'dave@remote.test']);
    const status = parseRecipientStatus(sent);
    assert.equal(status['carol@remote.test'].status, 'sent');
    assert.equal(status['carol@remote.test'].code, 250);
    assert.equal(sent.next_retry_at, null, 'nothing is left to try');
    assert.equal(sent.sent, true);
    await settled(result.queueIds[1], 'sent');

    const copies = received('first light');
    const toRemote = copies.find((m) => m.to.includes('carol@remote.test'))!;
    assert.deepEqual(toRemote.to, ['carol@remote.test', 'dave@remote.test']);
    assert.equal(toRemote.from, 'alice@heron.test');
    assert.equal(toRemote.helo, 'heron.test');
    assert.equal(toRemote.secure, true, 'STARTTLS was used (self-signed certificate accepted opportunistically)');
    const raw = toRemote.raw.toString();
    assert.match(raw, new RegExp(`^Message-ID: ${result.messageId.replace(/[.<>]/g, '\\$&')}\r$`, 'm'));
    assert.match(raw, /^Date: /m);

    // The receiving side verifies the signature against the key published in (loopback) DNS.
    const verified = await dkimVerify(toRemote.raw, { resolver: (name, type) => dns.resolver.resolve(name, type) as Promise<string[][]> });
    assert.equal(verified.results.length, 1);
    assert.equal(verified.results[0].status.result, 'pass', verified.results[0].info);
    assert.equal(verified.results[0].signingDomain, 'heron.test');
    assert.match(raw, /^DKIM-Signature: [^]*?c=relaxed\/relaxed;/m);

    const sentFolder = await mailboxContents(heron.store, alice.id, '\\Sent');
    assert.equal(sentFolder.filter((m) => m.raw.includes('Subject: first light')).length, 1);
    assert.deepEqual(sentFolder[0].flags, ['\\Seen']);
  });

  it('falls back to the next MX host when the preferred one refuses connections', async () => {
    const result = await relay(['frank@two-mx.test'], 'second host');
    const sent = await settled(result.queueIds[0], 'sent');
    assert.equal(parseRecipientStatus(sent)['frank@two-mx.test'].mx, 'mx.remote.test');
    assert.equal(sent.retry_count, 0);
    assert.equal(received('second host').length, 1);
  });

  it('uses the domain itself when it has no MX records', async () => {
    const result = await relay(['gina@implicit.test'], 'implicit mx');
    await settled(result.queueIds[0], 'sent');
    assert.equal(received('implicit mx').length, 1);
  });

  it('retries a 4xx and delivers exactly once when the destination accepts', async () => {
    sink.rcptPolicy = (address, attempt) => (address === 'tempfail@remote.test' && attempt === 1 ? { code: 451, message: '4.3.0 try again later' } : null);
    const result = await relay(['tempfail@remote.test'], 'second try');
    const sent = await settled(result.queueIds[0], 'sent');
    assert.equal(sent.retry_count, 1);
    assert.equal(received('second try').length, 1);
    assert.equal(sent.last_error, '');
  });

  it('fails a 5xx at once and puts an RFC 3464 DSN in the sender INBOX, only for the refused recipient', async () => {
    sink.rcptPolicy = (address) => (address.startsWith('nobody') ? { code: 550, message: '5.1.1 no such user here' } : null);
    const result = await relay(['nobody@remote.test', 'helen@remote.test'], 'partly wrong');
    // One delivered, one failed: the row says so instead of "sent".
    const done = await settled(result.queueIds[0], 'partial');
    assert.equal(done.sent, false, 'not every recipient got it');
    assert.equal(done.next_retry_at, null);
    const status = parseRecipientStatus(done);
    assert.equal(status['nobody@remote.test'].status, 'failed');
    assert.equal(status['nobody@remote.test'].code, 550);
    assert.equal(status['helen@remote.test'].status, 'sent');
    assert.equal(done.retry_count, 0);
    assert.equal(done.dsn_sent, true);
    assert.deepEqual(received('partly wrong')[0].to, ['helen@remote.test']);

    const [dsn] = await dsns('nobody@remote.test');
    assert.ok(dsn, 'a DSN arrived');
    assert.match(dsn.raw, /Content-Type: multipart\/report; report-type=delivery-status/);
    assert.match(dsn.raw, /Content-Type: message\/delivery-status/);
    assert.match(dsn.raw, /^Reporting-MTA: dns; heron\.test\r$/m);
    assert.match(dsn.raw, /^Final-Recipient: rfc822; nobody@remote\.test\r$/m);
    assert.match(dsn.raw, /^Action: failed\r$/m);
    assert.match(dsn.raw, /^Status: 5\.1\.1\r$/m);
    assert.match(dsn.raw, /^Diagnostic-Code: smtp; 550 5\.1\.1 no such user here\r$/m);
    assert.match(dsn.raw, /^Remote-MTA: dns; mx\.remote\.test\r$/m);
    assert.match(dsn.raw, /Content-Type: text\/rfc822-headers[\s\S]*Subject: partly wrong/);
    assert.doesNotMatch(dsn.raw, /Final-Recipient: rfc822; helen@remote\.test/);
    sink.rcptPolicy = () => null;
  });

  it("a remote 552 5.2.2 bounces with a DSN, and the DSN and Sent copy reach a sender whose own account is full", async () => {
    sink.rcptPolicy = (address) => (address.startsWith('full') ? { code: 552, message: '5.2.2 mailbox full' } : null);
    const used = await accountQuota(heron.store, alice.id);
    await setAccountQuota(heron.store, alice.id, { messages: used.messagesUsed });
    try {
      const result = await relay(['full@remote.test'], 'over their quota');
      await settled(result.queueIds[0], 'failed');
      const [dsn] = await dsns('full@remote.test');
      assert.ok(dsn, 'the DSN arrived although the INBOX is over quota');
      assert.match(dsn.raw, /^Status: 5\.2\.2\r$/m);
      assert.match(dsn.raw, /^Diagnostic-Code: smtp; 552 5\.2\.2 mailbox full\r$/m);
      const sentFolder = await mailboxContents(heron.store, alice.id, '\\Sent');
      assert.equal(sentFolder.filter((m) => m.raw.includes('Subject: over their quota')).length, 1, 'Sent copy filed');
      // Counted all the same: the account is now past its limit, so it takes no new mail.
      assert.equal((await accountQuota(heron.store, alice.id)).messagesUsed, used.messagesUsed + 2);
    } finally {
      await setAccountQuota(heron.store, alice.id, { messages: null });
      sink.rcptPolicy = () => null;
    }
  });

  it('bounces mail for a domain with a null MX without connecting anywhere', async () => {
    const before = sink.messages.length;
    const result = await relay(['ivan@nullmx.test'], 'null mx');
    const failed = await settled(result.queueIds[0], 'failed');
    assert.equal(failed.next_retry_at, null);
    const [dsn] = await dsns('ivan@nullmx.test');
    assert.match(dsn.raw, /^Status: 5\.1\.10\r$/m);
    // RFC 3464 §2.3.6: Heron decided this itself; no SMTP server replied, and no Remote-MTA is named.
    assert.match(dsn.raw, /^Diagnostic-Code: X-Heron; domain nullmx\.test accepts no mail \(null MX\)\r$/m);
    assert.doesNotMatch(dsn.raw, /^Diagnostic-Code: smtp;/m);
    assert.doesNotMatch(dsn.raw, /^Remote-MTA:/m);
    assert.equal(parseRecipientStatus(failed)['ivan@nullmx.test'].code, 0, 'no reply code where no server replied');
    assert.equal(sink.messages.length, before);
  });

  it('sends a delay notice, then gives up after the lifetime with a final DSN', async () => {
    sink.rcptPolicy = (address) => (address === 'slow@remote.test' ? { code: 451, message: '4.7.1 greylisted' } : null);
    const result = await relay(['slow@remote.test'], 'slow lane');
    const failed = await settled(result.queueIds[0], 'failed');
    assert.equal(failed.delay_notified, true);
    assert.ok(failed.retry_count >= 2);
    const notices = await dsns('slow@remote.test');
    const delayed = notices.filter((m) => /^Action: delayed\r$/m.test(m.raw));
    const final = notices.filter((m) => /^Action: failed\r$/m.test(m.raw));
    assert.equal(delayed.length, 1);
    assert.match(delayed[0].raw, /^Will-Retry-Until: /m);
    assert.equal(final.length, 1);
    assert.match(final[0].raw, /^Status: 4\.7\.1\r$/m);
    // The last reply was the remote server's: quoted as such, and the human part says why Heron gave up.
    assert.match(final[0].raw, /^Diagnostic-Code: smtp; 451 4\.7\.1 greylisted\r$/m);
    const explanation = (await simpleParser(final[0].raw)).text ?? '';
    assert.match(explanation, /<slow@remote\.test>: gave up when the queue lifetime ran out; the last attempt said: 451 4\.7\.1 greylisted/);
    assert.match(failed.last_error, /^slow@remote\.test: gave up after \d+ attempts: 451 4\.7\.1 greylisted$/);
    assert.equal(failed.next_retry_at, null);
    assert.equal(received('slow lane').length, 0);
    sink.rcptPolicy = () => null;
  });

  it('sends 8-bit mail only where 8BITMIME is offered, and internationalized addresses only with SMTPUTF8', async () => {
    const eightBit = 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n';
    const fine = await relay(['uma@remote.test'], 'Grüße aus Heron', eightBit);
    await settled(fine.queueIds[0], 'sent');
    assert.match(received('Grüße aus Heron')[0].raw.toString('utf8'), /Grüße/);

    // 8-bit body, ASCII header: needs 8BITMIME (RFC 6152), which legacy.test lacks.
    const refused = await relay(['vera@legacy.test'], 'eight bit body', eightBit, 'Grüße');
    const failed = await settled(refused.queueIds[0], 'failed');
    assert.equal(parseRecipientStatus(failed)['vera@legacy.test'].enhanced, '5.6.3');
    const utf8 = await relay(['josé@legacy.test'], 'plain ascii body');
    const utf8Failed = await settled(utf8.queueIds[0], 'failed');
    assert.equal(parseRecipientStatus(utf8Failed)['josé@legacy.test'].enhanced, '5.6.7');
    assert.equal(legacy.messages.length, 0);

    const plain = await relay(['walt@legacy.test'], 'seven bits');
    await settled(plain.queueIds[0], 'sent');
    assert.equal(legacy.messages.length, 1);
    const [refusal] = await dsns('vera@legacy.test');
    assert.match(refusal.raw, /^Status: 5\.6\.3\r$/m);
    assert.match(refusal.raw, /^Diagnostic-Code: X-Heron; legacy\.test does not offer 8BITMIME, which this message needs\r$/m);
    assert.doesNotMatch(refusal.raw, /^Diagnostic-Code: smtp;/m);
  });
});
