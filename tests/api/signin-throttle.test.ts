// POST /action/user_account/signin under the authentication throttle
// (schema/auth-throttle.ts). Requests leave from different loopback addresses
// (127.0.0.x), which the API sees as different clients; each has a deadline.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createUserAccount } from '../../schema/index.ts';
import type { Heron } from '../../server/heron.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, startTestHeron } from '../helpers/heron.ts';

const DEADLINE_MS = 15_000;

interface Answer {
  status: number;
  retryAfter: string | undefined;
}

describe('API sign-in throttling', () => {
  let heron: Heron & { dataDir: string };
  before(async () => {
    heron = await startTestHeron();
    await createUserAccount(heron.store, { email: 'own@heron.test', password: 'own password 1', isAdmin: false });
  });
  after(async () => {
    await heron.stop();
    removeDir(heron.dataDir);
  });

  function signin(localAddress: string, email: string, password: string): Promise<Answer> {
    const body = JSON.stringify({ attributes: { email, password } });
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: heron.ports.api,
          localAddress,
          method: 'POST',
          path: '/action/user_account/signin',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: DEADLINE_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${DEADLINE_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  test('spraying other accounts while signing in to its own every nine guesses is refused at the limit', async () => {
    const statuses: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 9; i++) statuses.push((await signin('127.0.0.51', `victim${round}-${i}@heron.test`, 'guess')).status);
      assert.equal((await signin('127.0.0.51', 'own@heron.test', 'own password 1')).status, 200, 'its own sign-in keeps working');
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.deepEqual(statuses.slice(10), Array(statuses.length - 10).fill(429));
  });

  test('429 says when to come back', async () => {
    const refused = await signin('127.0.0.51', 'victim@heron.test', 'guess');
    assert.equal(refused.status, 429);
    const seconds = Number(refused.retryAfter);
    assert.ok(seconds > 0 && seconds <= 15 * 60, `Retry-After: ${refused.retryAfter}`);
  });

  test('the owner signs in from a clean address right after ten failures from another', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await signin('127.0.0.52', ADMIN_EMAIL, `guess ${i}`)).status);
    assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429]);
    assert.equal((await signin('127.0.0.52', ADMIN_EMAIL, ADMIN_PASSWORD)).status, 429, 'the failing address stays refused');
    assert.equal((await signin('127.0.0.53', ADMIN_EMAIL, ADMIN_PASSWORD)).status, 200);
  });
});
