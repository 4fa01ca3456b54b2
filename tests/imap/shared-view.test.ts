// The selected mailbox's shared view (schema/store/mailbox-views.ts) behind
// FETCH FLAGS, SEARCH and the updates a session reports: it never shows stale
// flags, whoever made the change — another session, SMTP, the API, or
// another node writing to the same database (whose notification may never
// come) — and one delivery reaches every idle session of the mailbox.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import nodemailer from 'nodemailer';
import { closeStore, findMailbox, openStore, storeFlags, appendMessage } from '../../schema/index.ts';
import { Api } from '../api/client.ts';
import { testStoreLocation } from '../helpers/database.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { startDns, type TestDns } from '../smtp/dns.ts';
import { DEADLINE, type Imap, message, startImap, untagged } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

let imap: Imap;
let dns: TestDns;
before(async () => {
  dns = await startDns();
  imap = await startImap({ HERON_DNS: dns.address });
});
after(async () => {
  await imap.stop();
  await dns.close();
});

/** The FLAGS the FETCH response of `uid` carries (the solicited one: the first for that UID). */
async function flagsOf(c: RawClient, uid: number): Promise<string> {
  const r = await c.command('f', `UID FETCH ${uid} (FLAGS)`);
  assert.match(r, /f OK/);
  const m = new RegExp(`^\\* \\d+ FETCH \\(UID ${uid} FLAGS \\(([^)]*)\\)\\)\\r$`, 'm').exec(r);
  assert.ok(m, r);
  return m[1];
}

async function searchUids(c: RawClient, criteria: string): Promise<string> {
  const r = await c.command('s', `UID SEARCH ${criteria}`);
  assert.match(r, /s OK/);
  return /^\* SEARCH ?(.*)\r$/m.exec(r)![1];
}

describe('the shared view never shows stale flags', () => {
  test('after a change by another session, SMTP, the API and another node', DEADLINE, async () => {
    const { user, id } = await imap.account();
    for (const s of ['one', 'two', 'three']) await imap.deliver(id, 'INBOX', message(s));
    const a = await imap.login(user);
    const b = await imap.login(user);
    await a.command('s', 'SELECT INBOX');
    await b.command('s', 'SELECT INBOX');
    assert.equal(await flagsOf(a, 1), '\\Recent');
    assert.equal(await searchUids(a, 'UNSEEN'), '1 2 3');

    // Another session: the next FETCH and SEARCH already see it.
    assert.match(await b.command('b1', 'UID STORE 1 +FLAGS.SILENT (\\Flagged $Later)'), /b1 OK/);
    assert.equal(await flagsOf(a, 1), '$Later \\Flagged \\Recent');
    assert.equal(await searchUids(a, 'FLAGGED'), '1');
    assert.equal(await searchUids(a, 'KEYWORD $later'), '1');

    // The API (PATCH a message's booleans).
    const api = new Api(`http://127.0.0.1:${imap.heron.ports.api}`);
    const token = await api.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
    const box = (await findMailbox(imap.heron.store, id, 'INBOX'))!;
    const ref = (await imap.heron.store.get<{ reference_id: string }>(`SELECT reference_id FROM mail WHERE mail_box_id = ? AND uid = 2`, box.id))!.reference_id;
    const patched = await api.patch(`/api/mail/${ref}`, token, { data: { type: 'mail', id: ref, attributes: { seen: true, answered: true } } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(await flagsOf(a, 2), '\\Answered \\Seen \\Recent');
    assert.equal(await searchUids(a, 'UNSEEN'), '1 3');
    assert.equal(await searchUids(a, 'ANSWERED SEEN'), '2');

    // SMTP: the session is told of the new message, which then answers FETCH and SEARCH.
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: imap.heron.ports.smtp, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'sender@remote.test', to: user, subject: 'by smtp', text: 'hello' });
    assert.deepEqual(untagged(await a.command('n1', 'NOOP')), ['* 4 EXISTS', '* 4 RECENT']);
    // Unsigned mail from an unknown sender may be scored as junk ($Junk): the flags are what the database says.
    const smtpFlags = (await imap.heron.store.get<{ flags: string }>(`SELECT flags FROM mail WHERE mail_box_id = ? AND uid = 4`, box.id))!.flags;
    assert.equal(await flagsOf(a, 4), [...(JSON.parse(smtpFlags) as string[]), '\\Recent'].join(' '));
    assert.equal(await searchUids(a, 'UNSEEN'), '1 3 4');
    assert.ok(untagged(await b.command('b2', 'NOOP')).includes('* 4 EXISTS'));
    assert.match(await b.command('b3', 'UID STORE 4 +FLAGS.SILENT (\\Seen)'), /b3 OK/);
    assert.equal(await searchUids(a, 'UNSEEN'), '1 3');

    // Another node: a second store on the same database. On SQLite nothing
    // notifies this process; on PostgreSQL the notification may come late.
    const otherNode = await openStore(await testStoreLocation(imap.heron.dataDir));
    try {
      await storeFlags(otherNode, { mailboxId: box.id, uids: [3], op: 'add', flags: ['\\Deleted', '\\Seen'] });
      assert.equal(await flagsOf(a, 3), '\\Deleted \\Seen \\Recent', 'FETCH reads the journal first');
      assert.equal(await searchUids(a, 'UNSEEN'), '1');
      assert.equal(await searchUids(a, 'DELETED'), '3');
      await appendMessage(otherNode, { mailboxId: box.id, raw: Buffer.from(message('from the other node')), flags: ['$Other'] });
      // NOOP polls the journal: EXISTS for the other node's message, and FLAGS for its new keyword first.
      const noop = untagged(await a.command('n2', 'NOOP'));
      assert.ok(noop.includes('* 5 EXISTS'), noop.join('\n'));
      assert.equal(await flagsOf(a, 5), '$Other \\Recent');
      // EXPUNGE of what the other node flagged \Deleted: the view is asked, the store checks again.
      assert.deepEqual(untagged(await a.command('e', 'EXPUNGE')), ['* 3 EXPUNGE']);
      assert.equal(await searchUids(a, 'ALL'), '1 2 4 5');
    } finally {
      await closeStore(otherNode);
    }
  });

  test('a session that was told nothing still answers from the state of the moment', DEADLINE, async () => {
    const { user, id } = await imap.account();
    for (const s of ['x', 'y']) await imap.deliver(id, 'INBOX', message(s));
    const a = await imap.login(user);
    const b = await imap.login(user);
    await a.command('s', 'EXAMINE INBOX');
    await b.command('s', 'SELECT INBOX');
    // B expunges 1 while A is between commands: A still numbers it (RFC 3501 §7.4.1) but has no flags to show for it.
    await b.command('b1', 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await b.command('b2', 'EXPUNGE');
    const r = await a.command('f', 'FETCH 1:2 (UID FLAGS)');
    assert.doesNotMatch(r, /EXPUNGE/, 'no EXPUNGE during FETCH');
    assert.deepEqual(untagged(r).filter((l) => /^\* \d+ FETCH/.test(l)), ['* 2 FETCH (UID 2 FLAGS (\\Recent))']);
    assert.deepEqual(untagged(await a.command('n', 'NOOP')), ['* 1 EXPUNGE']);
    assert.match(await a.command('f2', 'FETCH 1 (UID)'), /^\* 1 FETCH \(UID 2\)\r\n/);
  });
});

describe('many idle sessions', () => {
  test('one delivery reaches every idle session of the mailbox; sessions add no store listeners', { timeout: 120_000 }, async () => {
    const { user, id } = await imap.account();
    await imap.deliver(id, 'INBOX', message('first'));
    const events = imap.heron.store.events;
    const listenersBefore = events.listenerCount('mailbox');
    const sessions: RawClient[] = [];
    for (let i = 0; i < 30; i++) {
      const c = await imap.login(user);
      assert.match(await c.command('s', i % 3 === 0 ? 'EXAMINE INBOX' : 'SELECT INBOX'), /s OK/);
      c.write('i IDLE\r\n');
      await c.readUntil((s) => s.includes('+ idling\r\n'));
      c.take();
      sessions.push(c);
    }
    assert.equal(events.listenerCount('mailbox'), listenersBefore, 'the views listen, not each session');
    await imap.deliver(id, 'INBOX', message('second'));
    await Promise.all(sessions.map((c) => c.readUntil((s) => s.includes('* 2 EXISTS\r\n'))));
    // \Recent went to exactly one read-write session (RFC 3501 §2.3.2); the read-only ones show it as \Recent.
    const recents = await Promise.all(
      sessions.map(async (c, i) => {
        await c.readUntil((s) => /\* \d+ RECENT\r\n/.test(s));
        return { readOnly: i % 3 === 0, recent: Number(/\* (\d+) RECENT\r\n/.exec(c.take())![1]) };
      }),
    );
    // The first message went to the first read-write SELECT, the second to one read-write session.
    assert.equal(
      recents.filter((r) => !r.readOnly).reduce((sum, r) => sum + r.recent, 0),
      2,
      JSON.stringify(recents),
    );
    for (const c of sessions) {
      c.write('DONE\r\n');
      await c.readUntil((s) => /^i OK/m.test(s));
    }
  });
});
