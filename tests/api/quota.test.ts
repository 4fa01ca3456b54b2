// mail_account quota attributes: quota_storage_bytes and quota_messages (null =
// unlimited) set by an administrator on create or PATCH, refused to the
// account's owner; used_storage_bytes and used_messages shown with the current
// usage and read-only; bad values are 4xx with nothing changed; a message
// created through the API past the limit is refused (507) and not stored.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { api, type Api, assertError, buildWorld, message, snapshot, type TestHeron, useHeron, type World } from './client.ts';

describe('mail_account quotas', () => {
  let heron: TestHeron;
  let a: Api;
  let w: World;

  useHeron(async (h) => {
    heron = h;
    a = api(heron);
    w = await buildWorld(a);
  });

  const attributes = async (id: string, token = w.admin) => {
    const reply = await a.get(`/api/mail_account/${id}`, token);
    assert.equal(reply.status, 200, reply.text);
    return reply.body.data.attributes as Record<string, unknown>;
  };
  const patch = (id: string, attrs: Record<string, unknown>, token = w.admin) =>
    a.patch(`/api/mail_account/${id}`, token, { data: { type: 'mail_account', id, attributes: attrs } });
  const addMail = (subject: string, token = w.admin) =>
    a.post('/api/mail', token, { data: { type: 'mail', attributes: { mail: message(subject) }, relationships: { mail_box_id: { data: { type: 'mail_box', id: w.ownerInboxId } } } } });

  test('new accounts are unlimited; usage is shown and follows the mail', async () => {
    const before = await attributes(w.ownerAccountId);
    assert.equal(before.quota_storage_bytes, null);
    assert.equal(before.quota_messages, null);
    assert.equal(before.used_messages, 1, 'buildWorld stored one message');
    assert.equal(before.used_storage_bytes, Buffer.byteLength(message('Owner mail')));
    const added = await addMail('Second');
    assert.equal(added.status, 201, added.text);
    const after = await attributes(w.ownerAccountId, w.owner);
    assert.equal(after.used_messages, 2);
    assert.equal(after.used_storage_bytes, Buffer.byteLength(message('Owner mail')) + Buffer.byteLength(message('Second')));
    assert.equal((await a.delete(`/api/mail/${added.body.data.id}`, w.admin)).status, 204);
    assert.equal((await attributes(w.ownerAccountId)).used_messages, 1);
  });

  test('an administrator sets and clears limits; a message past them is refused with 507 and not stored', async () => {
    const used = (await attributes(w.ownerAccountId)).used_storage_bytes as number;
    const set = await patch(w.ownerAccountId, { quota_storage_bytes: used + 100, quota_messages: 5 });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.data.attributes.quota_storage_bytes, used + 100);
    assert.equal(set.body.data.attributes.quota_messages, 5);
    const state = await snapshot(heron);
    const refused = await addMail('Does not fit');
    assertError(refused, 507);
    assert.match(refused.body.errors[0].detail, /quota/i);
    assert.equal(await snapshot(heron), state, 'nothing stored');
    // null lifts a limit; leaving an attribute out keeps it.
    assert.equal((await patch(w.ownerAccountId, { quota_storage_bytes: null })).status, 200);
    const lifted = await attributes(w.ownerAccountId);
    assert.equal(lifted.quota_storage_bytes, null);
    assert.equal(lifted.quota_messages, 5);
    assert.equal((await addMail('Fits now')).status, 201);
    assert.equal((await patch(w.ownerAccountId, { quota_messages: null })).status, 200);
  });

  test('limits may be given on create', async () => {
    const id = await a.create(w.admin, 'mail_account', { username: 'limited@heron.test', password: 'pw-limited', quota_storage_bytes: 1048576, quota_messages: 10 });
    const attrs = await attributes(id);
    assert.equal(attrs.quota_storage_bytes, 1048576);
    assert.equal(attrs.quota_messages, 10);
    assert.equal(attrs.used_messages, 0);
    assert.equal(attrs.used_storage_bytes, 0);
  });

  test('the owner cannot change their own quota; usage is read-only; bad values are refused; nothing changes', async () => {
    const state = await snapshot(heron);
    assertError(await patch(w.ownerAccountId, { quota_storage_bytes: 1e12 }, w.owner), 403);
    assertError(await patch(w.ownerAccountId, { quota_messages: null }, w.owner), 403);
    assertError(await patch(w.otherAccountId, { quota_messages: 1 }, w.owner), 404);
    for (const bad of [{ used_messages: 0 }, { used_storage_bytes: 0 }]) {
      const reply = await patch(w.ownerAccountId, bad);
      assert.ok(reply.status === 400 || reply.status === 422, reply.text);
      assertError(reply, reply.status);
    }
    for (const bad of [{ quota_messages: -1 }, { quota_messages: 1.5 }, { quota_storage_bytes: '100' }, { quota_storage_bytes: 2 ** 60 }]) {
      const reply = await patch(w.ownerAccountId, bad);
      assert.ok(reply.status === 400 || reply.status === 422, `${JSON.stringify(bad)}: ${reply.text}`);
      assertError(reply, reply.status);
    }
    assert.equal(await snapshot(heron), state);
  });

  test('quota attributes can be filtered and sorted like any other', async () => {
    assert.equal((await patch(w.otherAccountId, { quota_messages: 3 })).status, 200);
    const reply = await a.get('/api/mail_account?query=' + encodeURIComponent(JSON.stringify([{ column: 'quota_messages', operator: 'is', value: 3 }])), w.admin);
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(
      reply.body.data.map((d: { id: string }) => d.id),
      [w.otherAccountId],
    );
  });
});
