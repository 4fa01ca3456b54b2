// The activity counters (server/stats.ts): totals since start, the current
// UTC day starting afresh at midnight, rings of the latest events that keep
// only the newest, and long texts cut.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RECENT_EVENTS, Stats } from '../../server/stats.ts';

test('counts per kind, per protocol and per reply code; today starts again at midnight UTC', () => {
  let now = Date.parse('2026-03-01T23:59:00Z');
  const stats = new Stats(() => now);
  stats.messageReceived({ listener: 'smtp', client: '192.0.2.1', from: 'a@example.org', recipients: 2 });
  stats.messageRejected({ listener: 'smtp', client: '192.0.2.1', code: 550, enhanced: '5.1.1', reason: 'no such user' });
  stats.messageRejected({ listener: 'smtp', client: '192.0.2.1', code: 554, enhanced: '5.7.1', reason: 'relay denied' });
  stats.authFailed('imap', '192.0.2.2', 'alice@example.com');
  stats.authFailed('smtp', '192.0.2.2', 'alice@example.com', true);
  stats.outboundAttempt({ result: 'sent', toHost: 'example.net', recipients: 1, detail: 'delivered' });
  stats.outboundAttempt({ result: 'deferred', toHost: 'example.net', recipients: 1, detail: '451' });
  let s = stats.snapshot();
  assert.equal(s.totals.received, 1);
  assert.deepEqual(s.totals.rejected, { '550': 1, '554': 1 });
  assert.deepEqual(s.totals.authFailures, { smtp: 0, imap: 1, api: 0 });
  assert.deepEqual(s.totals.authThrottled, { smtp: 1, imap: 0, api: 0 });
  assert.deepEqual(s.totals.outbound, { sent: 1, deferred: 1, failed: 0 });
  assert.deepEqual(s.today, { date: '2026-03-01', received: 1, rejected: 2, sent: 1, failed: 0, authFailures: 2 });
  assert.equal(s.recent.rejected[0].code, 554, 'newest first');

  now = Date.parse('2026-03-02T00:00:01Z');
  stats.outboundAttempt({ result: 'failed', toHost: 'example.net', recipients: 1, detail: '550' });
  s = stats.snapshot();
  assert.deepEqual(s.today, { date: '2026-03-02', received: 0, rejected: 0, sent: 0, failed: 1, authFailures: 0 });
  assert.equal(s.totals.received, 1, 'totals go on');
});

test('the rings keep the newest events only, and cut long texts', () => {
  const stats = new Stats();
  for (let i = 0; i < RECENT_EVENTS + 5; i++) stats.messageRejected({ listener: 'smtp', client: `192.0.2.${i}`, code: 550, enhanced: '5.1.1', reason: 'x'.repeat(1000) });
  const { rejected } = stats.snapshot().recent;
  assert.equal(rejected.length, RECENT_EVENTS);
  assert.equal(rejected[0].client, `192.0.2.${RECENT_EVENTS + 4}`);
  assert.ok(rejected[0].reason.length < 400);
  assert.equal(stats.snapshot().totals.rejected['550'], RECENT_EVENTS + 5);
});
