// SMTP AUTH under the authentication throttle (schema/auth-throttle.ts): a
// success forgives nothing but its own account's failures, and failures
// against an account never lock its owner out. Each test speaks from its own
// loopback address (127.0.0.x).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RawSmtp } from './client.ts';
import { ALICE, ALICE_PASSWORD, POSTMASTER, PASSWORD, smtpHeron, stopHeron, type TestHeron } from './fixtures.ts';

describe('SMTP AUTH throttling', () => {
  let heron: TestHeron;
  before(async () => {
    heron = await smtpHeron();
  });
  after(() => stopHeron(heron));

  async function session(localAddress: string): Promise<RawSmtp> {
    const c = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true, localAddress });
    await c.hello();
    return c;
  }

  test('spraying other accounts while logging in to its own every nine guesses is refused at the limit', async () => {
    const codes: number[] = [];
    for (let round = 0; round < 4; round++) {
      const guesser = await session('127.0.0.41');
      for (let i = 0; i < 9; i++) codes.push((await guesser.authPlain(`victim${round}-${i}@heron.test`, 'guess')).code);
      await guesser.quit();
      const mine = await session('127.0.0.41');
      assert.equal((await mine.authPlain(ALICE, ALICE_PASSWORD)).code, 235, 'its own login keeps working');
      await mine.quit();
    }
    assert.deepEqual(codes.slice(0, 10), Array(10).fill(535));
    assert.deepEqual(codes.slice(10), Array(codes.length - 10).fill(454));
  });

  test('the owner logs in from a clean address right after ten failures from another', async () => {
    const attacker = await session('127.0.0.42');
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await attacker.authPlain(POSTMASTER, `wrong-${i}`)).code);
    await attacker.quit();
    assert.deepEqual(codes, [...Array(10).fill(535), 454, 454]);
    const owner = await session('127.0.0.43');
    assert.equal((await owner.authPlain(POSTMASTER, PASSWORD)).code, 235);
    await owner.quit();
  });
});
