// QUOTA (RFC 9208) with QUOTA=RES-STORAGE and QUOTA=RES-MESSAGE: one quota root
// "" per account; GETQUOTA / GETQUOTAROOT transcripts; SETQUOTA refused;
// [OVERQUOTA] on APPEND, COPY and MOVE with nothing stored; usage given back by
// EXPUNGE and DELETE and kept exact (compared with a SUM over the mail rows);
// concurrent APPENDs racing the limit never take an account past it; STATUS
// DELETED and DELETED-STORAGE; pipelined APPENDs answered one by one; bad input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accountQuota, setAccountQuota } from '../../schema/index.ts';
import { DEADLINE, expectBad, flowClient, message, untagged, untaggedOk as ok, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

/** A message of exactly `size` bytes. */
function sized(subject: string, size: number): string {
  const head = message(subject, '');
  assert.ok(size >= head.length + 2, 'size too small for the headers');
  return head + 'x'.repeat(size - head.length - 2) + '\r\n';
}

async function append(c: RawClient, mailbox: string, raw: string, tag = 'a'): Promise<string> {
  return c.command(tag, `APPEND ${mailbox} {${Buffer.byteLength(raw)}+}\r\n${raw}`);
}

/** The usage counters must equal what the mail rows add up to. */
async function assertExact(accountId: number): Promise<{ messages: number; bytes: number }> {
  const q = await accountQuota(imap().heron.store, accountId);
  const real = (await imap().heron.store.get<{ n: number; bytes: number }>(
    `SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM mail WHERE mail_account_id = ?`,
    accountId,
  ))!;
  assert.equal(q.messagesUsed, Number(real.n), 'used_messages is exact');
  assert.equal(q.storageUsedBytes, Number(real.bytes), 'used_storage_bytes is exact');
  return { messages: q.messagesUsed, bytes: q.storageUsedBytes };
}

describe('QUOTA', () => {
  test('advertised; an unlimited account has the root "" with no resources', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    const caps = (await ok(c, 'CAPABILITY'))[0];
    for (const cap of ['QUOTA', 'QUOTA=RES-STORAGE', 'QUOTA=RES-MESSAGE']) assert.ok(caps.split(' ').includes(cap), cap);
    assert.ok(!caps.includes('QUOTASET'), 'SETQUOTA is not offered');
    assert.deepEqual(await ok(c, 'GETQUOTAROOT INBOX'), ['* QUOTAROOT "INBOX" ""', '* QUOTA "" ()']);
    assert.deepEqual(await ok(c, 'GETQUOTA ""'), ['* QUOTA "" ()']);
  });

  test("RFC 9208 §4.1's exchanges: GETQUOTAROOT and GETQUOTA with STORAGE in KiB and MESSAGE", DEADLINE, async () => {
    const { user, id } = await imap().account();
    await setAccountQuota(imap().heron.store, id, { storageBytes: 512 * 1024, messages: 100 });
    await imap().deliver(id, 'INBOX', sized('one', 3000));
    await imap().deliver(id, 'Sent', sized('two', 2000));
    const c = await imap().login(user);
    // Usage covers every mailbox of the account (5000 bytes = 4 KiB, rounded down).
    assert.deepEqual(await ok(c, 'GETQUOTAROOT INBOX'), ['* QUOTAROOT "INBOX" ""', '* QUOTA "" (STORAGE 4 512 MESSAGE 2 100)']);
    assert.deepEqual(await ok(c, 'GETQUOTAROOT Sent'), ['* QUOTAROOT "Sent" ""', '* QUOTA "" (STORAGE 4 512 MESSAGE 2 100)']);
    assert.deepEqual(await ok(c, 'GETQUOTA ""'), ['* QUOTA "" (STORAGE 4 512 MESSAGE 2 100)']);
    // Only the resources with a limit are listed.
    await setAccountQuota(imap().heron.store, id, { messages: null });
    assert.deepEqual(await ok(c, 'GETQUOTA ""'), ['* QUOTA "" (STORAGE 4 512)']);
    await setAccountQuota(imap().heron.store, id, { storageBytes: null, messages: 7 });
    assert.deepEqual(await ok(c, 'GETQUOTA ""'), ['* QUOTA "" (MESSAGE 2 7)']);
  });

  test('imapflow: getQuota() reads the root and both resources; a refused APPEND carries OVERQUOTA', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await setAccountQuota(imap().heron.store, id, { storageBytes: 512 * 1024, messages: 3 });
    await imap().deliver(id, 'INBOX', sized('one', 5000));
    await imap().deliver(id, 'INBOX', sized('two', 5000));
    const client = flowClient(imap(), user);
    await client.connect();
    try {
      assert.deepEqual(await client.getQuota('INBOX'), {
        path: 'INBOX',
        storage: { usage: 9 * 1024, limit: 512 * 1024, status: '2%' },
        message: { usage: 2, limit: 3, status: '67%' },
      });
      await client.append('INBOX', sized('three', 1000));
      await assert.rejects(client.append('INBOX', sized('four', 1000)), (err: Error & { serverResponseCode?: string }) => {
        assert.equal(err.serverResponseCode, 'OVERQUOTA');
        return true;
      });
      const status = await client.status('INBOX', { messages: true });
      assert.ok(status);
      assert.equal(status.messages, 3);
    } finally {
      await client.logout();
    }
  });

  test('SETQUOTA is refused with NOPERM; unknown roots and mailboxes get NO; bad syntax gets BAD', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('s', 'SETQUOTA "" (STORAGE 512)'), /^s NO \[NOPERM\] /m);
    assert.match(await c.command('s', 'SETQUOTA "" ()'), /^s NO \[NOPERM\] /m);
    assert.equal((await accountQuota(imap().heron.store, id)).storageLimitBytes, null, 'nothing changed');
    const other = await c.command('g', 'GETQUOTA "user.other"');
    assert.match(other, /^g NO \[NONEXISTENT\] /m);
    assert.deepEqual(untagged(other), []);
    const missing = await c.command('g', 'GETQUOTAROOT Nowhere');
    assert.match(missing, /^g NO \[NONEXISTENT\] /m);
    assert.deepEqual(untagged(missing), []);
    await expectBad(c, [
      'GETQUOTA',
      'GETQUOTA "" extra',
      'GETQUOTA ("")',
      'GETQUOTAROOT',
      'GETQUOTAROOT INBOX Sent',
      'SETQUOTA ""',
      'SETQUOTA "" STORAGE 1',
      'SETQUOTA "" (STORAGE)',
      'SETQUOTA "" (STORAGE x)',
      'SETQUOTA "" (STORAGE -1)',
      'SETQUOTA "" ((STORAGE) 1)',
      'STATUS INBOX (DELETED-STORAGE-X)',
    ]);
    // Before login: not allowed.
    const anon = await imap().connect();
    assert.match(await anon.command('n', 'GETQUOTA ""'), /^n BAD /m);
  });

  test('APPEND past the storage or message limit: NO [OVERQUOTA], nothing stored; EXPUNGE gives the room back', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await setAccountQuota(imap().heron.store, id, { storageBytes: 10_000, messages: 3 });
    const c = await imap().login(user);
    assert.match(await append(c, 'INBOX', sized('a', 4000)), /^a OK \[APPENDUID /m);
    assert.match(await append(c, 'INBOX', sized('b', 4000)), /^a OK \[APPENDUID /m);
    // 8000 + 4000 > 10000.
    assert.match(await append(c, 'INBOX', sized('c', 4000)), /^a NO \[OVERQUOTA\] /m);
    assert.deepEqual(await ok(c, 'STATUS INBOX (MESSAGES)'), ['* STATUS "INBOX" (MESSAGES 2)']);
    // Exactly up to the limit is allowed.
    assert.match(await append(c, 'Drafts', sized('d', 2000)), /^a OK /m);
    assert.deepEqual(await assertExact(id), { messages: 3, bytes: 10_000 });
    // Now the message count is the limit: even a small message is refused.
    await setAccountQuota(imap().heron.store, id, { storageBytes: null });
    assert.match(await append(c, 'INBOX', sized('e', 300)), /^a NO \[OVERQUOTA\] /m);
    assert.deepEqual(await ok(c, 'GETQUOTA ""'), ['* QUOTA "" (MESSAGE 3 3)']);
    // EXPUNGE frees one message.
    await ok(c, 'SELECT INBOX');
    await ok(c, 'STORE 1 +FLAGS (\\Deleted)');
    await ok(c, 'EXPUNGE');
    assert.deepEqual(await assertExact(id), { messages: 2, bytes: 6000 });
    assert.match(await append(c, 'INBOX', sized('f', 300)), /^a OK /m);
    await assertExact(id);
  });

  test('COPY past the limit: NO [OVERQUOTA] and no copy; MOVE inside the account is never refused', DEADLINE, async () => {
    const { user, id } = await imap().account();
    for (const s of ['m1', 'm2', 'm3']) await imap().deliver(id, 'INBOX', sized(s, 1500));
    await setAccountQuota(imap().heron.store, id, { storageBytes: 5000 });
    const c = await imap().login(user);
    await ok(c, 'SELECT INBOX');
    // 4500 + 3000 > 5000: the whole COPY is refused, even the part that would fit.
    assert.match(await c.command('c', 'COPY 1:2 Junk'), /^c NO \[OVERQUOTA\] /m);
    assert.deepEqual(await ok(c, 'STATUS Junk (MESSAGES)'), ['* STATUS "Junk" (MESSAGES 0)']);
    assert.match(await c.command('c', 'UID COPY 3 Junk'), /^c NO \[OVERQUOTA\] /m);
    // A MOVE frees what it takes: usage is unchanged, so it succeeds at the limit...
    await setAccountQuota(imap().heron.store, id, { storageBytes: 4500, messages: 3 });
    const moved = await c.command('m', 'MOVE 1:2 Junk');
    assert.match(moved, /^m OK /m);
    assert.match(moved, /\* OK \[COPYUID \d+ 1:2 1:2\]/);
    assert.deepEqual(await assertExact(id), { messages: 3, bytes: 4500 });
    // ...and even when an administrator has lowered the limit below the usage.
    await setAccountQuota(imap().heron.store, id, { storageBytes: 1000, messages: 1 });
    assert.match(await c.command('m', 'UID MOVE 3 Trash'), /^m OK /m);
    await ok(c, 'SELECT Junk');
    assert.match(await c.command('c', 'COPY 1 Trash'), /^c NO \[OVERQUOTA\] /m);
    assert.deepEqual(await ok(c, 'STATUS Trash (MESSAGES)'), ['* STATUS "Trash" (MESSAGES 1)']);
    assert.deepEqual(await assertExact(id), { messages: 3, bytes: 4500 });
  });

  test('DELETE of a mailbox and RENAME of INBOX keep the usage exact', DEADLINE, async () => {
    const { user, id } = await imap().account();
    const c = await imap().login(user);
    await ok(c, 'CREATE Work/2024');
    await imap().deliver(id, 'Work', sized('w1', 1200));
    await imap().deliver(id, 'Work/2024', sized('w2', 1300));
    await imap().deliver(id, 'INBOX', sized('i1', 1400));
    await imap().deliver(id, 'INBOX', sized('i2', 1500));
    assert.deepEqual(await assertExact(id), { messages: 4, bytes: 5400 });
    await ok(c, 'DELETE Work'); // has a child: messages removed, name kept as \Noselect
    assert.deepEqual(await assertExact(id), { messages: 3, bytes: 4200 });
    await ok(c, 'DELETE Work/2024');
    assert.deepEqual(await assertExact(id), { messages: 2, bytes: 2900 });
    // RENAME INBOX moves its messages: at the limit, it still works.
    await setAccountQuota(imap().heron.store, id, { messages: 2, storageBytes: 2900 });
    await ok(c, 'RENAME INBOX Old');
    assert.deepEqual(await ok(c, 'STATUS Old (MESSAGES)'), ['* STATUS "Old" (MESSAGES 2)']);
    assert.deepEqual(await assertExact(id), { messages: 2, bytes: 2900 });
  });

  test('concurrent APPENDs racing the limit: never past it, usage exact', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await setAccountQuota(imap().heron.store, id, { messages: 4, storageBytes: 5 * 1000 });
    await imap().deliver(id, 'INBOX', sized('first', 1000));
    const clients = await Promise.all(Array.from({ length: 8 }, () => imap().login(user)));
    // Every client sends its APPEND before any reply is read.
    for (const [i, c] of clients.entries()) c.write(`r${i} APPEND ${i % 2 ? 'INBOX' : 'Drafts'} {1000+}\r\n${sized(`race ${i}`, 1000)}\r\n`);
    const replies = await Promise.all(clients.map((c, i) => c.waitTagged(`r${i}`)));
    const okCount = replies.filter((r) => /^r\d+ OK /m.test(r)).length;
    const refused = replies.filter((r) => /^r\d+ NO \[OVERQUOTA\] /m.test(r)).length;
    assert.equal(okCount, 3, replies.join(''));
    assert.equal(refused, 5, replies.join(''));
    assert.deepEqual(await assertExact(id), { messages: 4, bytes: 4000 });
    // Racing the storage limit instead (the message limit lifted): 1000 bytes of room left.
    await setAccountQuota(imap().heron.store, id, { messages: null });
    for (const [i, c] of clients.entries()) c.write(`s${i} APPEND INBOX {1000+}\r\n${sized(`storage race ${i}`, 1000)}\r\n`);
    const second = await Promise.all(clients.map((c, i) => c.waitTagged(`s${i}`)));
    assert.equal(second.filter((r) => /^s\d+ OK /m.test(r)).length, 1, second.join(''));
    assert.deepEqual(await assertExact(id), { messages: 5, bytes: 5000 });
  });

  test('pipelined APPENDs (stored in one transaction when they arrive together) are each answered as if alone', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await setAccountQuota(imap().heron.store, id, { messages: 3 });
    const c = await imap().login(user);
    const lit = (subject: string) => {
      const raw = message(subject, subject);
      return `{${Buffer.byteLength(raw)}+}\r\n${raw}`;
    };
    // One write: a single APPEND, a MULTIAPPEND that does not fit, two that fit, one past the limit.
    c.write(
      [
        `p1 APPEND INBOX ${lit('one')}`,
        `p2 APPEND INBOX ${lit('two')} ${lit('three')} ${lit('four')}`,
        `p3 APPEND Drafts ${lit('five')}`,
        `p4 APPEND INBOX ${lit('six')}`,
        `p5 APPEND INBOX ${lit('seven')}`,
      ].join('\r\n') + '\r\n',
    );
    // p5 is answered last: everything up to it holds the other four.
    const text = await c.waitTagged('p5');
    assert.match(text, /^p1 OK \[APPENDUID \d+ 1\] /m);
    assert.match(text, /^p2 NO \[OVERQUOTA\] /m);
    assert.match(text, /^p3 OK \[APPENDUID \d+ 1\] /m);
    // The refused MULTIAPPEND took no UIDs.
    assert.match(text, /^p4 OK \[APPENDUID \d+ 2\] /m);
    assert.match(text, /^p5 NO \[OVERQUOTA\] /m);
    // Answered in the order sent.
    const order = [...text.matchAll(/^(p\d) /gm)].map((m) => m[1]);
    assert.deepEqual(order, ['p1', 'p2', 'p3', 'p4', 'p5']);
    assert.equal((await assertExact(id)).messages, 3);
    const subjects = await imap().heron.store.column<string>(`SELECT subject FROM mail WHERE mail_account_id = ? ORDER BY id`, id);
    assert.deepEqual(subjects, ['one', 'five', 'six']);
  });

  test('STATUS DELETED and DELETED-STORAGE (RFC 9208 §4.3; KiB like STORAGE)', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', sized('d1', 3000), ['\\Deleted']);
    await imap().deliver(id, 'INBOX', sized('d2', 3000), ['\\Deleted', '\\Seen']);
    await imap().deliver(id, 'INBOX', sized('k', 5000), ['\\Seen']);
    const c = await imap().login(user);
    assert.deepEqual(await ok(c, 'STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)'), ['* STATUS "INBOX" (MESSAGES 3 DELETED 2 DELETED-STORAGE 5)']);
    assert.deepEqual(await ok(c, 'STATUS Sent (DELETED DELETED-STORAGE)'), ['* STATUS "Sent" (DELETED 0 DELETED-STORAGE 0)']);
  });
  test('MULTIAPPEND and REPLACE obey the limit: a batch over it stores nothing; a replacement is charged the difference', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await setAccountQuota(imap().heron.store, id, { messages: 2 });
    const c = await imap().login(user);
    const one = message('one', 'first');
    const two = message('two', 'second');
    const three = message('three', 'third');
    const batch = (tag: string, raws: string[]) => c.command(tag, `APPEND INBOX ${raws.map((r) => `{${Buffer.byteLength(r)}+}\r\n${r}`).join(' ')}`);
    assert.match(await batch('m1', [one, two, three]), /m1 NO \[OVERQUOTA\]/);
    assert.deepEqual(await assertExact(id), { messages: 0, bytes: 0 });
    assert.match(await batch('m2', [one, two]), /m2 OK \[APPENDUID \d+ 1:2\]/);
    assert.equal((await assertExact(id)).messages, 2);
    // At the message limit, replacing one message with another still fits.
    assert.match(await c.command('s', 'SELECT INBOX'), /s OK/);
    assert.match(await c.command('r', `REPLACE 1 INBOX {${Buffer.byteLength(three)}+}\r\n${three}`), /r OK/);
    assert.equal((await assertExact(id)).messages, 2);
  });
});
