// Every error status the API reports, as a JSON:API error document without a
// stack trace, and that a rejected request leaves the data as it was.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { issueToken, findUserByEmail } from '../../schema/index.ts';
import { api, type Api, assertError, buildWorld, snapshot, type TestHeron, useHeron, type World } from './client.ts';

describe('error statuses', () => {
  let heron: TestHeron;
  let a: Api;
  let w: World;

  useHeron(async (h) => {
    heron = h;
    a = api(heron);
    w = await buildWorld(a);
  });

  test('400: bad JSON, empty body, no data, unknown attribute, unknown relationship, bad list parameters', async () => {
    const before = await snapshot(heron);
    assertError(await a.request('POST', '/api/mail_box', { token: w.admin, raw: '{"data":' }), 400);
    assertError(await a.request('POST', '/api/mail_box', { token: w.admin, raw: '' , contentType: 'application/vnd.api+json' }), 400);
    assertError(await a.post('/api/mail_box', w.admin, { attributes: { name: 'x' } }), 400);
    assertError(await a.post('/api/mail_box', w.admin, { data: [] }), 400);
    const unknown = await a.post('/api/mail_server', w.admin, { data: { type: 'mail_server', attributes: { hostname: 'x.test', colour: 'red' } } });
    assertError(unknown, 400);
    assert.match(unknown.body.errors[0].detail, /unknown attribute "colour"/);
    assertError(await a.post('/api/mail_box', w.admin, { data: { type: 'mail_box', attributes: { name: 'x' }, relationships: { owner: { data: null } } } }), 400);
    assertError(await a.request('POST', '/action/mail_box/status', { token: w.admin, raw: 'not json' }), 400);
    assertError(await a.post('/action/mail_box/status', w.admin, { attributes: {} }), 400); // no mail_box_id
    for (const q of ['page[size]=0', 'page[size]=501', 'page[number]=-1', 'page[number]=abc', 'sort=nope', 'sort=password_hash', 'query=[', 'query={}',
      'query=' + encodeURIComponent('[{"column":"name","operator":"sounds like","value":"x"}]'),
      'query=' + encodeURIComponent('[{"column":"password_hash","operator":"is","value":"x"}]'),
      'query=' + encodeURIComponent('[{"column":"uidnext","operator":"more than","value":"many"}]'),
      'query=' + encodeURIComponent('[{"column":"name","operator":"is true"}]'),
      'include=mail_account_id.mail_server_id', 'filter[nope]=1']) {
      assertError(await a.get(`/api/mail_box?${q}`, w.admin), 400);
    }
    assert.equal(await snapshot(heron), before);
  });

  test('401: no token, unknown token, expired token; 403 for sign-up when disabled', async () => {
    assertError(await a.get('/api/mail_box'), 401);
    assertError(await a.get('/api/mail_box', 'not-a-token'), 401);
    const user = await findUserByEmail(heron.store, 'owner@heron.test');
    const expired = await issueToken(heron.store, user!.id, -1000);
    assertError(await a.get('/api/mail_box', expired.token), 401);
    assertError(await a.post('/action/mail_server/sync_mail_servers', undefined, {}), 401);
    assertError(await a.post('/action/user_account/signup', undefined, { attributes: { email: 'new@heron.test', password: 'new-password' } }), 403);
  });

  test('403: a user creating admin-only rows, running admin actions, promoting themselves; client-generated ids', async () => {
    const before = await snapshot(heron);
    assertError(await a.post('/api/mail_server', w.owner, { data: { type: 'mail_server', attributes: { hostname: 'evil.test' } } }), 403);
    assertError(await a.post('/api/certificate', w.owner, { data: { type: 'certificate', attributes: { hostname: 'evil.test' } } }), 403);
    assertError(await a.post('/api/mail_account', w.owner, { data: { type: 'mail_account', attributes: { username: 'x@heron.test', password: 'p' } } }), 403);
    assertError(await a.patch(`/api/mail_server/${w.serverId}`, w.owner, { data: { type: 'mail_server', attributes: { max_clients: 1 } } }), 403);
    assertError(await a.post('/action/mail_server/sync_mail_servers', w.owner, {}), 403);
    assertError(await a.patch(`/api/user_account/${w.ownerUserId}`, w.owner, { data: { type: 'user_account', attributes: { is_admin: true } } }), 403);
    assertError(await a.patch(`/api/mail_account/${w.ownerAccountId}`, w.owner, { data: { type: 'mail_account', attributes: { username: 'boss@heron.test' } } }), 403);
    assertError(await a.post('/api/mail_box', w.admin, { data: { type: 'mail_box', id: 'mine', attributes: { name: 'x' } } }), 403);
    assert.equal(await snapshot(heron), before);
  });

  test('404: unknown ids, other users\' rows, unknown routes, relationship targets the caller cannot see', async () => {
    const before = await snapshot(heron);
    assertError(await a.get('/api/mail_box/00000000-0000-0000-0000-000000000000', w.admin), 404);
    assertError(await a.get(`/api/mail_box/${w.otherInboxId}`, w.owner), 404);
    assertError(await a.get(`/api/mail/${w.otherMailId}`, w.owner), 404);
    assertError(await a.patch(`/api/mail/${w.otherMailId}`, w.owner, { data: { type: 'mail', attributes: { seen: true } } }), 404);
    assertError(await a.delete(`/api/mail_box/${w.otherInboxId}`, w.owner), 404);
    assertError(await a.get(`/api/mail_account/${w.otherAccountId}/mail_box`, w.owner), 404);
    assertError(await a.get('/api/nothing_here', w.admin), 404);
    assertError(await a.get('/nowhere', w.admin), 404);
    assertError(
      await a.post('/api/mail_box', w.owner, { data: { type: 'mail_box', attributes: { name: 'Spy' }, relationships: { mail_account_id: { data: { type: 'mail_account', id: w.otherAccountId } } } } }),
      404,
    );
    assertError(await a.post('/action/mail_box/status', w.owner, { mail_box_id: w.otherInboxId }), 404);
    assert.equal(await snapshot(heron), before);
  });

  test('405, 406, 415', async () => {
    assertError(await a.request('PUT', '/api/mail_box', { token: w.admin, body: {} }), 405);
    assertError(await a.post('/api/outbox', w.admin, { data: { type: 'outbox', attributes: {} } }), 405);
    assertError(await a.get('/api/mail_box', w.admin, { accept: 'text/html' }), 406);
    assertError(await a.post('/api/mail_box', w.admin, { data: { type: 'mail_box' } }, { contentType: 'text/plain' }), 415);
    assertError(await a.post('/api/mail_box', w.admin, { data: { type: 'mail_box' } }, { contentType: 'application/x-www-form-urlencoded' }), 415);
    assertError(await a.post('/api/mail_box', w.admin, { data: { type: 'mail_box' } }, { contentType: 'application/vnd.api+json; charset=utf-8' }), 415);
    const ok = await a.get('/api/mail_box', w.admin, { accept: 'application/vnd.api+json' });
    assert.equal(ok.status, 200);
  });

  test('409: duplicate hostname, username, mailbox name; type and id mismatches', async () => {
    const rel = { mail_account_id: { data: { type: 'mail_account', id: w.ownerAccountId } } };
    const first = await a.post('/api/mail_box', w.owner, { data: { type: 'mail_box', attributes: { name: 'Projects' }, relationships: rel } });
    assert.equal(first.status, 201, first.text);
    const before = await snapshot(heron);
    assertError(await a.post('/api/mail_box', w.owner, { data: { type: 'mail_box', attributes: { name: 'Projects' }, relationships: rel } }), 409);
    assertError(await a.post('/api/mail_server', w.admin, { data: { type: 'mail_server', attributes: { hostname: 'heron.test' } } }), 409);
    assertError(
      await a.post('/api/mail_account', w.admin, { data: { type: 'mail_account', attributes: { username: 'owner@heron.test', password: 'x' } } }),
      409,
    );
    assertError(await a.post('/api/user_account', w.admin, { data: { type: 'user_account', attributes: { email: 'other@heron.test', password: 'long enough' } } }), 409);
    assertError(await a.post('/api/mail_box', w.owner, { data: { type: 'mail_server', attributes: { name: 'x' } } }), 409);
    assertError(await a.patch(`/api/mail_box/${w.ownerInboxId}`, w.owner, { data: { type: 'mail_box', id: w.otherInboxId, attributes: { subscribed: false } } }), 409);
    assertError(
      await a.post('/api/mail_box', w.owner, { data: { type: 'mail_box', attributes: { name: 'y' }, relationships: { mail_account_id: { data: { type: 'mail_server', id: w.serverId } } } } }),
      409,
    );
    assertError(await a.patch(`/api/mail_box/${first.body.data.id}`, w.owner, { data: { type: 'mail_box', attributes: { name: 'Sent' } } }), 409);
    const defaultCert = (await a.get('/api/certificate?filter[hostname]=heron.test', w.admin)).body.data[0].id;
    assertError(await a.delete(`/api/certificate/${defaultCert}`, w.admin), 409);
    assert.equal(await snapshot(heron), before);
  });

  test('422: values that fail validation or the store\'s rules', async () => {
    const before = await snapshot(heron);
    const rel = { mail_account_id: { data: { type: 'mail_account', id: w.ownerAccountId } } };
    assertError(await a.post('/api/mail_server', w.admin, { data: { type: 'mail_server', attributes: { hostname: 'not a host' } } }), 422);
    assertError(await a.post('/api/mail_server', w.admin, { data: { type: 'mail_server', attributes: { hostname: 'ok.test', listen_interface: 'everywhere' } } }), 422);
    assertError(await a.post('/api/mail_server', w.admin, { data: { type: 'mail_server', attributes: { hostname: 'ok.test', max_size: 'big' } } }), 422);
    assertError(await a.post('/api/mail_account', w.admin, { data: { type: 'mail_account', attributes: { username: 'no-at-sign', password: 'x' } } }), 422);
    assertError(await a.post('/api/mail_account', w.admin, { data: { type: 'mail_account', attributes: { username: 'x@unhosted.test', password: 'x' } } }), 422);
    assertError(await a.post('/api/user_account', w.admin, { data: { type: 'user_account', attributes: { email: 'short@heron.test', password: 'short' } } }), 422);
    assertError(await a.post('/api/mail_box', w.owner, { data: { type: 'mail_box', attributes: { name: 'a//b' }, relationships: rel } }), 422);
    assertError(await a.post('/api/mail_box', w.owner, { data: { type: 'mail_box', attributes: { name: 'x' } } }), 422);
    assertError(await a.delete(`/api/mail_box/${w.ownerInboxId}`, w.owner), 422);
    assertError(await a.patch(`/api/mail/${w.ownerMailId}`, w.owner, { data: { type: 'mail', attributes: { flags: ['bad flag('] } } }), 422);
    assertError(await a.post('/api/mail', w.owner, { data: { type: 'mail', attributes: { subject: 'no raw message' }, relationships: { mail_box_id: { data: { type: 'mail_box', id: w.ownerInboxId } } } } }), 422);
    assertError(await a.post('/api/mail', w.owner, { data: { type: 'mail', attributes: { mail: 'H4sIAAAA' }, relationships: { mail_box_id: { data: { type: 'mail_box', id: w.ownerInboxId } } } } }), 422);
    const certs = await a.get('/api/certificate', w.admin);
    const cert = certs.body.data[0].id;
    assertError(await a.patch(`/api/certificate/${cert}`, w.admin, { data: { type: 'certificate', attributes: { certificate_pem: 'garbage', private_key_pem: 'garbage' } } }), 422);
    assertError(await a.post('/action/mail_box/status', w.owner, { attributes: { page_size: 100000 }, mail_box_id: w.ownerInboxId }), 422);
    assert.equal(await snapshot(heron), before);
  });

  test('500: an unexpected failure inside one request is a JSON:API error without details; the process and other requests go on', async () => {
    // A row the code cannot read (flags that are not JSON) makes presenting it throw: not a 4xx the caller caused.
    const { store } = heron;
    const { id } = (await store.get<{ id: number }>('SELECT id FROM mail WHERE reference_id = ?', w.ownerMailId))!;
    const { flags } = (await store.get<{ flags: string }>('SELECT flags FROM mail WHERE id = ?', id))!;
    await store.run(`UPDATE mail SET flags = '[not json' WHERE id = ?`, id);
    try {
      const broken = await a.get(`/api/mail/${w.ownerMailId}`, w.owner);
      assertError(broken, 500);
      assert.equal(broken.body.errors[0].detail, undefined, 'nothing about the cause leaks');
      assert.doesNotMatch(broken.text, /JSON|not json|SyntaxError/);
      assert.equal((await a.get('/health')).status, 200);
      assert.equal((await a.get(`/api/mail/${w.otherMailId}`, w.other)).status, 200);
    } finally {
      await store.run('UPDATE mail SET flags = ? WHERE id = ?', flags, id);
    }
    assert.equal((await a.get(`/api/mail/${w.ownerMailId}`, w.owner)).status, 200);
  });
});
