// Webhooks (EmailEngine's /v1/settings, payloads and signature header) with a
// real HTTP receiver on loopback: every event Heron sends, from SMTP, IMAP and
// the API; event filters; a receiver that is down and then back (nothing lost,
// each mailbox's order kept); error answers retried and recorded in the
// delivery history; a receiver that never answers does not hold up mail.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { eventually, SMTP_CLIENT_DEADLINES } from '../../helpers/deadline.ts';
import { type ReceivedHook, WebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { startDns } from '../../smtp/dns.ts';
import { assertMailApiError, type MailWorld, OWNER, plain, useMailWorld } from './world.ts';

const dns = await startDns();
const receiver = await WebhookReceiver.start();
after(async () => {
  await receiver.close();
  await dns.close();
});

const signatureOf = (secret: string, raw: string) => crypto.createHmac('sha256', secret).update(raw).digest('base64url');

describe('webhooks', () => {
  let w: MailWorld;
  let secret: string;
  useMailWorld(
    async (world) => {
      w = world;
    },
    {
      HERON_DNS: dns.address,
      HERON_WEBHOOK_RETRY_MIN_SECONDS: '0.2',
      HERON_WEBHOOK_RETRY_MAX_SECONDS: '0.5',
      HERON_WEBHOOK_TIMEOUT_SECONDS: '2',
    },
  );

  /** The hooks received after `from`, of the given mailbox path. */
  const since = (from: number, path?: string) => receiver.received.slice(from).filter((h) => path === undefined || h.body.path === path);

  function assertSigned(hook: ReceivedHook): void {
    assert.equal(hook.headers['x-ee-wh-signature'], signatureOf(secret, hook.raw), 'HMAC-SHA256 of the body with serviceSecret');
    assert.equal(hook.headers['x-ee-wh-id'], hook.body.eventId);
    assert.match(hook.headers['content-type'] ?? '', /^application\/json/);
  }

  test('settings: off by default; only an administrator reads or changes them; bad values are refused', async () => {
    const initial = await w.call('GET', '/v1/settings', w.admin);
    assert.equal(initial.status, 200, initial.text);
    assert.equal(initial.body.webhooksEnabled, false);
    assert.equal(initial.body.webhooks, '');
    assert.deepEqual(initial.body.webhookEvents, ['*']);
    assert.match(initial.body.serviceSecret, /^[0-9a-f]{64}$/);
    secret = initial.body.serviceSecret;
    assert.deepEqual((await w.call('GET', '/v1/settings?webhooks=true', w.admin)).body, { webhooks: '' });

    // Off: a change queues nothing.
    await w.deliver(OWNER, 'INBOX', plain('before webhooks'));
    assert.equal((await w.call('GET', '/v1/webhooks/deliveries', w.admin)).body.total, 0);

    assertMailApiError(await w.call('GET', '/v1/settings', w.owner), 403);
    assertMailApiError(await w.call('PUT', '/v1/settings', w.owner, { webhooksEnabled: true }), 403);
    assertMailApiError(await w.call('GET', '/v1/settings', undefined), 401);
    assertMailApiError(await w.call('GET', '/v1/webhooks/deliveries', w.owner), 403);
    for (const bad of [{ webhooks: 'ftp://x.test/' }, { webhooks: 'not a url' }, { webhookEvents: ['messageExploded'] }, { serviceSecret: 'short' }, { somethingElse: 1 }]) {
      assertMailApiError(await w.call('PUT', '/v1/settings', w.admin, bad), 400);
    }
    assert.equal((await w.call('GET', '/v1/settings', w.admin)).body.webhooksEnabled, false, 'refused changes changed nothing');

    const put = await w.call('PUT', '/v1/settings', w.admin, { webhooksEnabled: true, webhooks: receiver.url, webhookEvents: ['*'] });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body, { updated: ['webhooksEnabled', 'webhooks', 'webhookEvents'] });
    const now = await w.call('GET', '/v1/settings', w.admin);
    assert.equal(now.body.webhooksEnabled, true);
    assert.equal(now.body.webhooks, receiver.url);
  });

  test('messageNew from SMTP delivery carries the message summary, signed', async () => {
    const from = receiver.received.length;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: w.heron.ports.smtp, secure: false, ignoreTLS: true, ...SMTP_CLIENT_DEADLINES });
    await transport.sendMail({ from: 'Bob <bob@remote.test>', to: OWNER, subject: 'hello by smtp', text: 'hi', messageId: '<smtp-hook@remote.test>' });
    const hook = await receiver.waitFor((h) => h.body.event === 'messageNew' && h.body.data.subject === 'hello by smtp', 'messageNew from SMTP');
    assertSigned(hook);
    assert.equal(hook.body.account, OWNER);
    assert.equal(hook.body.path, 'INBOX');
    assert.equal(hook.body.specialUse, '\\Inbox');
    assert.match(hook.body.eventId, /^[0-9a-f-]{36}$/);
    const data = hook.body.data;
    assert.equal(data.messageId, '<smtp-hook@remote.test>');
    assert.deepEqual(data.from, { name: 'Bob', address: 'bob@remote.test' });
    assert.deepEqual(data.to, [{ address: OWNER }]);
    assert.equal(data.unseen, true);
    assert.equal(typeof data.uid, 'number');
    assert.equal(typeof data.text.id, 'string');
    // The id is the mail API's: the message reads back by it.
    const read = await w.call('GET', `/v1/account/${OWNER}/message/${data.id}`, w.owner);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.body.subject, 'hello by smtp');
    assert.equal(since(from).filter((h) => h.body.event === 'messageNew').length, 1);
  });

  test('IMAP: APPEND is messageNew; STORE is messageUpdated with changes.flags added/removed; EXPUNGE is messageDeleted', async () => {
    const imap = w.ownerImap();
    await imap.connect();
    try {
      await imap.mailboxCreate('Imap');
      const created = await receiver.waitFor((h) => h.body.event === 'mailboxNew' && h.body.path === 'Imap', 'mailboxNew from IMAP CREATE');
      assertSigned(created);
      assert.equal(created.body.data.name, 'Imap');
      assert.equal(typeof created.body.data.mailboxId, 'string');

      const appended = await imap.append('Imap', plain('appended'), ['$Tag']);
      assert.ok(appended);
      const hook = await receiver.waitFor((h) => h.body.event === 'messageNew' && h.body.path === 'Imap', 'messageNew from APPEND');
      assert.equal(hook.body.data.subject, 'appended');
      assert.equal(hook.body.data.uid, appended.uid);
      assert.deepEqual(hook.body.data.flags, ['$Tag']);

      await imap.mailboxOpen('Imap');
      await imap.messageFlagsAdd(String(appended.uid), ['\\Seen', '\\Flagged'], { uid: true });
      const added = await receiver.waitFor((h) => h.body.event === 'messageUpdated' && h.body.path === 'Imap', 'messageUpdated (add)');
      assertSigned(added);
      assert.deepEqual(added.body.data, { id: hook.body.data.id, uid: appended.uid, changes: { flags: { added: ['\\Flagged', '\\Seen'], value: ['$Tag', '\\Flagged', '\\Seen'] } } });

      await imap.messageFlagsRemove(String(appended.uid), ['$Tag'], { uid: true });
      const removed = await receiver.waitFor((h) => h.body.event === 'messageUpdated' && h.body.data.changes.flags.removed !== undefined, 'messageUpdated (remove)');
      assert.deepEqual(removed.body.data.changes.flags, { removed: ['$Tag'], value: ['\\Flagged', '\\Seen'] });

      await imap.messageDelete(String(appended.uid), { uid: true });
      const deleted = await receiver.waitFor((h) => h.body.event === 'messageDeleted' && h.body.path === 'Imap', 'messageDeleted from EXPUNGE');
      assertSigned(deleted);
      assert.deepEqual(deleted.body.data, { id: hook.body.data.id, uid: appended.uid });
    } finally {
      await imap.logout();
    }
  });

  test('API: mailbox create and delete, flag changes, move (messageNew + messageDeleted) and delete', async () => {
    assert.equal((await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: ['Projects', 'Hooks'] })).status, 200);
    const made = await receiver.waitFor((h) => h.body.event === 'mailboxNew' && h.body.path === 'Projects/Hooks', 'mailboxNew from the API');
    assert.equal(made.body.data.name, 'Hooks');

    const id = await w.deliver(OWNER, 'Projects/Hooks', plain('api message'));
    await receiver.waitFor((h) => h.body.event === 'messageNew' && h.body.data.id === id, 'messageNew');
    assert.equal((await w.call('PUT', `/v1/account/${OWNER}/message/${id}`, w.owner, { flags: { add: ['\\Answered'] } })).status, 200);
    const updated = await receiver.waitFor((h) => h.body.event === 'messageUpdated' && h.body.data.id === id, 'messageUpdated from the API');
    assert.deepEqual(updated.body.data.changes.flags.added, ['\\Answered']);

    const moved = await w.call('PUT', `/v1/account/${OWNER}/message/${id}/move`, w.owner, { path: 'INBOX' });
    assert.equal(moved.status, 200, moved.text);
    const arrived = await receiver.waitFor((h) => h.body.event === 'messageNew' && h.body.data.id === moved.body.id, 'messageNew in the move target');
    assert.equal(arrived.body.path, 'INBOX');
    assert.equal(arrived.body.data.subject, 'api message');
    await receiver.waitFor((h) => h.body.event === 'messageDeleted' && h.body.data.id === id && h.body.path === 'Projects/Hooks', 'messageDeleted in the move source');

    assert.equal((await w.call('DELETE', `/v1/account/${OWNER}/message/${moved.body.id}?force=true`, w.owner)).status, 200);
    await receiver.waitFor((h) => h.body.event === 'messageDeleted' && h.body.data.id === moved.body.id, 'messageDeleted from the API');

    assert.equal((await w.call('DELETE', `/v1/account/${OWNER}/mailbox?path=${encodeURIComponent('Projects/Hooks')}`, w.owner)).status, 200);
    const gone = await receiver.waitFor((h) => h.body.event === 'mailboxDeleted' && h.body.path === 'Projects/Hooks', 'mailboxDeleted');
    assert.equal(gone.body.data.mailboxId, made.body.data.mailboxId);
  });

  test('webhookEvents filters what is queued; webhooksEnabled false queues nothing', async () => {
    await w.call('PUT', '/v1/settings', w.admin, { webhookEvents: ['messageNew'] });
    const total = async () => (await w.call('GET', '/v1/webhooks/deliveries', w.admin)).body.total as number;
    const before = await total();
    const id = await w.deliver(OWNER, 'INBOX', plain('filtered'));
    await w.call('PUT', `/v1/account/${OWNER}/message/${id}`, w.owner, { flags: { add: ['\\Seen'] } });
    await receiver.waitFor((h) => h.body.event === 'messageNew' && h.body.data.id === id, 'messageNew');
    assert.equal(await total(), before + 1, 'the flag change was not queued');

    await w.call('PUT', '/v1/settings', w.admin, { webhooksEnabled: false, webhookEvents: ['*'] });
    await w.deliver(OWNER, 'INBOX', plain('while off'));
    assert.equal(await total(), before + 1);
    await w.call('PUT', '/v1/settings', w.admin, { webhooksEnabled: true });
  });

  test('a receiver down and back: nothing lost, each mailbox in order, the attempts recorded', async () => {
    await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Down A' });
    await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Down B' });
    await receiver.waitFor((h) => h.body.event === 'mailboxNew' && h.body.path === 'Down B', 'mailboxNew');
    await receiver.down();
    const from = receiver.received.length;
    const ids: Record<string, string[]> = { 'Down A': [], 'Down B': [] };
    for (let i = 0; i < 6; i++) {
      for (const path of ['Down A', 'Down B']) ids[path].push(await w.deliver(OWNER, path, plain(`${path} ${i}`)));
    }
    await w.call('PUT', `/v1/account/${OWNER}/message/${ids['Down A'][0]}`, w.owner, { flags: { add: ['\\Flagged'] } });
    // Attempts fail (connection refused) and are recorded with their error.
    const failing = await eventually(async () => {
      const page = (await w.call('GET', '/v1/webhooks/deliveries?status=pending&pageSize=100', w.admin)).body;
      return page.deliveries.find((d: { attempts: number; lastError: string | null }) => d.attempts >= 2 && d.lastError) as { lastError: string } | undefined;
    }, 'a pending delivery with failed attempts');
    assert.match(failing.lastError, /ECONNREFUSED/);

    await receiver.up();
    await eventually(() => since(from, 'Down A').length >= 7 && since(from, 'Down B').length >= 6, () => `all events; got ${since(from).length}`);
    for (const path of ['Down A', 'Down B']) {
      const firstSeen = [...new Map(since(from, path).map((h) => [h.body.eventId, h.body])).values()];
      const news = firstSeen.filter((b) => b.event === 'messageNew').map((b) => b.data.id);
      assert.deepEqual(news, ids[path], `${path}: every message, in order`);
    }
    // The flag change came after Down A's six messages (same mailbox, order kept).
    const a = since(from, 'Down A').map((h) => h.body.event);
    assert.equal(a.indexOf('messageUpdated'), 6);
    const done = (await w.call('GET', '/v1/webhooks/deliveries?status=pending', w.admin)).body;
    assert.equal(done.total, 0);
  });

  test('error answers are retried; history shows status, code, attempts; one delivery reads back with its body', async () => {
    receiver.mode = 'status';
    receiver.status = 500;
    const id = await w.deliver(OWNER, 'INBOX', plain('retried'));
    const pending = await eventually(async () => {
      const list = (await w.call('GET', '/v1/webhooks/deliveries?event=messageNew&pageSize=5', w.admin)).body.deliveries;
      const entry = list.find((d: { responseCode: number | null; attempts: number }) => d.responseCode === 500 && d.attempts >= 2);
      return entry as { id: string; status: string; lastError: string } | undefined;
    }, 'a delivery answered 500 twice');
    assert.equal(pending.status, 'pending');
    assert.equal(pending.lastError, 'HTTP 500');
    receiver.mode = 'ok';
    const hook = await receiver.waitFor((h) => h.body.eventId === pending.id, 'the retried event');
    assert.equal(hook.body.data.id, id);
    assert.ok(Number(hook.headers['x-ee-wh-attempts-made']) >= 3);
    const one = await eventually(async () => {
      const r = await w.call('GET', `/v1/webhooks/delivery/${pending.id}`, w.admin);
      return r.body.status === 'delivered' ? r : undefined;
    }, 'the delivery recorded');
    assert.equal(one.body.responseCode, 200);
    assert.equal(one.body.lastError, null);
    assert.deepEqual(one.body.body, hook.body, 'the body as POSTed');
    assert.equal(typeof one.body.delivered, 'string');
    assertMailApiError(await w.call('GET', '/v1/webhooks/delivery/nope', w.admin), 404);
    assertMailApiError(await w.call('GET', '/v1/webhooks/deliveries?status=lost', w.admin), 400);
    const paged = (await w.call('GET', '/v1/webhooks/deliveries?status=delivered&page=1&pageSize=2', w.admin)).body;
    assert.equal(paged.page, 1);
    assert.equal(paged.deliveries.length, 2);
    assert.equal(paged.pages, Math.ceil(paged.total / 2));
  });

  test('a receiver that never answers holds up no mail: delivery and API changes go on', async () => {
    receiver.mode = 'hold';
    const heldBefore = receiver.held.length;
    await w.deliver(OWNER, 'INBOX', plain('held 1'));
    await eventually(() => receiver.held.length > heldBefore, 'a held webhook request');
    // While that POST waits for an answer, mail still arrives over SMTP and the API still changes it.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: w.heron.ports.smtp, secure: false, ignoreTLS: true, ...SMTP_CLIENT_DEADLINES });
    const info = await transport.sendMail({ from: 'bob@remote.test', to: OWNER, subject: 'during a held hook', text: 'x' });
    assert.match(info.response, /^250 /);
    const listed = await w.call('GET', `/v1/account/${OWNER}/messages?path=INBOX&pageSize=5`, w.owner);
    assert.ok(listed.body.messages.some((m: { subject: string }) => m.subject === 'during a held hook'));
    receiver.mode = 'ok';
    // The held request times out (2 s) and is retried: both events arrive.
    await receiver.waitFor((h) => h.body.data?.subject === 'held 1', 'held 1 after the timeout');
    await receiver.waitFor((h) => h.body.data?.subject === 'during a held hook', 'the later event');
  });
});
