// A queued message survives a stop, and a claim left by a crash is reclaimed:
// either way it is delivered exactly once after the restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeStore, findMailAccount, listOutbox, openStore, type OutboxRow } from '../../schema/index.ts';
import { engineTest } from '../helpers/database.ts';
import { WAIT_MS, within } from '../helpers/deadline.ts';
import { removeDir, startTestHeron, tempDir } from '../helpers/heron.ts';
import { adminSignIn, closedPort, eventually, type LoopbackDns, outboundEnv, post, type SmtpSink, startDns, startSink, userWithMailbox } from './helpers.ts';

describe('outbound queue across restarts', () => {
  let dns: LoopbackDns;
  let sink: SmtpSink;
  const dataDir = tempDir();

  before(async () => {
    dns = await startDns(new Map([['remote.test', { a: ['127.0.0.1'] }]]));
    sink = await startSink();
  });
  after(async () => {
    await sink.close();
    await dns.close();
    removeDir(dataDir);
  });

  const rowOf = async (heron: { store: Parameters<typeof listOutbox>[0] }, id: string): Promise<OutboxRow> =>
    (await listOutbox(heron.store)).find((r) => r.reference_id === id)!;
  const copies = (subject: string) => sink.messages.filter((m) => m.raw.toString().includes(`Subject: ${subject}\r\n`)).length;

  it('keeps a deferred message over a stop and delivers it once after the start', async () => {
    // First run: the destination port is closed, so the message stays queued.
    const first = await startTestHeron({ dataDir, env: outboundEnv(dns, await closedPort()) });
    const { account } = await userWithMailbox(first.store, 'rita');
    const result = await first.relay({
      accountId: account.id,
      username: account.username,
      envelopeFrom: account.username,
      recipients: ['sam@remote.test'],
      raw: Buffer.from('From: rita@heron.test\r\nTo: sam@remote.test\r\nSubject: over the restart\r\n\r\nStill here?\r\n'),
    });
    const [queueId] = result.queueIds;
    await eventually(async () => (await rowOf(first, queueId)).retry_count >= 1 || undefined, 'a failed first attempt');
    await first.stop();

    // Second run on the same data folder, destination reachable.
    const second = await startTestHeron({ dataDir, env: outboundEnv(dns, sink.port) });
    try {
      const sent = await eventually(async () => {
        const r = await rowOf(second, queueId);
        return r.status === 'sent' ? r : undefined;
      }, 'delivery after restart');
      assert.ok(sent.retry_count >= 1);
      // Asking the queue to run again does not send it a second time.
      const token = await adminSignIn(second.ports.api);
      const processed = await post(second.ports.api, '/action/outbox/process_outbox', token, { attributes: {} });
      assert.equal(processed.status, 200);
      await within(second.outbound.idle(), WAIT_MS, 'the outbound worker to be idle');
      assert.equal(copies('over the restart'), 1);
    } finally {
      await second.stop();
    }
  });

  /** A crash in the middle of an attempt: the row is left 'sending' with a lease ending at `leaseUntil`. */
  async function crashedClaimIsDeliveredOnce(leaseUntil: number, subject: string): Promise<void> {
    const third = await startTestHeron({ dataDir, env: outboundEnv(dns, await closedPort()) });
    const rita = (await findMailAccount(third.store, 'rita@heron.test'))!;
    const result = await third.relay({
      accountId: rita.id,
      username: rita.username,
      envelopeFrom: rita.username,
      recipients: ['tom@remote.test'],
      raw: Buffer.from(`From: rita@heron.test\r\nTo: tom@remote.test\r\nSubject: ${subject}\r\n\r\nHello.\r\n`),
    });
    await eventually(async () => (await rowOf(third, result.queueIds[0])).retry_count >= 1 || undefined, 'a failed first attempt');
    await third.stop();
    const store = await openStore(third.config.database);
    await store.run(`UPDATE outbox SET status = 'sending', locked_until = ? WHERE reference_id = ?`, leaseUntil, result.queueIds[0]);
    await closeStore(store);

    const fourth = await startTestHeron({ dataDir, env: outboundEnv(dns, sink.port) });
    try {
      await eventually(async () => (await rowOf(fourth, result.queueIds[0])).status === 'sent' || undefined, 'delivery of the reclaimed row');
      await within(fourth.outbound.idle(), WAIT_MS, 'the outbound worker to be idle');
      assert.equal(copies(subject), 1);
    } finally {
      await fourth.stop();
    }
  }

  // SQLite only: one process owns the file, so at start every claim is left from a crash, whatever its lease says.
  engineTest('sqlite', 'SQLite: at start, reclaims a row a crashed run left claimed (lease far ahead) and delivers it exactly once', () =>
    crashedClaimIsDeliveredOnce(Date.now() + 3_600_000, 'after the crash'),
  );

  // PostgreSQL only: a live lease may be another node's, so only an expired one is taken back.
  engineTest('postgres', 'PostgreSQL: reclaims a row whose lease a crashed node let expire and delivers it exactly once', () =>
    crashedClaimIsDeliveredOnce(Date.now() - 1000, 'after the lease expired'),
  );
});
