// OBJECTID (RFC 8474): MAILBOXID on CREATE, SELECT/EXAMINE and STATUS; EMAILID
// and THREADID in FETCH and SEARCH; stable across copies, moves, renames and
// restarts, never reused.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createMailAccount, emailObjectId, findMailbox, findMailServerByHostname, threadObjectId } from '../../schema/index.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME, tempDir } from '../helpers/heron.ts';
import { DEADLINE, message, PASSWORD, untagged, useImap } from './fixture.ts';
import { loggedIn, type RawClient } from './raw-client.ts';

const imap = useImap();
const OBJECT_ID = '[A-Za-z0-9_-]{1,255}';

function mailboxId(response: string): string {
  const m = new RegExp(`\\[MAILBOXID \\((${OBJECT_ID})\\)\\]`).exec(response) ?? new RegExp(`MAILBOXID \\((${OBJECT_ID})\\)`).exec(response);
  assert.ok(m, `no MAILBOXID in ${JSON.stringify(response)}`);
  return m[1];
}

/** EMAILID and THREADID of each message FETCH names, by UID. */
async function objectIds(c: RawClient, set = '1:*'): Promise<Map<number, { email: string; thread: string }>> {
  const out = new Map<number, { email: string; thread: string }>();
  for (const line of untagged(await c.command('oi', `UID FETCH ${set} (EMAILID THREADID)`))) {
    const m = new RegExp(`UID (\\d+) EMAILID \\((${OBJECT_ID})\\) THREADID \\((${OBJECT_ID})\\)`).exec(line);
    assert.ok(m, line);
    out.set(Number(m[1]), { email: m[2], thread: m[3] });
  }
  return out;
}

function mail(id: string, subject: string, headers = ''): string {
  return `From: a@example.org\r\nTo: b@heron.test\r\nSubject: ${subject}\r\nMessage-ID: <${id}@example.org>\r\n${headers}\r\nbody of ${id}\r\n`;
}

describe('OBJECTID', () => {
  test('MAILBOXID: CREATE, SELECT, EXAMINE and STATUS agree; RENAME keeps it; a re-created mailbox gets a new one (RFC 8474 §4)', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('cap', 'CAPABILITY'), /^\* CAPABILITY [^\r]* OBJECTID/);
    const created = await c.command('c1', 'CREATE Projects');
    assert.match(created, new RegExp(`^c1 OK \\[MAILBOXID \\(F${OBJECT_ID}\\)\\] CREATE completed`));
    const id = mailboxId(created);
    assert.equal(mailboxId(await c.command('s', 'SELECT Projects')), id);
    assert.equal(mailboxId(await c.command('e', 'EXAMINE Projects')), id);
    assert.match(await c.command('st', 'STATUS Projects (MESSAGES MAILBOXID)'), new RegExp(`^\\* STATUS "Projects" \\(MESSAGES 0 MAILBOXID \\(${id}\\)\\)\\r\\n`));
    await c.command('u', 'UNSELECT');
    await c.command('r', 'RENAME Projects Archive/Projects');
    assert.equal(mailboxId(await c.command('st2', 'STATUS Archive/Projects (MAILBOXID)')), id);
    // DELETE and CREATE again: a new mailbox, a new ID (never reused, §4.1).
    await c.command('d', 'DELETE Archive/Projects');
    const again = mailboxId(await c.command('c2', 'CREATE Archive/Projects'));
    assert.notEqual(again, id);
    // The same when DELETE left a \Noselect name behind (it had children).
    const child = mailboxId(await c.command('c3', 'CREATE Parent/Child'));
    const parentId = mailboxId(await c.command('st3', 'STATUS Parent (MAILBOXID)'));
    assert.notEqual(child, parentId);
    await c.command('d2', 'DELETE Parent');
    assert.notEqual(mailboxId(await c.command('c4', 'CREATE Parent')), parentId);
    // RENAME INBOX moves its messages to a new mailbox, which gets a new ID; INBOX keeps its own.
    const inbox = mailboxId(await c.command('st4', 'STATUS INBOX (MAILBOXID)'));
    const moved = mailboxId(await c.command('r2', 'RENAME INBOX Old').then(() => c.command('st5', 'STATUS Old (MAILBOXID)')));
    assert.notEqual(moved, inbox);
    assert.equal(mailboxId(await c.command('st6', 'STATUS INBOX (MAILBOXID)')), inbox);
    // Every mailbox has its own.
    const ids = new Set<string>();
    for (const name of ['INBOX', 'Sent', 'Drafts', 'Trash', 'Junk', 'Old']) ids.add(mailboxId(await c.command('x', `STATUS ${name} (MAILBOXID)`)));
    assert.equal(ids.size, 6);
  });

  test('EMAILID is shared by copies and moves and differs for a second delivery of the same bytes (RFC 8474 §5.1)', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const raw = mail('same', 'Same bytes');
    await imap().deliver(id, 'INBOX', raw);
    await imap().deliver(id, 'INBOX', raw);
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    const ids = await objectIds(c);
    assert.match(ids.get(1)!.email, /^M[0-9a-f]{16}_\d+$/);
    assert.notEqual(ids.get(1)!.email, ids.get(2)!.email);
    // The RFC's response shape, FETCH and UID FETCH.
    assert.match(await c.command('f', 'FETCH 1 (EMAILID THREADID)'), new RegExp(`^\\* 1 FETCH \\(EMAILID \\(${ids.get(1)!.email}\\) THREADID \\(${ids.get(1)!.thread}\\)\\)\\r\\n`));
    await c.command('cp', 'UID COPY 1 Trash');
    await c.command('mv', 'UID MOVE 2 Drafts');
    await c.command('s2', 'SELECT Trash');
    assert.deepEqual((await objectIds(c)).get(1), ids.get(1));
    await c.command('s3', 'SELECT Drafts');
    assert.deepEqual((await objectIds(c)).get(1), ids.get(2));
    // SEARCH EMAILID finds the copies in the selected mailbox (§6).
    await c.command('s4', 'SELECT Trash');
    assert.match(await c.command('q1', `UID SEARCH EMAILID ${ids.get(1)!.email}`), /^\* SEARCH 1\r\n/);
    assert.match(await c.command('q2', `UID SEARCH EMAILID ${ids.get(2)!.email}`), /^\* SEARCH\r\n/);
    assert.match(await c.command('q3', 'UID SEARCH EMAILID Mnot-one-of-ours'), /^\* SEARCH\r\n/);
    assert.match(await c.command('q4', 'UID SEARCH NOT EMAILID M0000000000000000_1'), /^\* SEARCH 1\r\n/);
    assert.match(await c.command('q5', 'UID SEARCH EMAILID'), /^q5 BAD /);
    // The IDs are the store's, through the functions the REST API shares.
    const row = await imap().heron.store.get<{ mail_raw_id: number; hash: string; thread_id: string }>(
      `SELECT mail_raw_id, hash, thread_id FROM mail WHERE mail_box_id = ? AND uid = 1`,
      (await findMailbox(imap().heron.store, id, 'Trash'))!.id,
    );
    assert.equal(emailObjectId(row!.mail_raw_id, row!.hash), ids.get(1)!.email);
    assert.equal(threadObjectId(row!.thread_id), ids.get(1)!.thread);
  });

  test('THREADID by Message-ID, In-Reply-To and References, whichever arrives first; SEARCH THREADID (RFC 8474 §5.2, §6)', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const deliver = (raw: string, box = 'INBOX') => imap().deliver(id, box, raw);
    await deliver(mail('root', 'Plans')); // 1
    await deliver(mail('reply1', 'Re: Plans', 'In-Reply-To: <root@example.org>\r\n')); // 2
    await deliver(mail('other', 'Unrelated')); // 3
    // A reply to a message not here yet, then that message (4, 5).
    await deliver(mail('late-reply', 'Re: Late', 'In-Reply-To: <late@example.org>\r\nReferences: <late@example.org>\r\n'));
    await deliver(mail('late', 'Late'));
    // Two replies to a root that never arrives share a thread (6, 7).
    await deliver(mail('sib1', 'Re: Lost', 'References: <lost@example.org>\r\n'));
    await deliver(mail('sib2', 'Re: Lost', 'References: <lost@example.org>\r\n'));
    // A deep reply whose References skip a message that is missing (8); folded header.
    await deliver(mail('deep', 'Re: Re: Plans', 'References: <root@example.org>\r\n <missing@example.org>\r\nIn-Reply-To: <missing@example.org>\r\n'));
    // A reply filed in another mailbox of the account joins too (Sent, 1).
    await deliver(mail('sent-reply', 'Re: Plans', 'In-Reply-To: <reply1@example.org>\r\n'), 'Sent');
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    const t = new Map([...(await objectIds(c)).entries()].map(([uid, v]) => [uid, v.thread]));
    assert.equal(t.get(2), t.get(1));
    assert.equal(t.get(8), t.get(1));
    assert.notEqual(t.get(3), t.get(1));
    assert.equal(t.get(5), t.get(4));
    assert.equal(t.get(7), t.get(6));
    assert.equal(new Set(t.values()).size, 4);
    assert.match(await c.command('q', `UID SEARCH THREADID ${t.get(1)}`), /^\* SEARCH 1 2 8\r\n/);
    assert.match(await c.command('q2', `UID SEARCH THREADID ${t.get(1)} NOT UID 2`), /^\* SEARCH 1 8\r\n/);
    assert.match(await c.command('q3', 'UID SEARCH THREADID Tnothere'), /^\* SEARCH\r\n/);
    await c.command('s2', 'SELECT Sent');
    assert.equal((await objectIds(c)).get(1)!.thread, t.get(1));
    // Another account's copy of a message in the thread is another account's thread.
    const other = await imap().account();
    await imap().deliver(other.id, 'INBOX', mail('reply1', 'Re: Plans', 'In-Reply-To: <root@example.org>\r\n'));
    const d = await imap().login(other.user);
    await d.command('s', 'SELECT INBOX');
    assert.notEqual((await objectIds(d)).get(1)!.thread, t.get(1));
  });
});

describe('OBJECTID across restarts', () => {
  const dataDir = tempDir();
  after(() => removeDir(dataDir));

  test('the same IDs after a restart, from what the store keeps', DEADLINE, async () => {
    let heron = await startTestHeron({ dataDir });
    const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
    const user = `restart@${TEST_HOSTNAME}`;
    await createMailAccount(heron.store, { username: user, password: PASSWORD, mailServerId: server!.id });
    let c = await loggedIn(heron.ports.imaps, user, PASSWORD);
    await c.command('a', `APPEND INBOX {${Buffer.byteLength(message('kept'))}+}\r\n${message('kept')}`);
    const before = [await c.command('s', 'SELECT INBOX'), await c.command('f', 'FETCH 1 (EMAILID THREADID)')].join('');
    c.close();
    await heron.stop();
    heron = await startTestHeron({ dataDir });
    try {
      c = await loggedIn(heron.ports.imaps, user, PASSWORD);
      const afterRestart = [await c.command('s', 'SELECT INBOX'), await c.command('f', 'FETCH 1 (EMAILID THREADID)')].join('');
      assert.equal(mailboxId(afterRestart), mailboxId(before));
      const ids = (text: string) => /EMAILID \(\S+\) THREADID \(\S+\)/.exec(text)![0];
      assert.equal(ids(afterRestart), ids(before));
      c.close();
    } finally {
      await heron.stop();
    }
  });
});
