// POST /v1/account/:account/search with EmailEngine's search object: every
// key, as IMAP SEARCH answers it (flags, addresses with decoded names,
// decoded subjects and bodies, sizes, UID and sequence sets, MODSEQ, arrival
// and sent dates, headers, emailId/threadId), ANDed, newest first and paged;
// bad input is EmailEngine's 400 with the fields, Gmail-only keys a 422.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertMailApiError, type MailWorld, OWNER, useMailWorld } from './world.ts';

const day = (d: string) => Date.parse(`${d}T12:00:00Z`);

const MESSAGES = [
  {
    raw:
      'From: Alice <alice@a.test>\r\nTo: owner@heron.test\r\nSubject: Quarterly report\r\nDate: Sat, 10 Jan 2026 09:00:00 +0000\r\n' +
      'Message-ID: <m1@a.test>\r\nX-Priority: 1\r\n\r\nThe numbers are inside.\r\n',
    flags: ['\\Seen', '\\Answered'],
    arrived: day('2026-01-10'),
  },
  {
    raw:
      'From: Bob <bob@b.test>\r\nTo: owner@heron.test\r\nCc: Carol <carol@c.test>\r\nBcc: dave@d.test\r\nSubject: Lunch?\r\n' +
      'Date: Sun, 15 Feb 2026 23:30:00 -0500\r\nMessage-ID: <m2@b.test>\r\n\r\nPizza at noon.\r\n' +
      'x'.repeat(20_000) +
      '\r\n',
    flags: ['\\Flagged'],
    arrived: day('2026-02-16'),
  },
  {
    raw:
      'From: =?UTF-8?Q?=C3=84gon?= <agon@e.test>\r\nTo: x@e.test\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nDate: Sun, 1 Mar 2026 10:00:00 +0000\r\n' +
      'Message-ID: <m3@e.test>\r\nIn-Reply-To: <m1@a.test>\r\nReferences: <m1@a.test>\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      'Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe aus K=C3=B6ln\r\n',
    flags: ['\\Draft', '\\Deleted'],
    arrived: day('2026-03-01'),
  },
  {
    raw: 'From: Bob <bob@b.test>\r\nTo: owner@heron.test\r\nSubject: Re: Lunch?\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMessage-ID: <m4@b.test>\r\nReferences: <m2@b.test>\r\n\r\nSee you.\r\n',
    flags: [],
    arrived: day('2026-03-02'),
  },
];

describe('mail API: search', () => {
  let w: MailWorld;
  const ids: string[] = [];
  useMailWorld(async (world) => {
    w = world;
    await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Search' });
    for (const m of MESSAGES) ids.push(await w.deliver(OWNER, 'Search', m.raw, { flags: m.flags, internalDate: m.arrived }));
  });

  /** Which of the four messages (1-4) a search finds, in the answer's order. */
  async function found(search: Record<string, unknown>, query = ''): Promise<number[]> {
    const reply = await w.call('POST', `/v1/account/${OWNER}/search?path=Search${query}`, w.owner, { search });
    assert.equal(reply.status, 200, `${JSON.stringify(search)}: ${reply.text}`);
    return (reply.body.messages as Array<{ id: string }>).map((m) => ids.indexOf(m.id) + 1);
  }

  test('flags', async () => {
    assert.deepEqual(await found({}), [4, 3, 2, 1]);
    assert.deepEqual(await found({ seen: true }), [1]);
    assert.deepEqual(await found({ unseen: true }), [4, 3, 2]);
    assert.deepEqual(await found({ unseen: false }), [1]);
    assert.deepEqual(await found({ seen: 'N' }), [4, 3, 2]);
    assert.deepEqual(await found({ answered: true }), [1]);
    assert.deepEqual(await found({ flagged: 'true' }), [2]);
    assert.deepEqual(await found({ draft: true }), [3]);
    assert.deepEqual(await found({ deleted: 1 }), [3]);
    assert.deepEqual(await found({ deleted: false, draft: false }), [4, 2, 1]);
  });

  test('addresses, subject and body, decoded', async () => {
    assert.deepEqual(await found({ from: 'alice' }), [1]);
    assert.deepEqual(await found({ from: 'Ägon' }), [3]);
    assert.deepEqual(await found({ from: 'bob@b.test' }), [4, 2]);
    assert.deepEqual(await found({ to: 'x@e.test' }), [3]);
    assert.deepEqual(await found({ cc: 'carol' }), [2]);
    assert.deepEqual(await found({ bcc: 'dave' }), [2]);
    assert.deepEqual(await found({ subject: 'report' }), [1]);
    assert.deepEqual(await found({ subject: 'grüße' }), [3]);
    assert.deepEqual(await found({ subject: '' }), [4, 3, 2, 1]);
    assert.deepEqual(await found({ body: 'pizza' }), [2]);
    assert.deepEqual(await found({ body: 'Köln' }), [3]);
    assert.deepEqual(await found({ from: 'bob', flagged: true }), [2]);
  });

  test('sizes, UID and sequence sets, MODSEQ', async () => {
    assert.deepEqual(await found({ larger: 10_000 }), [2]);
    assert.deepEqual(await found({ smaller: 1000 }), [4, 3, 1]);
    assert.deepEqual(await found({ uid: '1:2' }), [2, 1]);
    assert.deepEqual(await found({ uid: '3,4' }), [4, 3]);
    assert.deepEqual(await found({ seq: '3:*' }), [4, 3]);
    const changed = await w.call('PUT', `/v1/account/${OWNER}/message/${ids[3]}`, w.owner, { flags: { add: ['$Marked'] } });
    assert.equal(changed.status, 200);
    const highest = await w.heron.store.get<{ m: number }>(`SELECT max(modseq) AS m FROM mail WHERE mail_account_id = ?`, w.ownerAccount.id);
    assert.deepEqual(await found({ modseq: Number(highest!.m) }), [4]);
  });

  test('arrival and sent dates (days, as IMAP compares them)', async () => {
    assert.deepEqual(await found({ since: '2026-02-16' }), [4, 3, 2]);
    assert.deepEqual(await found({ before: '2026-01-11' }), [1]);
    assert.deepEqual(await found({ since: Date.parse('2026-03-01T00:00:00Z'), before: '2026-03-02' }), [3]);
    // Message 2 was sent on 15 February in its own zone (RFC 3501 §6.4.4), the 16th in UTC.
    assert.deepEqual(await found({ sentSince: '2026-02-15', sentBefore: '2026-02-16' }), [2]);
    assert.deepEqual(await found({ sentBefore: '2026-01-11' }), [1]);
  });

  test('headers, emailId and threadId', async () => {
    assert.deepEqual(await found({ header: { 'X-Priority': '1' } }), [1]);
    assert.deepEqual(await found({ header: { 'x-priority': true } }), [1]);
    assert.deepEqual(await found({ header: { 'Message-ID': '<m4@b.test>' } }), [4]);
    const listed = (await w.call('GET', `/v1/account/${OWNER}/messages?path=Search`, w.owner)).body.messages as Array<{ id: string; emailId: string; threadId: string }>;
    const of = (n: number) => listed.find((m) => m.id === ids[n - 1])!;
    assert.deepEqual(await found({ emailId: of(2).emailId }), [2]);
    assert.deepEqual(await found({ emailIds: [of(1).emailId, of(4).emailId] }), [4, 1]);
    assert.deepEqual(await found({ emailIds: of(3).emailId }), [3]);
    // Replies share the thread of the message they answer.
    assert.equal(of(1).threadId, of(3).threadId);
    assert.equal(of(2).threadId, of(4).threadId);
    assert.notEqual(of(1).threadId, of(2).threadId);
    assert.deepEqual(await found({ threadId: of(2).threadId }), [4, 2]);
    assert.deepEqual(await found({ threadId: of(1).threadId, seen: false }), [3]);
  });

  test('paging over the results', async () => {
    const reply = await w.call('POST', `/v1/account/${OWNER}/search?path=Search&pageSize=1&page=1`, w.owner, { search: { unseen: true } });
    assert.equal(reply.body.total, 3);
    assert.equal(reply.body.pages, 3);
    assert.equal(reply.body.page, 1);
    assert.deepEqual(
      reply.body.messages.map((m: { id: string }) => m.id),
      [ids[2]],
    );
    assert.ok(reply.body.nextPageCursor && reply.body.prevPageCursor);
    assert.deepEqual(await found({ unseen: true }, `&pageSize=1&cursor=${reply.body.nextPageCursor}`), [2]);
  });

  test('bad input: 400 with the fields; Gmail-only keys 422', async () => {
    const unknown = await w.call('POST', `/v1/account/${OWNER}/search?path=Search`, w.owner, { search: { sender: 'x' } });
    assertMailApiError(unknown, 400);
    assert.ok(Array.isArray(unknown.body.fields), unknown.text);
    for (const search of [{ seq: 'abc' }, { uid: '0:3' }, { since: 'yesterday' }, { larger: -1 }, { header: { 'X-A': 5 } }, { unseen: 'maybe' }, { body: 'x'.repeat(300) }]) {
      assertMailApiError(await w.call('POST', `/v1/account/${OWNER}/search?path=Search`, w.owner, { search }), 400);
    }
    assertMailApiError(await w.call('POST', `/v1/account/${OWNER}/search?path=Search`, w.owner, {}), 400);
    assertMailApiError(await w.call('POST', `/v1/account/${OWNER}/search`, w.owner, { search: {} }), 400);
    assertMailApiError(await w.call('POST', `/v1/account/${OWNER}/search?path=Search`, w.owner, { search: { gmailRaw: 'has:attachment' } }), 422);
    assertMailApiError(await w.call('POST', `/v1/account/${OWNER}/search?path=Search`, w.owner, { search: { labels: { has: ['Work'] } } }), 422);
    assertMailApiError(await w.call('POST', `/v1/account/${OWNER}/search?path=Search`, w.owner, { search: {}, documentQuery: { a: 1 } }), 400);
  });
});
