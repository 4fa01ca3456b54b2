// Sign-in tokens: Bearer header, ?token= and the token cookie; expiry;
// revocation by sign-out; sign-up only when the operator allows it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findUserByEmail, issueToken } from '../../schema/index.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { api, type Api, assertError, type TestHeron, useHeron } from './client.ts';

describe('tokens, sign-up and sign-out', () => {
  let heron: TestHeron;
  let a: Api;

  useHeron(async (h) => {
    heron = h;
    a = api(heron);
  }, { HERON_ALLOW_SIGNUP: 'true' });

  test('the token works as Bearer, ?token= and cookie', async () => {
    const token = await a.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
    assert.equal((await a.get('/api/mail_server', token)).status, 200);
    assert.equal((await a.get(`/api/mail_server?token=${encodeURIComponent(token)}`)).status, 200);
    assert.equal((await a.request('GET', '/api/mail_server', { headers: { Cookie: `token=${token}` } })).status, 200);
    const page = await a.get(`/api/mail_server?token=${encodeURIComponent(token)}&page[size]=1`);
    assert.doesNotMatch(JSON.stringify(page.body.links), new RegExp(token), 'links never repeat the token');
  });

  test('an expired token is refused', async () => {
    const admin = await findUserByEmail(heron.store, ADMIN_EMAIL);
    const live = await issueToken(heron.store, admin!.id, 60_000);
    const dead = await issueToken(heron.store, admin!.id, -1);
    assert.equal((await a.get('/api/user_account', live.token)).status, 200);
    assertError(await a.get('/api/user_account', dead.token), 401);
  });

  test('sign-out revokes the token it was sent with, and only that one', async () => {
    const first = await a.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
    const second = await a.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
    const out = await a.post('/action/user_account/signout', first, undefined);
    assert.equal(out.status, 200, out.text);
    assertError(await a.get('/api/mail_server', first), 401);
    assertError(await a.post('/action/user_account/signout', first, undefined), 401);
    assert.equal((await a.get('/api/mail_server', second)).status, 200);
  });

  test('sign-up creates a non-admin who sees only their own rows', async () => {
    const up = await a.post('/action/user_account/signup', undefined, {
      attributes: { name: 'New', email: 'new@heron.test', password: 'new-password', passwordConfirm: 'new-password' },
    });
    assert.equal(up.status, 201, up.text);
    assertError(await a.post('/action/user_account/signup', undefined, { attributes: { email: 'new@heron.test', password: 'new-password' } }), 409);
    assertError(await a.post('/action/user_account/signup', undefined, { attributes: { email: 'x@heron.test', password: 'new-password', passwordConfirm: 'other' } }), 422);
    assertError(await a.post('/action/user_account/signup', undefined, { attributes: { email: 'not-an-address', password: 'new-password' } }), 422);
    const token = await a.signin('new@heron.test', 'new-password');
    const users = await a.get('/api/user_account', token);
    assert.deepEqual(users.body.data.map((u: { attributes: { email: string; is_admin: boolean } }) => [u.attributes.email, u.attributes.is_admin]), [['new@heron.test', false]]);
    assert.equal((await a.get('/api/mail_server', token)).body.data.length, 0);
    assert.equal((await a.get('/api/mail_box', token)).body.data.length, 0);
    assertError(await a.post('/api/mail_server', token, { data: { type: 'mail_server', attributes: { hostname: 'mine.test' } } }), 403);
  });
});
