// List parameters: pagination with links and totals, sort, fields, include and
// included_relations, filter, and every Daptin `query` operator.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { api, type Api, buildWorld, type TestHeron, useHeron, type World } from './client.ts';

const SUBJECTS = ['Alpha', 'Beta', 'Gamma', 'Delta', '100% off', 'under_score'];

describe('list parameters', () => {
  let heron: TestHeron;
  let a: Api;
  let w: World;
  let box: string;

  useHeron(async (h) => {
    heron = h;
    a = api(heron);
    w = await buildWorld(a);
    box = (await a.post('/api/mail_box', w.admin, {
      data: { type: 'mail_box', attributes: { name: 'Query' }, relationships: { mail_account_id: { data: { type: 'mail_account', id: w.ownerAccountId } } } },
    })).body.data.id;
    for (const [i, subject] of SUBJECTS.entries()) {
      const headers = `From: s${i}@remote.test\r\nTo: owner@heron.test\r\nSubject: ${subject}\r\n${i === 0 ? '' : `Message-ID: <m${i}@remote.test>\r\n`}`;
      await a.create(
        w.admin,
        'mail',
        { mail: `${headers}\r\n${'x'.repeat(i * 10)}\r\n`, internal_date: `2026-01-0${i + 1}T00:00:00Z`, seen: i % 2 === 0 },
        { mail_box_id: { type: 'mail_box', id: box } },
      );
    }
  });

  async function subjects(conditions: unknown[], extra = ''): Promise<string[]> {
    const all = [{ column: 'mail_box_id', operator: 'is', value: box }, ...conditions];
    const reply = await a.get(`/api/mail?query=${encodeURIComponent(JSON.stringify(all))}&sort=uid${extra}`, w.admin);
    assert.equal(reply.status, 200, reply.text);
    return reply.body.data.map((d: { attributes: { subject: string } }) => d.attributes.subject);
  }

  test('every query operator', async () => {
    const c = (column: string, operator: string, value?: unknown) => [{ column, operator, ...(value === undefined ? {} : { value }) }];
    assert.deepEqual(await subjects(c('subject', 'is', 'Beta')), ['Beta']);
    assert.deepEqual(await subjects(c('subject', 'is not', 'Beta')), SUBJECTS.filter((s) => s !== 'Beta'));
    assert.deepEqual(await subjects(c('subject', 'in', ['Beta', 'Delta', 'Nope'])), ['Beta', 'Delta']);
    assert.deepEqual(await subjects(c('subject', 'in', 'Beta,Gamma')), ['Beta', 'Gamma']);
    assert.deepEqual(await subjects(c('subject', 'not in', ['Alpha', 'Beta'])), ['Gamma', 'Delta', '100% off', 'under_score']);
    assert.deepEqual(await subjects(c('subject', 'contains', 'ELT')), ['Delta']);
    assert.deepEqual(await subjects(c('subject', 'contains', '%')), ['100% off'], '% is literal');
    assert.deepEqual(await subjects(c('subject', 'contains', '_')), ['under_score'], '_ is literal');
    assert.deepEqual(await subjects(c('subject', 'not contains', 'a')), ['100% off', 'under_score']);
    assert.deepEqual(await subjects(c('subject', 'begins with', 'ga')), ['Gamma']);
    assert.deepEqual(await subjects(c('subject', 'ends with', 'ta')), ['Beta', 'Delta']);
    assert.deepEqual(await subjects(c('internal_date', 'before', '2026-01-03T00:00:00Z')), ['Alpha', 'Beta']);
    assert.deepEqual(await subjects(c('internal_date', 'after', '2026-01-04T00:00:00Z')), ['100% off', 'under_score']);
    assert.deepEqual(await subjects(c('message_id', 'is empty')), ['Alpha']);
    assert.deepEqual(await subjects(c('message_id', 'is not empty')), SUBJECTS.slice(1));
    assert.deepEqual(await subjects(c('seen', 'is true')), ['Alpha', 'Gamma', '100% off']);
    assert.deepEqual(await subjects(c('seen', 'is false')), ['Beta', 'Delta', 'under_score']);
    assert.deepEqual(await subjects(c('uid', 'less than', 3)), ['Alpha', 'Beta']);
    assert.deepEqual(await subjects(c('uid', 'more than', '4')), ['100% off', 'under_score']);
    assert.deepEqual(await subjects(c('subject', 'like', '_e%a')), ['Beta', 'Delta']);
    assert.deepEqual(await subjects(c('seen', 'is', true)), ['Alpha', 'Gamma', '100% off']);
    assert.deepEqual(await subjects(c('recent', 'is true')), SUBJECTS, 'no IMAP session has seen them yet');
    assert.deepEqual(await subjects([...c('seen', 'is false'), ...c('uid', 'more than', 2)]), ['Delta', 'under_score'], 'conditions combine with AND');
  });

  test('query on relationships by UUID, on the reference id and on Daptin aliases', async () => {
    const q = encodeURIComponent(JSON.stringify([{ column: 'mail_account_id', operator: 'is', value: w.ownerAccountId }, { column: 'nextuid', operator: 'more than', value: 6 }]));
    const reply = await a.get(`/api/mail_box?query=${q}`, w.admin);
    assert.deepEqual(reply.body.data.map((d: { attributes: { name: string } }) => d.attributes.name), ['Query']);
    const byId = await a.get(`/api/mail_box?query=${encodeURIComponent(JSON.stringify([{ column: 'id', operator: 'is', value: box }]))}`, w.admin);
    assert.equal(byId.body.data[0].id, box);
    const notIn = await a.get(`/api/mail_account?query=${encodeURIComponent(JSON.stringify([{ column: 'user_account_id', operator: 'not in', value: [w.ownerUserId] }]))}`, w.admin);
    assert.ok(notIn.body.data.every((d: { id: string }) => d.id !== w.ownerAccountId));
    assert.ok(notIn.body.data.some((d: { id: string }) => d.id === w.otherAccountId));
  });

  test('pagination: page[number], page[size], links and totals', async () => {
    const q = encodeURIComponent(JSON.stringify([{ column: 'mail_box_id', operator: 'is', value: box }]));
    const seen: string[] = [];
    let path: string | null = `/api/mail?query=${q}&page[size]=4&sort=-uid`;
    let pages = 0;
    while (path) {
      const reply = await a.get(path, w.admin);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.meta.total_count, 6);
      assert.equal(reply.body.meta.page.count, 2);
      seen.push(...reply.body.data.map((d: { attributes: { subject: string } }) => d.attributes.subject));
      if (pages === 0) assert.equal(reply.body.links.prev, null);
      path = reply.body.links.next;
      pages++;
    }
    assert.equal(pages, 2);
    assert.deepEqual(seen, [...SUBJECTS].reverse());
    const last = await a.get(`/api/mail?query=${q}&page[size]=4&page[number]=9`, w.admin);
    assert.equal(last.status, 200);
    assert.deepEqual(last.body.data, []);
    assert.match(last.body.links.last, /page%5Bnumber%5D=2/);
  });

  test('sort, fields, include, included_relations and filter', async () => {
    const sorted = await a.get(`/api/mail_box?filter[mail_account_id]=${w.ownerAccountId}&sort=-name&fields=name`, w.admin);
    const names = sorted.body.data.map((d: { attributes: Record<string, unknown> }) => d.attributes.name);
    assert.deepEqual(names, [...names].sort().reverse());
    assert.deepEqual(Object.keys(sorted.body.data[0].attributes), ['name']);
    const inc = await a.get(`/api/mail_box?filter[name]=Query&include=mail_account_id&fields[mail_account]=username`, w.admin);
    assert.deepEqual(inc.body.included, [
      { type: 'mail_account', id: w.ownerAccountId, attributes: { username: 'owner@heron.test' }, relationships: {}, links: { self: `/api/mail_account/${w.ownerAccountId}` } },
    ]);
    const many = await a.get(`/api/mail_box/${box}?included_relations=mail`, w.admin);
    assert.equal(many.status, 200);
    assert.equal(many.body.included.length, SUBJECTS.length);
    assert.ok(many.body.included.every((r: { type: string }) => r.type === 'mail'));
    const text = await a.get(`/api/mail?filter=amm`, w.admin);
    assert.deepEqual(text.body.data.map((d: { attributes: { subject: string } }) => d.attributes.subject), ['Gamma']);
    const related = await a.get(`/api/mail_box/${box}/mail?page[size]=2`, w.admin);
    assert.equal(related.body.meta.total_count, 6);
    assert.equal(related.body.data.length, 2);
    const linkage = await a.get(`/api/mail_box/${box}/relationships/mail_account_id`, w.admin);
    assert.deepEqual(linkage.body.data, { type: 'mail_account', id: w.ownerAccountId });
    const toMany = await a.get(`/api/mail_account/${w.ownerAccountId}/relationships/mail_box`, w.admin);
    assert.ok(toMany.body.data.some((d: { id: string }) => d.id === box));
    const toOne = await a.get(`/api/mail_box/${box}/mail_account_id`, w.admin);
    assert.equal(toOne.body.data.attributes.username, 'owner@heron.test');
  });
});
