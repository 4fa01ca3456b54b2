// The retry schedule with the default settings: minutes first, hours later, five days in all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../server/config.ts';
import { backoff, delayNoticeDue, nextRetry } from '../../smtpd/outbound/schedule.ts';

const policy = loadConfig({}).outbound;
const minute = 60_000;
const hour = 60 * minute;

describe('outbound retry schedule', () => {
  it('starts within minutes, doubles, and levels off at hours', () => {
    assert.equal(backoff(policy, 1), 5 * minute);
    assert.equal(backoff(policy, 2), 10 * minute);
    assert.equal(backoff(policy, 3), 20 * minute);
    assert.equal(backoff(policy, 7), 4 * hour);
    assert.equal(backoff(policy, 500), 4 * hour);
  });

  it('gives up after the lifetime (5 days by default) and tries once more right at its end', () => {
    const queuedAt = 1_000_000;
    assert.deepEqual(nextRetry(policy, queuedAt, 3, queuedAt + 5 * minute), { giveUp: false, nextRetryAt: queuedAt + 25 * minute });
    const nearEnd = queuedAt + 120 * hour - minute;
    assert.deepEqual(nextRetry(policy, queuedAt, 40, nearEnd), { giveUp: false, nextRetryAt: queuedAt + 120 * hour });
    assert.equal(nextRetry(policy, queuedAt, 41, queuedAt + 120 * hour).giveUp, true);
  });

  it('tells the sender about a delay once, after 4 hours', () => {
    assert.equal(delayNoticeDue(policy, 0, 4 * hour - 1, false), false);
    assert.equal(delayNoticeDue(policy, 0, 4 * hour, false), true);
    assert.equal(delayNoticeDue(policy, 0, 5 * hour, true), false);
  });

  it('rejects bad settings by name', () => {
    assert.throws(() => loadConfig({ HERON_OUTBOUND_PORT: '0' }), /HERON_OUTBOUND_PORT/);
    assert.throws(() => loadConfig({ HERON_OUTBOUND_RETRY_MIN_SECONDS: '-1' }), /HERON_OUTBOUND_RETRY_MIN_SECONDS/);
    assert.throws(() => loadConfig({ HERON_OUTBOUND_TLS_STRICT: 'maybe' }), /HERON_OUTBOUND_TLS_STRICT/);
  });
});
