// Delivery policy settings: the per-destination limit and strict TLS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listOutbox } from '../../schema/index.ts';
import { removeDir, startTestHeron } from '../helpers/heron.ts';
import { mailboxContents } from './mailbox-reader.ts';
import { eventually, type LoopbackDns, outboundEnv, type SmtpSink, startDns, startSink, userWithMailbox } from './helpers.ts';

type TestHeron = Awaited<ReturnType<typeof startTestHeron>>;

async function relayMany(heron: TestHeron, count: number, subject: string): Promise<string[]> {
  const { account } = await userWithMailbox(heron.store, 'pat');
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const result = await heron.relay({
      accountId: account.id,
      username: account.username,
      envelopeFrom: account.username,
      recipients: [`r${i}@remote.test`],
      raw: Buffer.from(`From: pat@heron.test\r\nTo: r${i}@remote.test\r\nSubject: ${subject} ${i}\r\n\r\nHello.\r\n`),
    });
    ids.push(...result.queueIds);
  }
  return ids;
}

describe('outbound delivery policy', () => {
  let dns: LoopbackDns;
  let sink: SmtpSink;
  const herons: TestHeron[] = [];

  before(async () => {
    dns = await startDns(new Map([['remote.test', { a: ['127.0.0.1'] }]]));
    sink = await startSink({ dataDelayMs: 150 });
  });
  after(async () => {
    for (const heron of herons) {
      await heron.stop();
      removeDir(heron.dataDir);
    }
    await sink.close();
    await dns.close();
  });

  it('keeps to one session at a time per destination when so configured, and files no Sent copy when told not to', async () => {
    const heron = await startTestHeron({ env: outboundEnv(dns, sink.port, { HERON_OUTBOUND_PER_DESTINATION: '1', HERON_OUTBOUND_SENT_COPY: 'false' }) });
    herons.push(heron);
    sink.maxSessions = 0;
    const ids = await relayMany(heron, 5, 'one at a time');
    await eventually(async () => (await listOutbox(heron.store)).filter((r) => ids.includes(r.reference_id) && r.status === 'sent').length === 5 || undefined, 'all five delivered');
    assert.equal(sink.maxSessions, 1);
    const pat = (await listOutbox(heron.store)).find((r) => r.reference_id === ids[0])!.mail_account_id!;
    assert.equal((await mailboxContents(heron.store, pat, '\\Sent')).length, 0);
  });

  it('with strict TLS, refuses an unverifiable certificate and never falls back to plaintext', async () => {
    const heron = await startTestHeron({ env: outboundEnv(dns, sink.port, { HERON_OUTBOUND_TLS_STRICT: 'true', HERON_OUTBOUND_RETRY_MIN_SECONDS: '3600' }) });
    herons.push(heron);
    const before = sink.messages.length;
    const [id] = await relayMany(heron, 1, 'strict');
    const row = await eventually(async () => {
      const r = (await listOutbox(heron.store)).find((x) => x.reference_id === id)!;
      return r.retry_count >= 1 ? r : undefined;
    }, 'the first attempt');
    assert.equal(row.status, 'queued');
    assert.match(row.last_error, /certificate/i);
    assert.equal(sink.messages.length, before);
  });
});
