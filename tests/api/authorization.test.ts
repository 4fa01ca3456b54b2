// Who may do what: every resource and action for the admin, the owner of the
// rows, another user and an anonymous caller. Another user's row is a 404.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { api, type Api, buildWorld, message, type TestHeron, useHeron, type World } from './client.ts';

type Who = 'admin' | 'owner' | 'other' | 'anonymous';
const WHO: Who[] = ['admin', 'owner', 'other', 'anonymous'];

describe('authorization matrix', () => {
  let heron: TestHeron;
  let a: Api;
  let w: World;
  let outboxId: string;
  let privateServerId: string;
  let certId: string;
  const token = (who: Who) => (who === 'anonymous' ? undefined : w[who]);

  useHeron(async (h) => {
    heron = h;
    a = api(heron);
    w = await buildWorld(a);
    privateServerId = await a.create(w.admin, 'mail_server', { hostname: 'private.test' });
    certId = await a.create(w.admin, 'certificate', { hostname: 'matrix.test' });
    // The outbound queue's writer lives in another part; this row stands in for one it queued.
    outboxId = crypto.randomUUID();
    const account = (await heron.store.get<{ id: number }>('SELECT id FROM mail_account WHERE reference_id = ?', w.ownerAccountId))!;
    await heron.store.run(
      `INSERT INTO outbox (reference_id, mail_account_id, from_address, to_address, to_host, mail) VALUES (?, ?, 'owner@heron.test', '["x@remote.test"]', 'remote.test', ?)`,
      outboxId,
      account.id,
      Buffer.from(message('queued')),
    );
  });

  async function expect(label: string, run: (who: Who) => Promise<number>, statuses: Record<Who, number>) {
    for (const who of WHO) assert.equal(await run(who), statuses[who], `${label} as ${who}`);
  }
  const ids = (reply: { body: { data: Array<{ id: string }> } }) => reply.body.data.map((d) => d.id);

  test('lists show each caller only what they may see', async () => {
    const listed = async (type: string, who: Who) => {
      const reply = await a.get(`/api/${type}?page[size]=500`, token(who));
      return reply.status === 200 ? ids(reply) : reply.status;
    };
    assert.equal(await listed('mail_box', 'anonymous'), 401);
    for (const [type, own, foreign] of [
      ['mail_account', w.ownerAccountId, w.otherAccountId],
      ['mail_box', w.ownerInboxId, w.otherInboxId],
      ['mail', w.ownerMailId, w.otherMailId],
      ['user_account', w.ownerUserId, w.otherUserId],
    ] as const) {
      const admin = (await listed(type, 'admin')) as string[];
      const owner = (await listed(type, 'owner')) as string[];
      assert.ok(admin.includes(own) && admin.includes(foreign), `${type}: admin sees all`);
      assert.ok(owner.includes(own) && !owner.includes(foreign), `${type}: owner sees own only`);
    }
    assert.deepEqual(await listed('outbox', 'owner'), [outboxId]);
    assert.deepEqual(await listed('outbox', 'other'), []);
    assert.deepEqual(await listed('certificate', 'owner'), []);
    assert.ok(!((await listed('mail_server', 'owner')) as string[]).includes(privateServerId));
    assert.ok(((await listed('mail_server', 'owner')) as string[]).includes(w.serverId));
  });

  test('reads of one row', async () => {
    const read = (path: string) => async (who: Who) => (await a.get(path, token(who))).status;
    await expect('user_account', read(`/api/user_account/${w.ownerUserId}`), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('mail_server', read(`/api/mail_server/${w.serverId}`), { admin: 200, owner: 200, other: 200, anonymous: 401 });
    await expect('private mail_server', read(`/api/mail_server/${privateServerId}`), { admin: 200, owner: 404, other: 404, anonymous: 401 });
    await expect('mail_account', read(`/api/mail_account/${w.ownerAccountId}`), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('mail_box', read(`/api/mail_box/${w.ownerInboxId}`), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('mail', read(`/api/mail/${w.ownerMailId}`), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('outbox', read(`/api/outbox/${outboxId}`), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('certificate', read(`/api/certificate/${certId}`), { admin: 200, owner: 404, other: 404, anonymous: 401 });
    await expect('relationship', read(`/api/mail/${w.ownerMailId}/mail_box_id`), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('linkage', read(`/api/mail_account/${w.ownerAccountId}/relationships/mail_box`), { admin: 200, owner: 200, other: 404, anonymous: 401 });
  });

  test('creates', async () => {
    let n = 0;
    const create = (type: string, attributes: () => Record<string, unknown>, relationships: Record<string, unknown> = {}) => async (who: Who) =>
      (await a.post(`/api/${type}`, token(who), { data: { type, attributes: attributes(), relationships } })).status;
    const unique = () => `n${++n}`;
    await expect('user_account', create('user_account', () => ({ email: `${unique()}@heron.test`, password: 'long password' })), { admin: 201, owner: 403, other: 403, anonymous: 401 });
    await expect('mail_server', create('mail_server', () => ({ hostname: `${unique()}.test` })), { admin: 201, owner: 403, other: 403, anonymous: 401 });
    await expect('mail_account', create('mail_account', () => ({ username: `${unique()}@heron.test`, password: 'x' })), { admin: 201, owner: 403, other: 403, anonymous: 401 });
    const ownerAccount = { mail_account_id: { data: { type: 'mail_account', id: w.ownerAccountId } } };
    await expect('mail_box', create('mail_box', () => ({ name: unique() }), ownerAccount), { admin: 201, owner: 201, other: 404, anonymous: 401 });
    const ownerInbox = { mail_box_id: { data: { type: 'mail_box', id: w.ownerInboxId } } };
    await expect('mail', create('mail', () => ({ mail: message(unique()) }), ownerInbox), { admin: 201, owner: 201, other: 404, anonymous: 401 });
    await expect('outbox', create('outbox', () => ({})), { admin: 405, owner: 405, other: 405, anonymous: 401 });
    await expect('certificate', create('certificate', () => ({ hostname: `${unique()}.test` })), { admin: 201, owner: 403, other: 403, anonymous: 401 });
  });

  test('changes', async () => {
    const change = (type: string, id: string, attributes: Record<string, unknown>) => async (who: Who) =>
      (await a.patch(`/api/${type}/${id}`, token(who), { data: { type, attributes } })).status;
    await expect('user_account', change('user_account', w.ownerUserId, { name: 'Owner' }), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('mail_server', change('mail_server', w.serverId, { max_clients: 50 }), { admin: 200, owner: 403, other: 403, anonymous: 401 });
    await expect('mail_account', change('mail_account', w.ownerAccountId, { password: 'new mail password' }), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('mail_box', change('mail_box', w.ownerInboxId, { subscribed: true }), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('mail', change('mail', w.ownerMailId, { flagged: true }), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('outbox', change('outbox', outboxId, {}), { admin: 405, owner: 405, other: 404, anonymous: 401 });
    await expect('certificate', change('certificate', certId, { acme_email: 'ops@heron.test' }), { admin: 200, owner: 404, other: 404, anonymous: 401 });
  });

  test('deletes (others first, so the row still exists for each caller)', async () => {
    const order: Who[] = ['anonymous', 'other', 'owner', 'admin'];
    const del = async (type: string, id: string, statuses: Partial<Record<Who, number>>) => {
      for (const who of order.filter((o) => o in statuses)) assert.equal((await a.delete(`/api/${type}/${id}`, token(who))).status, statuses[who], `${type} as ${who}`);
    };
    const box = await a.create(w.owner, 'mail_box', { name: 'Doomed' }, { mail_account_id: { type: 'mail_account', id: w.ownerAccountId } });
    await del('mail_box', box, { anonymous: 401, other: 404, owner: 204, admin: 404 });
    const mail = await a.create(w.owner, 'mail', { mail: message('doomed') }, { mail_box_id: { type: 'mail_box', id: w.ownerInboxId } });
    await del('mail', mail, { anonymous: 401, other: 404, owner: 204, admin: 404 });
    await del('outbox', outboxId, { anonymous: 401, other: 404, owner: 405, admin: 405 });
    await del('certificate', certId, { anonymous: 401, other: 404, owner: 404, admin: 204 });
    await del('mail_server', privateServerId, { anonymous: 401, other: 404, owner: 404, admin: 204 });
    const user = await a.create(w.admin, 'user_account', { email: 'temp@heron.test', password: 'long password' });
    await del('user_account', user, { anonymous: 401, other: 404, owner: 404, admin: 204 });
    // Only an admin may delete a mail account, even its owner may not.
    await del('mail_account', w.otherAccountId, { anonymous: 401, other: 403, owner: 404, admin: 204 });
    // Users cannot delete themselves (the admin's delete is shown above; the tokens stay for the next test).
    await del('user_account', w.ownerUserId, { anonymous: 401, other: 404, owner: 403 });
  });

  test('actions', async () => {
    const act = (name: string, body: Record<string, unknown>) => async (who: Who) => (await a.post(`/action/${name}`, token(who), body)).status;
    const cert = await a.create(w.admin, 'certificate', { hostname: 'actions.test' });
    await expect('sync_mail_servers', act('mail_server/sync_mail_servers', {}), { admin: 200, owner: 403, other: 403, anonymous: 401 });
    await expect('status', act('mail_box/status', { mail_box_id: w.ownerInboxId }), { admin: 200, owner: 200, other: 404, anonymous: 401 });
    await expect('generate_self_certificate', act('certificate/generate_self_certificate', { certificate_id: cert }), { admin: 200, owner: 403, other: 403, anonymous: 401 });
    await expect('download_certificate', act('certificate/download_certificate', { certificate_id: cert }), { admin: 200, owner: 403, other: 403, anonymous: 401 });
    await expect('download_public_key', act('certificate/download_public_key', { certificate_id: cert }), { admin: 200, owner: 403, other: 403, anonymous: 401 });
    await expect('signout', act('user_account/signout', {}), { admin: 200, owner: 200, other: 200, anonymous: 401 });
  });
});
