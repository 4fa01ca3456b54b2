// The authentication throttle as a unit (schema/auth-throttle.ts), with a clock
// and a delay the test controls: what is refused, what is only slowed, how the
// delay grows, and that the records stay bounded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthThrottle, clientKey, MemoryThrottleState } from '../../schema/index.ts';

const MINUTE = 60_000;

function harness(settings: Partial<ConstructorParameters<typeof AuthThrottle>[0] & object>['settings'] = {}) {
  const clock = { now: 1_700_000_000_000 };
  const waits: number[] = [];
  const throttle = new AuthThrottle({
    settings,
    now: () => clock.now,
    wait: async (ms) => {
      waits.push(ms);
      clock.now += ms;
    },
  });
  let checks = 0;
  /** One attempt: `right` says whether the password is right. */
  const login = async (address: string, account: string, right: boolean) =>
    (
      await throttle.attempt(address, account, async () => {
        checks++;
        return right ? { account } : null;
      })
    ).kind;
  return { clock, waits, throttle, login, checks: () => checks };
}

describe('authentication throttle', () => {
  test('a success does not forgive failures against other accounts: spraying with an own login every nine guesses is refused at the limit', async () => {
    const { login, checks } = harness();
    const kinds: string[] = [];
    for (let round = 0; round < 11; round++) {
      for (let i = 0; i < 9; i++) kinds.push(await login('198.51.100.7', `victim${round * 9 + i}@heron.test`, false));
      kinds.push((await login('198.51.100.7', 'mine@heron.test', true)) === 'ok' ? 'own-ok' : 'own-refused');
    }
    const guesses = kinds.filter((k) => k !== 'own-ok' && k !== 'own-refused');
    assert.equal(guesses.filter((k) => k === 'failed').length, 10, 'exactly ten guesses are checked');
    assert.equal(guesses.filter((k) => k === 'refused').length, guesses.length - 10);
    assert.equal(guesses.indexOf('refused'), 10);
    // Its own account stays usable: the address proved it owns it (a trusted pair).
    assert.ok(kinds.filter((k) => k.startsWith('own')).every((k) => k === 'own-ok'));
    // Refused attempts never reach the password check.
    assert.equal(checks(), 10 + 11);
  });

  test('a success forgives that address its failures against the account it proved it owns', async () => {
    const { login } = harness();
    for (let i = 0; i < 9; i++) assert.equal(await login('198.51.100.8', 'typo@heron.test', false), 'failed');
    assert.equal(await login('198.51.100.8', 'typo@heron.test', true), 'ok');
    for (let i = 0; i < 9; i++) assert.equal(await login('198.51.100.8', 'other@heron.test', false), 'failed');
    assert.equal(await login('198.51.100.8', 'other@heron.test', false), 'failed', 'the nine typos no longer count');
    assert.equal(await login('198.51.100.8', 'other@heron.test', false), 'refused');
  });

  test('failures against an account from anywhere never refuse its owner from a clean address; they slow it', async () => {
    const { login, waits } = harness();
    for (let i = 0; i < 12; i++) await login('203.0.113.66', 'owner@heron.test', false);
    assert.equal(await login('203.0.113.66', 'owner@heron.test', true), 'refused', 'the guessing address is refused');
    waits.length = 0;
    assert.equal(await login('192.0.2.10', 'owner@heron.test', true), 'ok');
    assert.deepEqual(waits, [15_000], 'the clean address waited the full penalty, then got in');
    // Now trusted: others' failures no longer slow it.
    for (let i = 0; i < 3; i++) await login(`203.0.113.${100 + i}`, 'owner@heron.test', false);
    waits.length = 0;
    assert.equal(await login('192.0.2.10', 'owner@heron.test', true), 'ok');
    assert.deepEqual(waits, []);
  });

  test('the delay doubles with each failure on record, like Dovecot (2, 4, 8, then 15 s)', async () => {
    const { login, waits } = harness();
    // Each guess from a new address: only the account's failures slow it.
    for (let i = 0; i < 7; i++) await login(`192.0.2.${i + 1}`, 'target@heron.test', false);
    assert.deepEqual(waits, [2000, 4000, 8000, 15_000, 15_000, 15_000]);
    // The same from one address: its own failures slow it as well.
    const one = harness({ delayMs: 100, maxDelayMs: 1000 });
    for (let i = 0; i < 6; i++) await one.login('192.0.2.99', `someone${i}@heron.test`, false);
    assert.deepEqual(one.waits, [100, 200, 400, 800, 1000]);
  });

  test('refusal lasts until the oldest failure leaves the window', async () => {
    const { login, clock, throttle } = harness({ windowMs: 15 * MINUTE, delayMs: 0, maxDelayMs: 0 });
    for (let i = 0; i < 10; i++) await login('198.51.100.20', `x${i}@heron.test`, false);
    const verdict = await throttle.assess('198.51.100.20', 'x@heron.test');
    assert.equal(verdict.refused, true);
    assert.ok(verdict.retryAfterMs > 14 * MINUTE && verdict.retryAfterMs <= 15 * MINUTE, String(verdict.retryAfterMs));
    clock.now += 15 * MINUTE;
    assert.equal(await login('198.51.100.20', 'x@heron.test', false), 'failed');
  });

  test('delayed attempts per address are bounded; more are refused at once, without a check', async () => {
    const releases: Array<() => void> = [];
    const throttle = new AuthThrottle({
      settings: { maxPendingPerAddress: 3, delayMs: 1000 },
      wait: () => new Promise<void>((resolve) => releases.push(resolve)),
    });
    let checks = 0;
    const check = async () => {
      checks++;
      return null;
    };
    // One failure on record makes every later attempt wait.
    assert.equal((await throttle.attempt('198.51.100.30', 'a@heron.test', check)).kind, 'failed');
    const waiting = [1, 2, 3].map(() => throttle.attempt('198.51.100.30', 'a@heron.test', check));
    await new Promise((r) => setImmediate(r));
    assert.equal(releases.length, 3);
    const extra = await throttle.attempt('198.51.100.30', 'a@heron.test', check);
    assert.equal(extra.kind, 'refused');
    assert.equal(checks, 1, 'nothing was checked while the attempts wait');
    // Another address is not affected by this one's queue.
    assert.equal((await throttle.attempt('198.51.100.31', 'b@heron.test', check)).kind, 'failed');
    releases.forEach((release) => release());
    assert.deepEqual((await Promise.all(waiting)).map((o) => o.kind), ['failed', 'failed', 'failed']);
  });

  test('a burst of parallel attempts from one address cannot overshoot the limit', async () => {
    const throttle = new AuthThrottle({ settings: { delayMs: 0, maxDelayMs: 0 } });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let checks = 0;
    const attempts = Array.from({ length: 30 }, (_, i) =>
      throttle.attempt('198.51.100.40', `burst${i}@heron.test`, async () => {
        checks++;
        await gate;
        return null;
      }),
    );
    await new Promise((r) => setImmediate(r));
    release();
    const kinds = (await Promise.all(attempts)).map((o) => o.kind);
    assert.equal(checks, 10);
    assert.equal(kinds.filter((k) => k === 'failed').length, 10);
    assert.equal(kinds.filter((k) => k === 'refused').length, 20);
  });

  test('account names are compared in their stored form (case, IDN)', async () => {
    const { login, throttle } = harness();
    for (let i = 0; i < 3; i++) await login(`192.0.2.${50 + i}`, 'Jörg@Bücher.example', false);
    const verdict = await throttle.assess('192.0.2.60', 'jörg@xn--bcher-kva.example');
    assert.equal(verdict.delayMs, 8000);
  });

  test('records stay bounded while an attacker rotates addresses and account names', async () => {
    const state = new MemoryThrottleState({ maxKeys: 100, maxRecordsPerKey: 8 });
    const throttle = new AuthThrottle({ state, settings: { delayMs: 0, maxDelayMs: 0 } });
    for (let i = 0; i < 2000; i++) {
      await throttle.attempt(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, `random${i}@heron.test`, async () => null);
    }
    for (let i = 0; i < 200; i++) await throttle.attempt(`10.9.9.${i}`, `ok${i}@heron.test`, async () => ({}));
    const sizes = state.sizes;
    assert.ok(sizes.addresses <= 100 && sizes.accounts <= 100 && sizes.trusted <= 100, JSON.stringify(sizes));
    assert.ok(sizes.addresses > 0 && sizes.trusted > 0);
  });

  test('IPv6 clients count per /64; IPv4-mapped addresses as IPv4', () => {
    assert.equal(clientKey('2001:db8:1:2:aaaa::1'), clientKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    assert.equal(clientKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0000:0003::9'), '2001:db8:0:3::/64');
    assert.notEqual(clientKey('2001:db8:1:2::1'), clientKey('2001:db8:1:3::1'));
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(clientKey('192.0.2.1'), '192.0.2.1');
  });
});
