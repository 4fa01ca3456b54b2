// The outbound queue's claims in the store: an attempt's outcome is recorded
// only under the lease it was claimed with, so a worker whose lease ran out
// (a stalled delivery, on this node or another) cannot overwrite the result of
// the worker that took the row over.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { claimOutbox, enqueueOutbox, finishOutboxAttempt, listOutbox, reclaimOutbox, updateWebhookSettings } from '../../schema/index.ts';
import { type StoreFixture, storeFixture } from '../helpers/store.ts';

describe('outbox claims and leases', () => {
  let f: StoreFixture;
  before(async () => {
    f = await storeFixture();
  });
  after(() => f.cleanup());

  const outcome = (status: 'sent' | 'failed', lastError: string) => ({
    status,
    recipientStatus: { 'bob@remote.test': { status: status === 'sent' ? ('sent' as const) : ('failed' as const) } },
    retryCount: 1,
    nextRetryAt: null,
    lastError,
    delayNotified: false,
    dsnSent: false,
  });

  test('an outcome recorded under an expired, taken-over lease changes nothing (no webhook event either); the holder of the row decides', async () => {
    await updateWebhookSettings(f.store, { enabled: true, url: 'http://127.0.0.1:9/hooks' });
    const events = async () => (await f.store.all<{ event: string }>(`SELECT event FROM webhook_event ORDER BY id`)).map((e) => e.event);
    const [row] = await enqueueOutbox(f.store, [
      { accountId: f.account.id, fromAddress: f.account.username, envelopeFrom: f.account.username, toHost: 'remote.test', recipients: ['bob@remote.test'], raw: Buffer.from('Subject: x\r\n\r\nx\r\n'), messageId: '<x@example.test>' },
    ]);
    // The first worker's lease is already over when it finishes.
    const stale = (await claimOutbox(f.store, row.id, Date.now() - 1000))!;
    assert.equal(stale.status, 'sending');
    assert.equal(await reclaimOutbox(f.store, { all: false }), 1);
    const current = (await claimOutbox(f.store, row.id, Date.now() + 60_000))!;
    assert.notEqual(current.locked_until, stale.locked_until);

    assert.equal(await finishOutboxAttempt(f.store, row.id, stale.locked_until, outcome('failed', 'stale worker')), false);
    let [now] = (await listOutbox(f.store)).filter((r) => r.id === row.id);
    assert.equal(now.status, 'sending', 'the stale outcome was not recorded');
    assert.equal(now.last_error, '');
    assert.deepEqual(await events(), [], 'the stale worker queued no messageFailed');

    assert.equal(await finishOutboxAttempt(f.store, row.id, current.locked_until, outcome('sent', '')), true);
    [now] = (await listOutbox(f.store)).filter((r) => r.id === row.id);
    assert.equal(now.status, 'sent');
    assert.equal(now.locked_until, 0);
    assert.deepEqual(await events(), ['messageSent']);
    // Recorded once: the same claim cannot finish the row again.
    assert.equal(await finishOutboxAttempt(f.store, row.id, current.locked_until, outcome('failed', 'again')), false);
    assert.deepEqual(await events(), ['messageSent']);
  });
});
