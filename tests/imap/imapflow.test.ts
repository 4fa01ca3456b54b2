// imapflow (the client EmailEngine uses) against Heron: a full session, IDLE
// notifications, STARTTLS upgrade, CONDSTORE.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { eventually, IMAP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { message, PASSWORD, startImap } from './fixture.ts';

type Imap = Awaited<ReturnType<typeof startImap>>;
let imap: Imap;
before(async () => {
  imap = await startImap();
});
after(() => imap.stop());

function client(user: string, options: { starttls?: boolean } = {}): ImapFlow {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port: options.starttls ? imap.heron.ports.imap : imap.heron.ports.imaps,
    secure: !options.starttls,
    tls: { rejectUnauthorized: false, servername: 'heron.test' },
    auth: { user, pass: PASSWORD },
    logger: false,
    ...IMAP_CLIENT_DEADLINES,
  });
  // The timeout is reported through the rejected command; without a listener the event would throw.
  c.on('error', () => undefined);
  return c;
}

describe('imapflow', () => {
  test('list, append, fetch, search, flags, copy, move, delete, status, mailbox management', async () => {
    const { user, id } = await imap.account();
    await imap.deliver(id, 'INBOX', message('Welcome', 'first body'));
    const c = client(user);
    await c.connect();
    try {
      assert.ok(c.capabilities.has('IDLE'));
      assert.ok(c.enabled.has('CONDSTORE'));
      const list = await c.list();
      assert.deepEqual(
        list.map((m) => [m.path, m.specialUse ?? null]).sort(),
        [
          ['Drafts', '\\Drafts'],
          ['INBOX', '\\Inbox'],
          ['Junk', '\\Junk'],
          ['Sent', '\\Sent'],
          ['Trash', '\\Trash'],
        ],
      );
      const appended = await c.append('INBOX', message('Second', 'report attached'), ['\\Flagged'], new Date('2024-03-01T10:00:00Z'));
      assert.equal(appended && appended.uid, 2);
      const lock = await c.getMailboxLock('INBOX');
      try {
        assert.equal(c.mailbox && c.mailbox.exists, 2);
        const messages = [];
        for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true, bodyStructure: true, source: true, internalDate: true, size: true })) {
          messages.push(m);
        }
        assert.equal(messages.length, 2);
        assert.equal(messages[0].envelope?.subject, 'Welcome');
        assert.equal(messages[0].envelope?.from?.[0].address, 'alice@example.org');
        assert.equal(messages[1].bodyStructure?.type, 'text/plain');
        assert.ok(messages[1].flags?.has('\\Flagged'));
        assert.equal(new Date(messages[1].internalDate as Date).toISOString(), '2024-03-01T10:00:00.000Z');
        assert.equal(messages[1].source?.toString(), message('Second', 'report attached'));
        assert.equal(messages[1].size, messages[1].source?.length);

        const one = await c.fetchOne('2', { bodyParts: ['1'], headers: ['subject'] }, { uid: true });
        assert.ok(one && one.bodyParts?.get('1')?.toString().includes('report attached'));
        assert.match(one && one.headers ? one.headers.toString() : '', /^Subject: Second/);

        assert.deepEqual(await c.search({ seen: false }, { uid: true }), [1, 2]);
        assert.deepEqual(await c.search({ body: 'attached' }, { uid: true }), [2]);
        assert.deepEqual(await c.search({ from: 'alice', flagged: true }, { uid: true }), [2]);
        assert.deepEqual(await c.search({ before: new Date('2025-01-01') }, { uid: true }), [2]);

        await c.messageFlagsAdd('1', ['\\Seen', '$Important'], { uid: true });
        const flags = await c.fetchOne('1', { flags: true }, { uid: true });
        // imapflow enables IMAP4rev2, which has no \Recent (RFC 9051 Appendix E).
        assert.deepEqual(flags && [...(flags.flags ?? [])].sort(), ['$Important', '\\Seen']);
        await c.messageFlagsRemove('1', ['$Important'], { uid: true });
        await c.messageFlagsSet('2', ['\\Answered'], { uid: true });
        assert.deepEqual(await c.search({ answered: true }, { uid: true }), [2]);

        const copied = await c.messageCopy('1', 'Sent', { uid: true });
        assert.ok(copied && copied.uidMap?.get(1));
        const moved = await c.messageMove('2', 'Trash', { uid: true });
        assert.ok(moved && moved.uidMap?.get(2));
        assert.equal(c.mailbox && c.mailbox.exists, 1);
        assert.equal(await c.messageDelete('1', { uid: true }), true);
        assert.equal(c.mailbox && c.mailbox.exists, 0);
      } finally {
        lock.release();
      }
      const status = await c.status('Trash', { messages: true, unseen: true, uidNext: true, highestModseq: true });
      assert.ok(status);
      assert.equal(status.messages, 1);
      assert.equal(status.unseen, 1);
      await c.mailboxCreate(['Projects', 'Café']);
      await c.mailboxRename('Projects/Café', 'Projects/Thé');
      const after = (await c.list()).map((m) => m.path);
      assert.ok(after.includes('Projects/Thé'));
      await c.mailboxDelete('Projects/Thé');
      await c.mailboxSubscribe('Junk');
      await c.noop();
    } finally {
      await c.logout();
    }
  });

  test('IDLE: exists, flags and expunge events from other writers', async () => {
    const { user, id } = await imap.account();
    await imap.deliver(id, 'INBOX', message('one'));
    const watcher = client(user);
    const writer = client(user);
    await watcher.connect();
    await writer.connect();
    try {
      await watcher.mailboxOpen('INBOX');
      const events: string[] = [];
      const seen = (kind: string) => eventually(() => events.some((e) => e.startsWith(kind)), () => `IDLE event ${kind}; got ${events.join(' ')}`);
      watcher.on('exists', (e: { count: number }) => events.push(`exists:${e.count}`));
      watcher.on('flags', (e: { uid?: number; flags: Set<string> }) => events.push(`flags:${[...e.flags].join(',')}`));
      watcher.on('expunge', (e: { seq: number }) => events.push(`expunge:${e.seq}`));
      void watcher.idle();
      await eventually(() => watcher.idling, 'the watcher to be idling');
      await imap.deliver(id, 'INBOX', message('two'));
      await seen('exists:2');
      await writer.mailboxOpen('INBOX');
      await writer.messageFlagsAdd('1', ['\\Seen']);
      await seen('flags:\\Seen');
      await writer.messageDelete('1');
      await seen('expunge:1');
      assert.equal(watcher.mailbox && watcher.mailbox.exists, 1);
    } finally {
      await watcher.logout();
      await writer.logout();
    }
  });

  test('STARTTLS upgrade on the cleartext port', async () => {
    const { user } = await imap.account();
    const c = client(user, { starttls: true });
    await c.connect();
    try {
      assert.equal(c.secureConnection, true);
      const status = await c.status('INBOX', { messages: true });
      assert.ok(status);
      assert.equal(status.messages, 0);
    } finally {
      await c.logout();
    }
  });
});
