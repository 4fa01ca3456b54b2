import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  appendMessage,
  appendMessages,
  closeStore,
  changesSince,
  claimRecent,
  copyMessages,
  createMailbox,
  deleteMailbox,
  deliverMessage,
  expungeMessages,
  findMailbox,
  getMessages,
  listMessageSummaries,
  mailboxStatus,
  moveMessages,
  openStore,
  readRaw,
  searchSubject,
  searchText,
  storeFlags,
  type MailBoxRow,
} from '../../schema/index.ts';
import { message, storeFixture, type StoreFixture } from '../helpers/store.ts';

async function inbox(f: StoreFixture): Promise<MailBoxRow> {
  const box = await findMailbox(f.store, f.account.id, 'INBOX');
  assert.ok(box);
  return box;
}

async function count(f: StoreFixture, sql: string): Promise<number> {
  return (await f.store.get<{ n: number }>(sql))!.n;
}

describe('append and UIDs', () => {
  let f: StoreFixture;
  before(async () => (f = await storeFixture()));
  after(() => f.cleanup());

  test('UIDs strictly ascend and are never reused after expunge or restart', async () => {
    let box = await inbox(f);
    const first = await appendMessage(f.store, { mailboxId: box.id, raw: message('one') });
    const second = await appendMessage(f.store, { mailboxId: box.id, raw: message('two') });
    assert.equal(second.uid, first.uid + 1);
    await storeFlags(f.store, { mailboxId: box.id, uids: [second.uid], op: 'add', flags: ['\\Deleted'] });
    assert.deepEqual(await expungeMessages(f.store, { mailboxId: box.id }), [second.uid]);
    const third = await appendMessage(f.store, { mailboxId: box.id, raw: message('three') });
    assert.equal(third.uid, second.uid + 1, 'expunged UID is not handed out again');

    const before = await mailboxStatus(f.store, box.id);
    await f.reopen();
    box = await inbox(f);
    const after = await mailboxStatus(f.store, box.id);
    assert.equal(after.uidvalidity, before.uidvalidity, 'UIDVALIDITY survives restart');
    assert.equal(after.uidnext, before.uidnext, 'UIDNEXT survives restart');
    const fourth = await appendMessage(f.store, { mailboxId: box.id, raw: message('four') });
    assert.equal(fourth.uid, third.uid + 1);
    assert.deepEqual(
      (await listMessageSummaries(f.store, box.id)).map((m) => m.uid),
      [first.uid, third.uid, fourth.uid],
    );
  });

  test('MODSEQ strictly grows with every change', async () => {
    const box = await inbox(f);
    const seen: number[] = [(await mailboxStatus(f.store, box.id)).highestmodseq];
    const a = await appendMessage(f.store, { mailboxId: box.id, raw: message('m1') });
    seen.push(a.modseq);
    const flagged = await storeFlags(f.store, { mailboxId: box.id, uids: [a.uid], op: 'add', flags: ['\\Flagged'] });
    seen.push(flagged.changed[0].modseq);
    const junk = await findMailbox(f.store, f.account.id, 'Junk');
    assert.ok(junk);
    await copyMessages(f.store, { sourceMailboxId: box.id, uids: [a.uid], targetMailboxId: junk.id });
    await storeFlags(f.store, { mailboxId: box.id, uids: [a.uid], op: 'add', flags: ['\\Deleted'] });
    await expungeMessages(f.store, { mailboxId: box.id });
    seen.push((await mailboxStatus(f.store, box.id)).highestmodseq);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1], `modseq ${seen[i]} > ${seen[i - 1]}`);
  });

  test('a failed multi-copy append leaves nothing behind', async () => {
    const box = await inbox(f);
    const statusBefore = await mailboxStatus(f.store, box.id);
    const rawBefore = await count(f, 'SELECT count(*) n FROM mail_raw');
    const mailBefore = await count(f, 'SELECT count(*) n FROM mail');
    const journalBefore = await count(f, 'SELECT count(*) n FROM mail_change');
    await assert.rejects(
      deliverMessage(f.store, { raw: message('doomed'), copies: [{ mailboxId: box.id }, { mailboxId: 999_999 }] }),
      /mailbox does not exist/,
    );
    assert.equal(await count(f, 'SELECT count(*) n FROM mail_raw'), rawBefore);
    assert.equal(await count(f, 'SELECT count(*) n FROM mail'), mailBefore);
    assert.equal(await count(f, 'SELECT count(*) n FROM mail_change'), journalBefore);
    const statusAfter = await mailboxStatus(f.store, box.id);
    assert.equal(statusAfter.uidnext, statusBefore.uidnext, 'no UID consumed');
    assert.equal(statusAfter.highestmodseq, statusBefore.highestmodseq);
  });

  test('a failed write in a shared commit does not take the others down', async () => {
    const box = await inbox(f);
    const results = await Promise.allSettled([
      appendMessage(f.store, { mailboxId: box.id, raw: message('ok-1') }),
      appendMessage(f.store, { mailboxId: 424242, raw: message('bad') }),
      appendMessage(f.store, { mailboxId: box.id, raw: message('ok-2') }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    await f.reopen();
    const subjects = (await getMessages(f.store, box.id, (await listMessageSummaries(f.store, box.id)).map((m) => m.uid))).map(
      (m) => m.envelope.subject,
    );
    assert.ok(subjects.includes('ok-1') && subjects.includes('ok-2') && !subjects.includes('bad'));
  });

  test('bytes read back equal bytes written', async () => {
    const box = await inbox(f);
    const samples: Record<string, Buffer> = {
      crlf: message('crlf', 'line one\r\nline two\r\n'),
      bareLf: Buffer.from('From: a@b.test\nSubject: bare lf\n\nbody\nmore\n'),
      eightBit: Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from(' \xfc\r\n\r\n8-bit body \xff\xfe\r\n', 'latin1')]),
      binary: Buffer.concat([Buffer.from('Subject: binary\r\nContent-Transfer-Encoding: binary\r\n\r\n'), Buffer.from(Array.from({ length: 255 }, (_, i) => i + 1))]),
      noTrailingNewline: Buffer.from('Subject: x\r\n\r\nno newline at end'),
      headerOnly: Buffer.from('Subject: only a header\r\n'),
    };
    const stored: Record<string, number> = {};
    for (const [name, raw] of Object.entries(samples)) {
      stored[name] = (await appendMessage(f.store, { mailboxId: box.id, raw })).uid;
    }
    await f.reopen();
    for (const [name, raw] of Object.entries(samples)) {
      const [meta] = await getMessages(f.store, box.id, [stored[name]]);
      assert.equal(meta.size, raw.length, `${name} size`);
      assert.ok((await readRaw(f.store, meta.rawId)).equals(raw), `${name} bytes`);
    }
  });
});

describe('delivery, flags, copy, move, expunge', () => {
  let f: StoreFixture;
  before(async () => (f = await storeFixture()));
  after(() => f.cleanup());

  test('one message for several mailboxes is stored once, in one transaction', async () => {
    const box = await inbox(f);
    const junk = await findMailbox(f.store, f.account.id, 'Junk');
    assert.ok(junk);
    const copies = await deliverMessage(f.store, {
      raw: message('for two'),
      copies: [
        { mailboxId: box.id, recipient: 'alice@example.test' },
        { mailboxId: junk.id, flags: ['$Junk'], recipient: 'alice+spam@example.test' },
      ],
      meta: { spamScore: 120, spam: true, ipAddr: '192.0.2.1', isTls: true, returnPath: 'bob@remote.test' },
    });
    assert.equal(copies.length, 2);
    const rawIds = new Set(
      (await Promise.all(copies.map((c) => getMessages(f.store, c.mailboxId, [c.uid])))).map(([m]) => m.rawId),
    );
    assert.equal(rawIds.size, 1, 'raw bytes shared');
    const row = (await f.store.get<Record<string, unknown>>('SELECT * FROM mail WHERE mail_box_id = ?', junk.id))!;
    assert.equal(row.spam_score, 120);
    assert.equal(row.spam, 1);
    assert.equal(row.ip_addr, '192.0.2.1');
    assert.equal(row.subject, 'for two');
    assert.equal(row.from_address, 'Bob <bob@remote.test>');
    assert.equal(row.flags, '["$Junk"]');
  });

  test('flags change as a set, with journal rows and UNCHANGEDSINCE', async () => {
    const box = await inbox(f);
    const m = await appendMessage(f.store, { mailboxId: box.id, raw: message('flags'), flags: ['\\seen', 'Work', 'work'] });
    let [meta] = await getMessages(f.store, box.id, [m.uid]);
    assert.deepEqual(meta.flags, ['Work', '\\Seen'], 'system flag canonical, keyword deduplicated');
    const added = await storeFlags(f.store, { mailboxId: box.id, uids: [m.uid], op: 'add', flags: ['\\Flagged', '\\Recent'] });
    assert.deepEqual(added.changed[0].flags, ['Work', '\\Flagged', '\\Seen'], '\\Recent is never stored');
    const noop = await storeFlags(f.store, { mailboxId: box.id, uids: [m.uid], op: 'add', flags: ['\\Seen'] });
    assert.equal(noop.changed.length, 0, 'no change, no new modseq');
    const refused = await storeFlags(f.store, {
      mailboxId: box.id,
      uids: [m.uid],
      op: 'remove',
      flags: ['\\Seen'],
      unchangedSince: added.changed[0].modseq - 1,
    });
    assert.deepEqual(refused.modified, [m.uid]);
    [meta] = await getMessages(f.store, box.id, [m.uid]);
    assert.ok(meta.flags.includes('\\Seen'), 'refused change not applied');
    await storeFlags(f.store, { mailboxId: box.id, uids: [m.uid], op: 'set', flags: ['\\Answered'] });
    [meta] = await getMessages(f.store, box.id, [m.uid]);
    assert.deepEqual(meta.flags, ['\\Answered']);
    const journal = await changesSince(f.store, box.id, m.modseq - 1);
    assert.deepEqual(
      journal.filter((j) => j.uid === m.uid).map((j) => j.kind),
      ['new', 'flags', 'flags'],
    );
  });

  test('copy and move keep flags and internal date, with new UIDs', async () => {
    const box = await inbox(f);
    const trash = await findMailbox(f.store, f.account.id, 'Trash');
    const sent = await findMailbox(f.store, f.account.id, 'Sent');
    assert.ok(trash && sent);
    const internalDate = Date.UTC(2020, 0, 2, 3, 4, 5);
    const m = await appendMessage(f.store, { mailboxId: box.id, raw: message('copy me'), flags: ['\\Flagged'], internalDate });
    await appendMessage(f.store, { mailboxId: trash.id, raw: message('already there') });
    const copied = await copyMessages(f.store, { sourceMailboxId: box.id, uids: [m.uid], targetMailboxId: trash.id });
    assert.equal(copied.mapping[0].sourceUid, m.uid);
    assert.equal(copied.mapping[0].targetUid, 2);
    const [copy] = await getMessages(f.store, trash.id, [2]);
    assert.deepEqual(copy.flags, ['\\Flagged']);
    assert.equal(copy.internalDate, internalDate);
    const moved = await moveMessages(f.store, { sourceMailboxId: box.id, uids: [m.uid], targetMailboxId: sent.id });
    assert.deepEqual(moved.expunged, [m.uid]);
    assert.equal((await getMessages(f.store, box.id, [m.uid])).length, 0, 'original gone after MOVE');
    const [movedMeta] = await getMessages(f.store, sent.id, [moved.mapping[0].targetUid]);
    assert.equal(movedMeta.internalDate, internalDate);
    assert.equal(movedMeta.envelope.subject, 'copy me');
  });

  test('expunge keeps journal rows for VANISHED and removes unreferenced bytes', async () => {
    const box = await inbox(f);
    const m = await appendMessage(f.store, { mailboxId: box.id, raw: message('expunge me', 'unique-body-text-xyz\r\n') });
    assert.deepEqual(await expungeMessages(f.store, { mailboxId: box.id, uids: [m.uid] }), [], 'not \\Deleted: kept');
    await storeFlags(f.store, { mailboxId: box.id, uids: [m.uid], op: 'add', flags: ['\\Deleted'] });
    assert.deepEqual(await expungeMessages(f.store, { mailboxId: box.id, uids: [m.uid] }), [m.uid]);
    const journal = await changesSince(f.store, box.id, m.modseq);
    assert.ok(journal.some((j) => j.uid === m.uid && j.kind === 'expunge'));
    const [meta] = await getMessages(f.store, box.id, [m.uid]);
    assert.equal(meta, undefined);
    assert.equal((await searchText(f.store, box.id, 'body', 'unique-body-text-xyz'))?.size, 0);
    assert.equal(await count(f, 'SELECT count(*) n FROM mail_raw WHERE id NOT IN (SELECT mail_raw_id FROM mail)'), 0);
  });

  test('text search finds case-insensitive substrings in headers and decoded bodies', async () => {
    const box = await inbox(f);
    const qp = await appendMessage(f.store, {
      mailboxId: box.id,
      raw: message('=?utf-8?q?Caf=C3=A9_menu?=', 'Le caf=C3=A9 est ouvert au Public.\r\n', 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n'),
    });
    const other = await appendMessage(f.store, { mailboxId: box.id, raw: message('unrelated', 'nothing here\r\n') });
    assert.deepEqual([...((await searchText(f.store, box.id, 'body', 'CAFÉ EST')) ?? [])], [qp.uid]);
    assert.deepEqual([...((await searchText(f.store, box.id, 'headers', 'café menu')) ?? [])], [qp.uid]);
    assert.deepEqual([...((await searchText(f.store, box.id, 'text', 'public')) ?? [])], [qp.uid]);
    assert.ok(!(await searchText(f.store, box.id, 'text', 'nothing'))?.has(qp.uid));
    assert.ok((await searchText(f.store, box.id, 'text', 'nothing'))?.has(other.uid));
    assert.equal(await searchText(f.store, box.id, 'text', 'ca'), null, 'too short for the index: caller scans');
  });

  test('text and subject search answer for the mailbox asked only, a copy sharing the stored bytes included', async () => {
    const box = await createMailbox(f.store, f.account.id, 'Scoped text');
    const other = await createMailbox(f.store, f.account.id, 'Scoped text elsewhere');
    const shared = await appendMessage(f.store, { mailboxId: box.id, raw: message('zebrafinch report', 'the zebrafinch sings\r\n') });
    await appendMessage(f.store, { mailboxId: box.id, raw: message('plain', 'nothing to see\r\n') });
    const own = await appendMessage(f.store, { mailboxId: other.id, raw: message('zebrafinch elsewhere', 'another zebrafinch\r\n') });
    const copied = await copyMessages(f.store, { sourceMailboxId: box.id, uids: [shared.uid], targetMailboxId: other.id });
    const copyUid = copied.mapping[0].targetUid;
    const sorted = (s: Set<number> | null) => [...(s ?? [])].sort((a, b) => a - b);
    assert.deepEqual(sorted(await searchText(f.store, box.id, 'body', 'ZEBRAFINCH')), [shared.uid]);
    assert.deepEqual(sorted(await searchText(f.store, other.id, 'body', 'zebrafinch')), [own.uid, copyUid].sort((a, b) => a - b));
    assert.deepEqual(sorted(await searchSubject(f.store, box.id, 'Zebrafinch')), [shared.uid]);
    assert.deepEqual(sorted(await searchSubject(f.store, other.id, 'zebrafinch')), [own.uid, copyUid].sort((a, b) => a - b));
    // A word of the body only: SUBJECT does not match it.
    assert.deepEqual(sorted(await searchSubject(f.store, other.id, 'sings')), []);
    assert.deepEqual(sorted(await searchText(f.store, box.id, 'text', 'elsewhere')), []);
  });

  test('\\Recent goes to the first claimant only', async () => {
    const box = await inbox(f);
    await claimRecent(f.store, box.id);
    const m = await appendMessage(f.store, { mailboxId: box.id, raw: message('recent') });
    assert.deepEqual(await claimRecent(f.store, box.id), { from: m.uid, to: m.uid });
    assert.equal(await claimRecent(f.store, box.id), null);
  });

  test('notifications fire after commit with the new MODSEQ', async () => {
    const box = await inbox(f);
    const events: Array<{ mailboxId: number; highestModseq: number; visible: number }> = [];
    const pending: Array<Promise<unknown>> = [];
    const listener = (e: { mailboxId: number; highestModseq: number }) =>
      pending.push(f.store.get<{ h: number }>('SELECT highestmodseq h FROM mail_box WHERE id = ?', e.mailboxId).then((r) => events.push({ ...e, visible: r!.h })));
    f.store.events.on('mailbox', listener);
    const m = await appendMessage(f.store, { mailboxId: box.id, raw: message('notify') });
    f.store.events.off('mailbox', listener);
    await Promise.all(pending);
    assert.equal(events.length, 1);
    assert.equal(events[0].mailboxId, box.id);
    assert.equal(events[0].highestModseq, m.modseq);
    assert.equal(events[0].visible, m.modseq, 'data committed before the event');
  });

  test('concurrent deliveries share commits and all survive a restart', async () => {
    const box = await inbox(f);
    const before = (await listMessageSummaries(f.store, box.id)).length;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => appendMessage(f.store, { mailboxId: box.id, raw: message(`burst ${i}`) })));
    const uids = results.map((r) => r.uid);
    assert.equal(new Set(uids).size, 50, 'distinct UIDs');
    await f.reopen();
    assert.equal((await listMessageSummaries(f.store, box.id)).length, before + 50);
  });

  test('replies delivered all at once, naming each other\'s Message-IDs, make one thread per chain with no write run twice', async () => {
    // Each reply's References names every message before it in its chain, so the deliveries
    // record shared IDs at the same time; on PostgreSQL, recording them in different orders
    // deadlocked (and each deadlock cost a retry, a second and sometimes the delivery).
    let retries = 0;
    const store = await openStore(f.location, { onRetry: () => retries++ });
    try {
      const box = await inbox(f);
      const chains = 12;
      const length = 8;
      const raw = (chain: number, place: number) => {
        const refs = Array.from({ length: place }, (_, j) => `<c${chain}.${j}@chains.test>`).join(' ');
        const replyHeaders = place === 0 ? '' : `In-Reply-To: <c${chain}.${place - 1}@chains.test>\r\nReferences: ${refs}\r\n`;
        return message(`chain ${chain}`, 'Hello.\r\n', `Message-ID: <c${chain}.${place}@chains.test>\r\n${replyHeaders}`);
      };
      const ids = await Promise.all([
        ...Array.from({ length: chains * length }, (_, k) =>
          deliverMessage(store, { raw: raw(k % chains, Math.floor(k / chains)), copies: [{ mailboxId: box.id }] }).then(([m]) => ({ chain: k % chains, id: m.id })),
        ),
        // A MULTIAPPEND of one more reply to each of two chains takes its thread IDs the same way.
        appendMessages(store, { mailboxId: box.id, messages: [{ raw: raw(0, length) }, { raw: raw(1, length) }] }).then(async (batch) =>
          Promise.all(batch.uids.map(async (uid, i) => ({ chain: i, id: (await store.get<{ id: number }>(`SELECT id FROM mail WHERE mail_box_id = ? AND uid = ?`, box.id, uid))!.id }))),
        ),
      ]);
      const threadOf = new Map<number, Set<string>>();
      for (const { chain, id } of ids.flat()) {
        const { thread_id } = (await store.get<{ thread_id: string }>(`SELECT thread_id FROM mail WHERE id = ?`, id))!;
        threadOf.set(chain, (threadOf.get(chain) ?? new Set()).add(thread_id));
      }
      assert.equal(threadOf.size, chains);
      for (const [chain, threads] of threadOf) assert.equal(threads.size, 1, `chain ${chain} is one thread`);
      assert.equal(new Set([...threadOf.values()].map((t) => [...t][0])).size, chains, 'every chain its own thread');
      assert.equal(retries, 0, 'no write met another in a deadlock');
    } finally {
      await closeStore(store);
    }
  });

  test('deleting a mailbox removes its messages; its name gets a new UIDVALIDITY', async () => {
    const box = await createMailbox(f.store, f.account.id, 'Projects');
    await appendMessage(f.store, { mailboxId: box.id, raw: message('in projects') });
    await deleteMailbox(f.store, f.account.id, 'Projects');
    assert.equal(await count(f, `SELECT count(*) n FROM mail WHERE mail_box_id = ${box.id}`), 0);
    const again = await createMailbox(f.store, f.account.id, 'Projects');
    assert.notEqual(again.uidvalidity, box.uidvalidity);
    assert.ok(again.uidvalidity > box.uidvalidity);
    assert.equal(again.uidnext, 1);
  });
});
