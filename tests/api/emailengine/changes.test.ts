// The mail API's changing routes (EmailEngine's PUT …/message/:id, …/move,
// DELETE …/message/:id, and the bulk PUT …/messages, …/messages/move,
// …/messages/delete with a search): EmailEngine's answers, the store's state
// after them, and an IMAP session in IDLE hearing each change as it would
// hear another IMAP client's.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { within } from '../../helpers/deadline.ts';
import { assertMailApiError, type MailWorld, OWNER, plain, useMailWorld } from './world.ts';

async function listing(w: MailWorld, path: string) {
  const reply = await w.call('GET', `/v1/account/${OWNER}/messages?path=${encodeURIComponent(path)}&pageSize=100`, w.owner);
  assert.equal(reply.status, 200, reply.text);
  return reply.body.messages as Array<{ id: string; uid: number; subject: string; flags: string[] }>;
}

describe('mail API: changing messages', () => {
  let w: MailWorld;
  useMailWorld(async (world) => {
    w = world;
    for (const path of ['Flags', 'Moves', 'Archive', 'Bulk', 'Bulk target']) await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path });
  });

  test('flags: add and delete answer {flags:{add:true,delete:true}}; set replaces and ignores add/delete', async () => {
    const id = await w.deliver(OWNER, 'Flags', plain('flag me'), { flags: ['$Old'] });
    const url = `/v1/account/${OWNER}/message/${id}`;
    const added = await w.call('PUT', url, w.owner, { flags: { add: ['\\Seen', '\\Flagged'], delete: '$Old' } });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.body, { flags: { add: true, delete: true } });
    assert.deepEqual((await w.call('GET', url, w.owner)).body.flags, ['\\Flagged', '\\Seen']);
    const set = await w.call('PUT', url, w.owner, { flags: { set: ['$Label1'], add: ['\\Draft'] } });
    assert.deepEqual(set.body, { flags: { set: true } });
    assert.deepEqual((await w.call('GET', url, w.owner)).body.flags, ['$Label1']);
    // Labels are Gmail's: accepted and left alone, as EmailEngine does for an IMAP account.
    assert.deepEqual((await w.call('PUT', url, w.owner, { labels: { add: ['Work'] } })).body, {});
    assertMailApiError(await w.call('PUT', url, w.owner, { flags: { add: ['bad flag'] } }), 400);
    assertMailApiError(await w.call('PUT', url, w.owner, { flags: { toggle: ['\\Seen'] } }), 400);
    assertMailApiError(await w.call('PUT', `/v1/account/${OWNER}/message/00000000-0000-4000-8000-000000000000`, w.owner, { flags: { add: ['\\Seen'] } }), 404);
  });

  test('move: the answer carries the new id and UID; the old id is gone', async () => {
    const id = await w.deliver(OWNER, 'Moves', plain('move me'));
    const moved = await w.call('PUT', `/v1/account/${OWNER}/message/${id}/move`, w.owner, { path: 'Archive' });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.path, 'Archive');
    assert.equal(moved.body.uid, 1);
    assert.notEqual(moved.body.id, id);
    assert.equal((await w.call('GET', `/v1/account/${OWNER}/message/${moved.body.id}`, w.owner)).body.subject, 'move me');
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/message/${id}`, w.owner), 404);
    assert.deepEqual(await listing(w, 'Moves'), []);
    assertMailApiError(await w.call('PUT', `/v1/account/${OWNER}/message/${moved.body.id}/move`, w.owner, { path: 'Nowhere' }), 404);
    assertMailApiError(await w.call('PUT', `/v1/account/${OWNER}/message/${moved.body.id}/move`, w.owner, {}), 400);
  });

  test('delete: to Trash ({deleted:false, moved}), for good from Trash, or with force=true', async () => {
    const id = await w.deliver(OWNER, 'INBOX', plain('delete me'));
    const trashed = await w.call('DELETE', `/v1/account/${OWNER}/message/${id}`, w.owner);
    assert.equal(trashed.status, 200, trashed.text);
    assert.equal(trashed.body.deleted, false);
    assert.equal(trashed.body.moved.destination, 'Trash');
    const inTrash = trashed.body.moved.message as string;
    assert.equal((await w.call('GET', `/v1/account/${OWNER}/message/${inTrash}`, w.owner)).body.path, 'Trash');
    assert.deepEqual((await w.call('DELETE', `/v1/account/${OWNER}/message/${inTrash}`, w.owner)).body, { deleted: true });
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/message/${inTrash}`, w.owner), 404);

    const forced = await w.deliver(OWNER, 'INBOX', plain('force me'));
    assert.deepEqual((await w.call('DELETE', `/v1/account/${OWNER}/message/${forced}?force=true`, w.owner)).body, { deleted: true });
    assert.ok(!(await listing(w, 'Trash')).some((m) => m.subject === 'force me'));
  });

  test('bulk: flags, move and delete of every message a search finds', async () => {
    for (const subject of ['alpha report', 'beta report', 'gamma note']) await w.deliver(OWNER, 'Bulk', plain(subject));
    const flagged = await w.call('PUT', `/v1/account/${OWNER}/messages?path=Bulk`, w.owner, { search: { subject: 'report' }, update: { flags: { add: ['\\Flagged'] } } });
    assert.deepEqual(flagged.body, { flags: { add: true } });
    assert.deepEqual(
      (await listing(w, 'Bulk')).map((m) => [m.subject, m.flags]),
      [
        ['gamma note', []],
        ['beta report', ['\\Flagged']],
        ['alpha report', ['\\Flagged']],
      ],
    );
    const none = await w.call('PUT', `/v1/account/${OWNER}/messages?path=Bulk`, w.owner, { search: { subject: 'nothing like it' }, update: { flags: { add: ['\\Seen'] } } });
    assert.deepEqual(none.body, { flags: { add: false } });

    const before = await listing(w, 'Bulk');
    const moved = await w.call('PUT', `/v1/account/${OWNER}/messages/move?path=Bulk`, w.owner, { search: { flagged: true }, path: 'Bulk target' });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.path, 'Bulk target');
    const after = await listing(w, 'Bulk target');
    assert.deepEqual(
      (moved.body.idMap as string[][]).map(([from, to]) => [before.find((m) => m.id === from)?.subject, after.find((m) => m.id === to)?.subject]),
      [
        ['alpha report', 'alpha report'],
        ['beta report', 'beta report'],
      ],
    );
    assert.deepEqual(
      (await listing(w, 'Bulk')).map((m) => m.subject),
      ['gamma note'],
    );

    const trashed = await w.call('PUT', `/v1/account/${OWNER}/messages/delete?path=${encodeURIComponent('Bulk target')}`, w.owner, { search: { subject: 'alpha' } });
    assert.equal(trashed.body.deleted, false);
    assert.equal(trashed.body.moved.destination, 'Trash');
    assert.equal(trashed.body.moved.idMap.length, 1);
    const gone = await w.call('PUT', `/v1/account/${OWNER}/messages/delete?path=${encodeURIComponent('Bulk target')}&force=true`, w.owner, { search: {} });
    assert.deepEqual(gone.body, { deleted: true });
    assert.deepEqual(await listing(w, 'Bulk target'), []);
    assertMailApiError(await w.call('PUT', `/v1/account/${OWNER}/messages?path=Bulk`, w.owner, { search: { subject: 'x' } }), 400);
    assertMailApiError(await w.call('PUT', `/v1/account/${OWNER}/messages/move?path=Bulk`, w.owner, { search: {}, path: 'Nope' }), 404);
  });

  test('an IMAP session in IDLE hears every change made through the API', async () => {
    await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Watched' });
    const first = await w.deliver(OWNER, 'Watched', plain('watched one'));
    const second = await w.deliver(OWNER, 'Watched', plain('watched two'));
    const watcher = w.ownerImap();
    await watcher.connect();
    try {
      await watcher.mailboxOpen('Watched');
      const events: string[] = [];
      watcher.on('flags', (e: { uid?: number; flags: Set<string> }) => events.push(`flags:${e.uid}:${[...e.flags].filter((f) => f !== '\\Recent').join(',')}`));
      watcher.on('expunge', (e: { seq: number }) => events.push(`expunge:${e.seq}`));
      watcher.on('exists', (e: { count: number }) => events.push(`exists:${e.count}`));
      const heard = (event: string, times = 1) =>
        within(
          new Promise<void>((resolve) => {
            const check = () => (events.filter((e) => e === event).length >= times ? resolve() : setTimeout(check, 10));
            check();
          }),
          10_000,
          `${event} while idling (heard: ${events.join(' ')})`,
        );
      void watcher.idle();
      await within(
        (async () => {
          while (!watcher.idling) await new Promise((r) => setTimeout(r, 10));
        })(),
        10_000,
        'IDLE',
      );

      assert.equal((await w.call('PUT', `/v1/account/${OWNER}/message/${first}`, w.owner, { flags: { add: ['\\Flagged'] } })).status, 200);
      await heard('flags:1:\\Flagged');
      assert.equal((await w.call('PUT', `/v1/account/${OWNER}/message/${first}/move`, w.owner, { path: 'Archive' })).status, 200);
      await heard('expunge:1');
      const back = await w.call('PUT', `/v1/account/${OWNER}/messages/move?path=Archive`, w.owner, { search: { subject: 'watched one' }, path: 'Watched' });
      assert.equal(back.status, 200, back.text);
      await heard('exists:2');
      assert.equal((await w.call('DELETE', `/v1/account/${OWNER}/message/${second}?force=true`, w.owner)).status, 200);
      await heard('expunge:1', 2);
    } finally {
      await within(watcher.logout(), 5000, 'LOGOUT').catch(() => watcher.close());
    }
  });
});
