// The mail API's mailbox routes (EmailEngine's GET …/mailboxes, POST/PUT/DELETE
// …/mailbox): EmailEngine's fields and order, counters, create with parents
// (path as a string or a list), rename with children, subscription, delete,
// and IMAP's view of the result (LIST over a real IMAP session).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertMailApiError, type MailWorld, OTHER, OWNER, plain, useMailWorld } from './world.ts';

describe('mail API: mailboxes', () => {
  let w: MailWorld;
  useMailWorld(async (world) => {
    w = world;
  });

  test('the listing: EmailEngine fields, special-use first in its order, counters on request', async () => {
    await w.deliver(OWNER, 'INBOX', plain('one'));
    await w.deliver(OWNER, 'INBOX', plain('two'), { flags: ['\\Seen'] });
    const plainList = await w.call('GET', `/v1/account/${OWNER}/mailboxes`, w.owner);
    assert.equal(plainList.status, 200, plainList.text);
    const boxes = plainList.body.mailboxes as Array<Record<string, unknown>>;
    assert.deepEqual(
      boxes.map((b) => b.path),
      ['INBOX', 'Sent', 'Drafts', 'Junk', 'Trash'],
    );
    assert.deepEqual(boxes[0], {
      path: 'INBOX',
      delimiter: '/',
      parentPath: '',
      name: 'INBOX',
      listed: true,
      subscribed: true,
      specialUse: '\\Inbox',
      specialUseSource: 'name',
      noInferiors: false,
      messages: 2,
      uidNext: 3,
      uidValidity: boxes[0].uidValidity,
    });
    assert.match(String(boxes[0].uidValidity), /^\d+$/);
    assert.equal(boxes[1].specialUse, '\\Sent');
    assert.equal(boxes[1].specialUseSource, 'extension');
    assert.ok(!('status' in plainList.body.mailboxes[0]), 'no status without counters');

    const counted = await w.call('GET', `/v1/account/${OWNER}/mailboxes?counters=true`, w.owner);
    assert.deepEqual(counted.body.mailboxes[0].status, { messages: 2, unseen: 1 });
    assert.deepEqual(counted.body.mailboxes[1].status, { messages: 0, unseen: 0 });
    // The account's id works as well as its address.
    const byId = await w.call('GET', `/v1/account/${w.ownerAccount.reference_id}/mailboxes`, w.owner);
    assert.deepEqual(byId.body, plainList.body);
  });

  test('create: a list of names or a path, missing parents made; an existing one is created: false', async () => {
    const created = await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: ['Projects', 'Heron', '2026'] });
    assert.equal(created.status, 200, created.text);
    assert.equal(created.body.path, 'Projects/Heron/2026');
    assert.equal(created.body.created, true);
    assert.match(created.body.mailboxId, /^[0-9a-f-]{36}$/);
    const again = await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Projects/Heron/2026' });
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(again.body, { path: 'Projects/Heron/2026', mailboxId: created.body.mailboxId, created: false });
    const single = await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Käse' });
    assert.equal(single.body.path, 'Käse');

    const list = (await w.call('GET', `/v1/account/${OWNER}/mailboxes`, w.owner)).body.mailboxes as Array<{ path: string; parentPath: string; name: string }>;
    const deep = list.find((b) => b.path === 'Projects/Heron/2026');
    assert.deepEqual([deep?.parentPath, deep?.name], ['Projects/Heron', '2026']);
    assert.ok(list.some((b) => b.path === 'Projects'));

    for (const bad of [{ path: ['a/b'] }, { path: [''] }, {}, { path: 'x', extra: 1 }, { path: 'bad*name' }]) {
      const reply = await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, bad);
      assert.ok(reply.status === 400 || reply.status === 422, `${JSON.stringify(bad)}: ${reply.text}`);
      assertMailApiError(reply, reply.status);
    }
  });

  test('rename moves the children; subscription changes; IMAP sees both', async () => {
    await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: ['Old', 'Child'] });
    const renamed = await w.call('PUT', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Old', newPath: ['New', 'Place'] });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.path, 'Old');
    assert.equal(renamed.body.newPath, 'New/Place');
    assert.equal(renamed.body.renamed, true);
    const unsub = await w.call('PUT', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'New/Place/Child', subscribed: false });
    assert.deepEqual(unsub.body, { path: 'New/Place/Child', subscribed: false });

    const client = w.ownerImap();
    await client.connect();
    try {
      const listed = await client.list();
      const paths = listed.map((m) => m.path);
      assert.ok(paths.includes('New/Place/Child'), paths.join());
      assert.ok(!paths.some((p) => p.startsWith('Old')), paths.join());
      // ImapFlow marks the subscribed ones (from LSUB).
      assert.ok(!listed.find((m) => m.path === 'New/Place/Child')?.subscribed);
      assert.equal(listed.find((m) => m.path === 'New/Place')?.subscribed, true);
    } finally {
      await client.logout();
    }

    assertMailApiError(await w.call('PUT', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Nowhere', newPath: 'x' }), 404);
    assertMailApiError(await w.call('PUT', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'New' }), 400);
    assertMailApiError(await w.call('PUT', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'INBOX', newPath: 'Sent' }), 409);
  });

  test('delete: the mailbox and its messages; INBOX cannot go; a missing one is 404', async () => {
    await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Doomed' });
    await w.deliver(OWNER, 'Doomed', plain('doomed'));
    const deleted = await w.call('DELETE', `/v1/account/${OWNER}/mailbox?path=Doomed`, w.owner);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.body.path, 'Doomed');
    assert.equal(deleted.body.deleted, true);
    const paths = ((await w.call('GET', `/v1/account/${OWNER}/mailboxes`, w.owner)).body.mailboxes as Array<{ path: string }>).map((b) => b.path);
    assert.ok(!paths.includes('Doomed'));
    assertMailApiError(await w.call('DELETE', `/v1/account/${OWNER}/mailbox?path=Doomed`, w.owner), 404);
    assertMailApiError(await w.call('DELETE', `/v1/account/${OWNER}/mailbox?path=INBOX`, w.owner), 422);
    assertMailApiError(await w.call('DELETE', `/v1/account/${OWNER}/mailbox`, w.owner), 400);

    // A parent with children stays as a \Noselect name, which the listing leaves out (as EmailEngine does).
    await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: ['Parent', 'Kid'] });
    assert.equal((await w.call('DELETE', `/v1/account/${OWNER}/mailbox?path=Parent`, w.owner)).status, 200);
    const after = ((await w.call('GET', `/v1/account/${OWNER}/mailboxes`, w.owner)).body.mailboxes as Array<{ path: string; parentPath: string }>).filter((b) =>
      b.path.startsWith('Parent'),
    );
    assert.deepEqual(after, [after.find((b) => b.path === 'Parent/Kid')]);
    assert.equal(after[0].parentPath, 'Parent');
  });

  test("another user's account is not there (404); the admin reaches any", async () => {
    assertMailApiError(await w.call('GET', `/v1/account/${OTHER}/mailboxes`, w.owner), 404);
    assertMailApiError(await w.call('POST', `/v1/account/${OTHER}/mailbox`, w.owner, { path: 'Mine' }), 404);
    assertMailApiError(await w.call('GET', `/v1/account/nobody@heron.test/mailboxes`, w.admin), 404);
    assert.equal((await w.call('GET', `/v1/account/${OTHER}/mailboxes`, w.admin)).status, 200);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/mailboxes`, undefined), 401);
  });
});
