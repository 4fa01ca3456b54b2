// Property tests: random JSON bodies sent to every write route, and random
// query strings sent to every list route, never produce a 500; a rejected
// request changes nothing stored; another user or an anonymous caller never
// changes the owner's rows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { api, type Api, buildWorld, type Reply, snapshot, type TestHeron, useHeron, type World } from './client.ts';

const TYPES = ['user_account', 'mail_server', 'mail_account', 'mail_box', 'mail', 'outbox', 'certificate'];
const ATTRIBUTES = [
  'name', 'email', 'password', 'is_admin', 'hostname', 'is_enabled', 'listen_interface', 'max_size', 'max_clients', 'username', 'password_md5',
  'subscribed', 'uidvalidity', 'nextuid', 'attributes', 'flags', 'permanent_flags', 'mail', 'seen', 'deleted', 'internal_date', 'spam_score',
  'certificate_pem', 'private_key_pem', 'root_certificate', 'alt_names', 'acme_email', 'page_size', 'page_number', 'hostname ',
];
const RELATIONS = ['mail_server_id', 'mail_account_id', 'mail_box_id', 'user_account_id', 'mail_box', 'owner'];
const COLUMNS = ['name', 'subject', 'uid', 'seen', 'created_at', 'mail_account_id', 'id', 'password_hash', 'flags', 'nope', 'internal_date', 'size'];
const OPERATORS = ['is', 'is not', 'in', 'not in', 'contains', 'not contains', 'begins with', 'ends with', 'before', 'after', 'is empty', 'is not empty', 'is true', 'is false', 'less than', 'more than', 'like', 'bogus'];

function assertSane(reply: Reply, what: string): void {
  assert.ok(reply.status < 500, `${what}: ${reply.status} ${reply.text}`);
  if (reply.status >= 400) {
    assert.ok(Array.isArray(reply.body?.errors), `${what}: error document ${reply.text}`);
    assert.doesNotMatch(reply.text, /\n\s+at |node_modules/);
  }
}

describe('property: random input never breaks the API', () => {
  let heron: TestHeron;
  let a: Api;
  let w: World;
  let ids: string[];
  let certId: string;

  useHeron(async (h) => {
    heron = h;
    a = api(heron);
    w = await buildWorld(a);
    certId = (await a.get('/api/certificate', w.admin)).body.data[0].id;
    ids = [certId, w.ownerAccountId, w.ownerInboxId, w.ownerMailId, w.ownerUserId, w.serverId, w.otherInboxId, '00000000-0000-0000-0000-000000000000'];
  });

  const ownerRows: Array<[string, () => string]> = [
    ['user_account', () => w.ownerUserId],
    ['mail_account', () => w.ownerAccountId],
    ['mail_box', () => w.ownerInboxId],
    ['mail', () => w.ownerMailId],
    ['mail_server', () => w.serverId],
    ['certificate', () => certId],
    ['outbox', () => '00000000-0000-0000-0000-000000000000'],
  ];

  const documents = () =>
    fc.record(
      {
        data: fc.record(
          {
            type: fc.oneof(fc.constantFrom(...TYPES), fc.string()),
            id: fc.oneof(fc.constantFrom(...ids), fc.string()),
            attributes: fc.dictionary(fc.oneof(fc.constantFrom(...ATTRIBUTES), fc.string()), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
            relationships: fc.dictionary(
              fc.constantFrom(...RELATIONS),
              fc.oneof(fc.record({ data: fc.oneof(fc.constant(null), fc.record({ type: fc.constantFrom(...TYPES), id: fc.constantFrom(...ids) })) }), fc.jsonValue({ maxDepth: 2 })),
              { maxKeys: 3 },
            ),
          },
          { requiredKeys: [] },
        ),
        attributes: fc.dictionary(fc.constantFrom(...ATTRIBUTES), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        mail_box_id: fc.constantFrom(...ids),
        certificate_id: fc.constantFrom(...ids),
      },
      { requiredKeys: [] },
    );
  const bodies = () => fc.oneof(documents().map((d) => JSON.stringify(d)), fc.json(), fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)));

  const writeRoutes = (): Array<[string, string]> => [
    ...TYPES.map((t): [string, string] => ['POST', `/api/${t}`]),
    ...ownerRows.map(([t, id]): [string, string] => ['PATCH', `/api/${t}/${id()}`]),
    ['POST', '/action/mail_box/status'],
    ['POST', '/action/mail_server/sync_mail_servers'],
    ['POST', '/action/certificate/generate_self_certificate'],
    ['POST', '/action/certificate/download_certificate'],
    ['POST', '/action/certificate/download_public_key'],
    ['POST', '/action/user_account/signup'],
    ['POST', '/action/user_account/signin'],
  ];

  test('random bodies to every write route: never a 500; rejected or unauthorised writes change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writeRoutes()), fc.constantFrom('admin', 'owner', 'other', 'anonymous'), bodies(), async ([method, path], who, raw) => {
        const token = who === 'anonymous' ? undefined : w[who as 'admin' | 'owner' | 'other'];
        const before = await snapshot(heron);
        const reply = await a.request(method, path, { token, raw });
        assertSane(reply, `${method} ${path} as ${who}`);
        const unauthorised = (who === 'other' || who === 'anonymous') && !path.endsWith('/signin') && !path.endsWith('/signup');
        if (unauthorised && path.startsWith('/api/')) assert.ok(reply.status >= 400, `${who} changed ${path}: ${reply.text}`);
        if (reply.status >= 400) assert.equal(await snapshot(heron), before, `${method} ${path} as ${who} answered ${reply.status} but changed rows`);
      }),
      { numRuns: 300 },
    );
  });

  test('random query strings to every list route: never a 500, never a change', async () => {
    const queryValue = fc.oneof(
      fc.string(),
      fc.array(
        fc.record({ column: fc.constantFrom(...COLUMNS), operator: fc.constantFrom(...OPERATORS), value: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: ['column', 'operator'] }),
        { maxLength: 3 },
      ).map((v) => JSON.stringify(v)),
    );
    const params = fc.dictionary(
      fc.constantFrom('page[number]', 'page[size]', 'sort', 'fields', 'fields[mail_box]', 'include', 'included_relations', 'query', 'filter', 'filter[name]', 'filter[uid]', 'filter[password_hash]', 'token', 'x'),
      fc.oneof(queryValue, fc.constantFrom('1', '0', '-1', '500', '501', 'name,-uid', 'mail_account_id', '-created_at', 'abc', '%', '')),
      { maxKeys: 5 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...TYPES), fc.constantFrom('admin', 'owner', 'other'), params, async (type, who, query) => {
        const before = await snapshot(heron);
        const qs = new URLSearchParams(query).toString();
        const reply = await a.get(`/api/${type}?${qs}`, w[who as 'admin' | 'owner' | 'other']);
        assertSane(reply, `GET /api/${type}?${qs}`);
        assert.ok(reply.status === 200 || reply.status === 400 || reply.status === 401, `${reply.status} ${reply.text}`);
        assert.equal(await snapshot(heron), before);
      }),
      { numRuns: 300 },
    );
  });
});
