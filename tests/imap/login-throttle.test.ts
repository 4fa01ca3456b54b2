// LOGIN and AUTHENTICATE under the authentication throttle (schema/auth-throttle.ts),
// over real TLS sockets. Each test speaks from its own loopback address
// (127.0.0.x), which the server sees as a different client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RawClient } from './raw-client.ts';
import { PASSWORD, startImap } from './fixture.ts';

type Imap = Awaited<ReturnType<typeof startImap>>;

const plain = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString('base64');

describe('IMAP login throttling', () => {
  let imap: Imap;
  const open: RawClient[] = [];
  before(async () => {
    imap = await startImap();
  });
  after(async () => {
    open.forEach((c) => c.close());
    await imap.stop();
  });

  async function from(localAddress: string): Promise<RawClient> {
    const c = await RawClient.connect(imap.heron.ports.imaps, { tls: true, localAddress });
    open.push(c);
    return c;
  }

  test('spraying other accounts while logging in to its own every nine guesses is refused at the limit', async () => {
    const { user: own } = await imap.account();
    const answers: string[] = [];
    for (let round = 0; round < 4; round++) {
      const guesser = await from('127.0.0.21');
      for (let i = 0; i < 9; i++) {
        const victim = `victim${round}-${i}@heron.test`;
        // LOGIN and AUTHENTICATE go through the same throttle.
        const reply = i % 2 ? await guesser.command(`g${i}`, `AUTHENTICATE PLAIN ${plain(victim, 'guess')}`) : await guesser.command(`g${i}`, `LOGIN ${victim} guess`);
        answers.push(/NO \[UNAVAILABLE\]/.test(reply) ? 'refused' : /NO \[AUTHENTICATIONFAILED\]/.test(reply) ? 'failed' : reply);
      }
      guesser.close();
      const mine = await from('127.0.0.21');
      assert.match(await mine.command('o', `LOGIN ${own} "${PASSWORD}"`), /^o OK/m, 'its own login keeps working');
      mine.close();
    }
    assert.deepEqual(answers.slice(0, 10), Array(10).fill('failed'));
    assert.deepEqual(answers.slice(10), Array(answers.length - 10).fill('refused'), 'the own logins forgave nothing');
  });

  test('the owner logs in from a clean address right after ten failures from another', async () => {
    const { user } = await imap.account();
    const attacker = await from('127.0.0.22');
    for (let i = 0; i < 12; i++) await attacker.command(`a${i}`, `LOGIN ${user} wrong${i}`);
    assert.match(await attacker.command('r', `LOGIN ${user} "${PASSWORD}"`), /^r NO \[UNAVAILABLE\]/m, 'the failing address is refused');
    const owner = await from('127.0.0.23');
    assert.match(await owner.command('l', `LOGIN ${user} "${PASSWORD}"`), /^l OK/m);
    const phone = await from('127.0.0.24');
    assert.match(await phone.command('p', `AUTHENTICATE PLAIN ${plain(user, PASSWORD)}`), /^p OK/m);
  });
});

describe('IMAP login delay', () => {
  const DELAY = 300;
  let imap: Imap;
  before(async () => {
    imap = await startImap({ HERON_AUTH_DELAY_MS: String(DELAY), HERON_AUTH_MAX_DELAY_MS: String(4 * DELAY) });
  });
  after(() => imap.stop());

  test('each failure on record makes the next attempt wait longer, before the password is checked', async () => {
    const { user } = await imap.account();
    const c = await RawClient.connect(imap.heron.ports.imaps, { tls: true, localAddress: '127.0.0.25' });
    const elapsed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      assert.match(await c.command(`d${i}`, `LOGIN ${user} wrong${i}`), /NO \[AUTHENTICATIONFAILED\]/);
      elapsed.push(performance.now() - started);
    }
    // Lower bounds only (a busy machine is slower, never faster): nothing, then DELAY, then twice DELAY.
    assert.ok(elapsed[1] >= DELAY * 0.95, `second attempt waited ${elapsed[1]} ms`);
    assert.ok(elapsed[2] >= 2 * DELAY * 0.95, `third attempt waited ${elapsed[2]} ms`);
    // The right password waits just the same: a quick answer would give it away.
    const started = performance.now();
    assert.match(await c.command('ok', `LOGIN ${user} "${PASSWORD}"`), /^ok OK/m);
    assert.ok(performance.now() - started >= 4 * DELAY * 0.95);
    c.close();
  });
});
