// Sending by REST (EmailEngine's submit and Daptin's send_mail) and the queue
// actions, against the real API, a loopback DNS and a loopback SMTP sink.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { deliverMessage, findSpecialMailbox, getMessages, listOutbox, type MailAccountRow, type OutboxRow } from '../../schema/index.ts';
import { fetchWithDeadline, WAIT_MS, within } from '../helpers/deadline.ts';
import { removeDir, startTestHeron } from '../helpers/heron.ts';
import { adminSignIn, eventually, type LoopbackDns, outboundEnv, post, signIn, type SmtpSink, startDns, startSink, userWithMailbox } from './helpers.ts';
import { mailboxContents } from './mailbox-reader.ts';

type TestHeron = Awaited<ReturnType<typeof startTestHeron>>;

describe('sending by REST', () => {
  let dns: LoopbackDns;
  let sink: SmtpSink;
  let heron: TestHeron;
  let bob: MailAccountRow;
  let alice: MailAccountRow;
  let bobToken: string;
  let aliceToken: string;
  let api: number;

  before(async () => {
    dns = await startDns(
      new Map([
        ['remote.test', { a: ['127.0.0.1'] }],
        ['blackhole.test', { a: ['127.0.0.2'] }],
      ]),
    );
    sink = await startSink();
    heron = await startTestHeron({ env: outboundEnv(dns, sink.port) });
    api = heron.ports.api;
    bob = (await userWithMailbox(heron.store, 'bob')).account;
    alice = (await userWithMailbox(heron.store, 'alice')).account;
    bobToken = await signIn(api, 'bob-user@heron.test', 'bob-password');
    aliceToken = await signIn(api, 'alice-user@heron.test', 'alice-password');
  });

  after(async () => {
    await heron.stop();
    await sink.close();
    await dns.close();
    removeDir(heron.dataDir);
  });

  const outboxRow = async (id: string): Promise<OutboxRow | undefined> => (await listOutbox(heron.store)).find((r) => r.reference_id === id);
  const delivered = async (queueId: string) => {
    await eventually(async () => (await outboxRow(queueId))?.status === 'sent' || undefined, `delivery of ${queueId}`);
    const row = (await outboxRow(queueId))!;
    const message = sink.messages.find((m) => m.raw.toString().includes(`Message-ID: ${row.message_id}`));
    assert.ok(message, 'the sink received the message');
    return { envelope: message, parsed: await simpleParser(message.raw), raw: message.raw.toString() };
  };
  const submit = (account: string, body: unknown, token = bobToken) => post(api, `/v1/account/${account}/submit`, token, body);

  it('submits with cc, bcc, reply-to and attachments; local recipients get it from the store, Sent keeps the Bcc', async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10, 0x80]);
    const res = await submit('bob@heron.test', {
      to: [{ name: 'Carol', address: 'carol@remote.test' }],
      cc: 'alice@heron.test',
      bcc: ['hidden@remote.test'],
      replyTo: { name: 'Bob Desk', address: 'desk@heron.test' },
      subject: 'Quarterly report ✓',
      text: 'See attached.',
      html: '<p>See attached.</p>',
      attachments: [
        { filename: 'report.pdf', content: pdf.toString('base64'), contentType: 'application/pdf' },
        { filename: 'notes.txt', content: Buffer.from('plain notes').toString('base64') },
      ],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const body = res.body as { messageId: string; queueId: string; queueIds: string[]; delivered: string[] };
    assert.match(body.messageId, /^<[^@\s]+@heron\.test>$/);
    assert.equal(body.queueIds.length, 1);
    assert.equal(body.queueId, body.queueIds[0]);
    assert.deepEqual(body.delivered, ['alice@heron.test']);

    const { envelope, parsed, raw } = await delivered(body.queueId);
    assert.deepEqual(envelope.to.sort(), ['carol@remote.test', 'hidden@remote.test']);
    const listed = await fetchWithDeadline(`http://127.0.0.1:${api}/api/outbox/${body.queueId}`, { headers: { authorization: `Bearer ${bobToken}` } });
    const resource = ((await listed.json()) as { data: { attributes: Record<string, unknown> } }).data.attributes;
    assert.equal(resource.status, 'sent');
    assert.equal(resource.next_retry_at, null, 'a sent row has no next attempt (it used to read 1970)');
    assert.equal(envelope.from, 'bob@heron.test');
    assert.doesNotMatch(raw, /^Bcc:/im);
    assert.match(raw, /^DKIM-Signature: /m);
    assert.equal(parsed.subject, 'Quarterly report ✓');
    assert.equal(parsed.replyTo?.value[0].address, 'desk@heron.test');
    assert.equal(parsed.text?.trim(), 'See attached.');
    assert.equal(parsed.attachments.length, 2);
    assert.equal(parsed.attachments[0].filename, 'report.pdf');
    assert.equal(parsed.attachments[0].contentType, 'application/pdf');
    assert.deepEqual(parsed.attachments[0].content, pdf);
    assert.equal(parsed.attachments[1].content.toString(), 'plain notes');

    const inbox = await mailboxContents(heron.store, alice.id, 'INBOX');
    assert.equal(inbox.filter((m) => m.raw.includes(body.messageId)).length, 1);
    const sent = await mailboxContents(heron.store, bob.id, '\\Sent');
    const copy = sent.find((m) => m.raw.includes(body.messageId));
    assert.ok(copy);
    assert.match(copy.raw, /^Bcc: hidden@remote\.test\r$/m);
  });

  it('replies to and forwards a stored message, setting headers, subject and flags on the original', async () => {
    const [original] = await deliverMessage(heron.store, {
      raw: Buffer.from(
        'From: Carol <carol@remote.test>\r\nTo: bob@heron.test\r\nSubject: Plans for Friday\r\nMessage-ID: <orig-1@remote.test>\r\nReferences: <older@remote.test>\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\n\r\nLunch?\r\n',
      ),
      copies: [{ mailboxId: (await findSpecialMailbox(heron.store, bob.id, 'INBOX')).id }],
    });
    const reply = await post(api, '/action/mail_account/send_mail', bobToken, {
      attributes: { from: 'bob@heron.test', to: ['carol@remote.test'], body: 'Sounds good.', reference: { mail: original.referenceId, action: 'reply' } },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    const [notice, sendResult] = reply.body as Array<{ ResponseType: string; Attributes: { message_id: string; queue_ids: string[] } }>;
    assert.equal(notice.ResponseType, 'client.notify');
    assert.equal(sendResult.ResponseType, 'mail.send');
    const replied = await delivered(sendResult.Attributes.queue_ids[0]);
    assert.equal(replied.parsed.subject, 'Re: Plans for Friday');
    assert.equal(replied.parsed.inReplyTo, '<orig-1@remote.test>');
    assert.deepEqual(replied.parsed.references, ['<older@remote.test>', '<orig-1@remote.test>']);
    assert.equal(replied.parsed.messageId, sendResult.Attributes.message_id);

    const forward = await submit('bob@heron.test', { to: 'dan@remote.test', text: 'FYI', reference: { message: original.referenceId, action: 'forward' } });
    assert.equal(forward.status, 200, JSON.stringify(forward.body));
    const forwarded = await delivered((forward.body as { queueId: string }).queueId);
    assert.equal(forwarded.parsed.subject, 'Fwd: Plans for Friday');
    assert.equal(forwarded.parsed.attachments[0].contentType, 'message/rfc822');
    assert.match(forwarded.parsed.attachments[0].content.toString(), /Message-ID: <orig-1@remote\.test>/);

    const [meta] = await getMessages(heron.store, original.mailboxId, [original.uid]);
    assert.ok(meta.flags.includes('\\Answered'));
    assert.ok(meta.flags.includes('$Forwarded'));

    // Someone else's message cannot be referenced.
    const foreign = await submit('alice@heron.test', { to: 'x@remote.test', text: 'hi', reference: { message: original.referenceId } }, aliceToken);
    assert.equal(foreign.status, 404);
  });

  it('never lets CR/LF in a field become a header or a recipient', async () => {
    const evil = 'x\r\nX-Injected: yes\r\nBcc: evil@remote.test';
    const res = await submit('bob@heron.test', {
      from: { name: evil, address: 'bob@heron.test' },
      to: [{ name: evil, address: 'carol@remote.test' }],
      cc: [{ name: evil, address: 'cc@remote.test' }],
      replyTo: { name: evil, address: 'desk@heron.test' },
      subject: evil,
      text: evil,
      html: `<p>${evil}</p>`,
      attachments: [{ filename: evil, content: 'aGk=' }],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { envelope, raw, parsed } = await delivered((res.body as { queueId: string }).queueId);
    const header = raw.slice(0, raw.indexOf('\r\n\r\n'));
    assert.doesNotMatch(header, /^X-Injected:/im);
    assert.doesNotMatch(header, /^Bcc:/im);
    assert.deepEqual(envelope.to.sort(), ['carol@remote.test', 'cc@remote.test']);
    assert.equal(parsed.subject?.includes('X-Injected'), true, 'the text survives, encoded, inside the subject');

    const before = (await listOutbox(heron.store)).length;
    const addressFields: Array<[string, unknown]> = [
      ['to', 'carol@remote.test\r\nBcc: evil@remote.test'],
      ['cc', ['cc@remote.test\nX-Injected: yes']],
      ['bcc', [{ address: 'b@remote.test\r\nX-Injected: yes' }]],
      ['replyTo', 'desk@heron.test\r\nX-Injected: yes'],
      ['from', { address: 'bob@heron.test\r\nX-Injected: yes' }],
    ];
    for (const [field, value] of addressFields) {
      const bad = await submit('bob@heron.test', { to: 'carol@remote.test', text: 'hi', [field]: value });
      assert.equal(bad.status, 400, `${field} with CR/LF is refused`);
    }
    const attachmentType = await submit('bob@heron.test', {
      to: 'carol@remote.test',
      attachments: [{ filename: 'a.txt', content: 'aGk=', contentType: 'text/plain\r\nX-Injected: yes' }],
    });
    assert.equal(attachmentType.status, 400);
    assert.equal((await listOutbox(heron.store)).length, before, 'nothing was queued');
  });

  it('refuses to send as an address the caller does not own; an admin may', async () => {
    const count = (await listOutbox(heron.store)).length;
    // The mail API answers for an account the caller may not use as for none at all (404); a From it may not use is a 403.
    assert.equal((await submit('alice@heron.test', { to: 'x@remote.test', text: 'hi' })).status, 404);
    assert.equal((await submit('bob@heron.test', { from: 'alice@heron.test', to: 'x@remote.test', text: 'hi' })).status, 403);
    const daptin = await post(api, '/action/mail_account/send_mail', bobToken, { attributes: { from: 'alice@heron.test', to: ['x@remote.test'], body: 'hi' } });
    assert.equal(daptin.status, 403);
    assert.equal((await submit('nobody@heron.test', { to: 'x@remote.test', text: 'hi' })).status, 404);
    assert.equal((await post(api, '/v1/account/bob@heron.test/submit', 'not-a-token', { to: 'x@remote.test' })).status, 401);
    assert.equal((await submit('bob@heron.test', { to: 'ghost@heron.test', text: 'hi' })).status, 404, 'unknown local recipient');
    assert.equal((await submit('bob@heron.test', { text: 'no recipients' })).status, 422);
    assert.equal((await listOutbox(heron.store)).length, count, 'nothing was queued');

    const admin = await adminSignIn(api);
    const asAlice = await post(api, '/action/mail_account/send_mail', admin, { attributes: { from: 'alice@heron.test', to: ['x@remote.test'], subject: 'from the admin', body: 'hi' } });
    assert.equal(asAlice.status, 200, JSON.stringify(asAlice.body));
  });

  it('retries, cancels and processes queued rows for their owner only', async () => {
    const res = await submit('bob@heron.test', { to: 'nobody@blackhole.test', subject: 'into the void', text: 'hi' });
    const queueId = (res.body as { queueId: string }).queueId;
    await eventually(async () => ((await outboxRow(queueId))?.retry_count ?? 0) >= 1 || undefined, 'a failed attempt');
    const action = (name: string, token: string, id = queueId) => post(api, `/action/outbox/${name}`, token, { attributes: { outbox_id: id } });

    assert.equal((await action('cancel', aliceToken)).status, 404, "another user's row is invisible");
    assert.equal((await action('retry', aliceToken)).status, 404);
    assert.equal((await post(api, '/action/outbox/retry', bobToken, { attributes: { outbox_id: 'nope' } })).status, 400);
    assert.equal((await action('retry', bobToken, crypto.randomUUID())).status, 404);

    await eventually(async () => (await outboxRow(queueId))?.status === 'queued' || undefined, 'the row between attempts');
    const retried = await action('retry', bobToken);
    // The worker may hold the row at this moment; then retry is refused as not queued.
    assert.ok([200, 422].includes(retried.status), JSON.stringify(retried.body));

    const cancelled = await eventually(async () => {
      const r = await action('cancel', bobToken);
      return r.status === 200 ? r : undefined;
    }, 'cancel to be accepted between attempts');
    const attrs = (cancelled.body as Array<{ ResponseType: string; Attributes: { attributes: { status: string; next_retry_at: number | null; mail?: unknown } } }>)[1].Attributes.attributes;
    assert.equal(attrs.status, 'cancelled');
    assert.equal(attrs.next_retry_at, null);
    assert.equal(attrs.mail, undefined, 'the message bytes are not in the answer');
    assert.equal((await action('retry', bobToken)).status, 422, 'a cancelled row cannot be retried');

    const processed = await post(api, '/action/outbox/process_outbox', bobToken, {});
    assert.equal(processed.status, 200);
    await within(heron.outbound.idle(), WAIT_MS, 'the outbound worker to be idle');
    assert.equal((await outboxRow(queueId))?.status, 'cancelled');
  });
});
