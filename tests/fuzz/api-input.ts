// Fuzz targets for the API's input layer: request bodies read as JSON,
// JSON:API write documents checked against each resource type, list query
// parameters, the Content-Type rule. Each answers with its value or an
// HttpError (JSON:API errors[] with a 4xx status), never anything else.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import querystring from 'node:querystring';
import fc from 'fast-check';
import Koa, { type Context } from 'koa';
import { loadSecret } from '../../certs/secret.ts';
import { readJson } from '../../server/api/body.ts';
import { HttpError } from '../../server/api/errors.ts';
import { checkContentType } from '../../server/api/media.ts';
import { MAX_PAGE_SIZE, parseListParams } from '../../server/api/query/params.ts';
import { RESOURCES } from '../../server/api/resources/index.ts';
import { readWriteInput } from '../../server/api/resources/input.ts';
import type { ApiServices } from '../../server/api/resources/types.ts';
import { createMailAccount, createUserAccount, queryableColumns, StoreError, type UserAccountRow } from '../../schema/index.ts';
import { storeFixture } from '../helpers/store.ts';
import type { FuzzTarget } from './target.ts';

const DEFS = Object.values(RESOURCES);

/** A client mistake: HttpError with a 4xx status (or a store refusal the error middleware maps to one). */
function isClientError(err: unknown): boolean {
  if (err instanceof HttpError) return err.status >= 400 && err.status < 500;
  return err instanceof StoreError;
}

async function expectValueOrClientError<T>(run: () => Promise<T> | T): Promise<T | undefined> {
  try {
    return await run();
  } catch (err) {
    if (!isClientError(err)) throw err;
    return undefined;
  }
}

// ------------------------------------------------------------------ bodies

const jsonText = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 30 }),
  fc.constantFrom('', ' ', '\n', '{', '[]', 'null', '{"data":', '\uFEFF{}', '{"a":1}{"b":2}', '1e999999', '"\\ud800"', '{"__proto__":{"x":1}}'),
);

const KOA = new Koa();

/**
 * A real Koa context over a real IncomingMessage carrying `chunks` (Node's
 * HTTP parser is not involved: the body is pushed as it would arrive).
 */
function contextWithBody(chunks: Buffer[], declaredLength: number | null): Context {
  const req = new http.IncomingMessage(new net.Socket());
  req.method = 'POST';
  req.url = '/fuzz';
  req.headers = { 'content-type': 'application/json', ...(declaredLength === null ? {} : { 'content-length': String(declaredLength) }) };
  for (const chunk of chunks) req.push(chunk);
  req.push(null);
  return KOA.createContext(req, new http.ServerResponse(req));
}


export const apiBodyTarget: FuzzTarget = {
  name: 'api-body',
  claim: 'any request body, in any chunks, under any limit, with or without its length declared: its JSON value, or 400 (empty, not JSON) or 413 (over the limit)',
  open: () => ({
    property: fc.asyncProperty(jsonText, fc.array(fc.nat(), { maxLength: 4 }), fc.integer({ min: 0, max: 200 }), fc.boolean(), async (text, cuts, limit, declared) => {
      const bytes = Buffer.from(text, 'utf8');
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunks = [...points, bytes.length].map((p, i, all) => bytes.subarray(i ? all[i - 1] : 0, p)).filter((c) => c.length);
      let expected: unknown;
      let status = 0;
      if (bytes.length > limit) status = 413;
      else if (text.trim() === '') status = 400;
      else {
        try {
          expected = JSON.parse(text);
        } catch {
          status = 400;
        }
      }
      try {
        const value = await readJson(contextWithBody(chunks, declared ? bytes.length : null), limit);
        assert.equal(status, 0, `expected ${status}`);
        assert.deepEqual(value, expected);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        assert.equal(err.status, status, err.message);
      }
    }),
  }),
};

export const apiContentTypeTarget: FuzzTarget = {
  name: 'api-content-type',
  claim: 'any Content-Type: accepted when JSON:API (ext/profile parameters only) or JSON, else 415',
  open: () => ({
    property: fc.property(
      fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom('application/vnd.api+json', 'application/json', 'APPLICATION/VND.API+JSON; ext="x"', 'application/vnd.api+json; charset=utf-8', 'text/plain', '', ';', 'application/json;;'),
      ),
      (header) => {
        const ctx = { get: (name: string) => (name.toLowerCase() === 'content-type' ? header : '') } as unknown as Context;
        try {
          checkContentType(ctx);
          assert.match(header.split(';')[0].trim().toLowerCase(), /^application\/(vnd\.api\+)?json$/);
        } catch (err) {
          assert.ok(err instanceof HttpError && err.status === 415, String(err));
        }
      },
    ),
  }),
};

// ------------------------------------------------------------------ list parameters

const KEYS = ['page[number]', 'page[size]', 'page[limit]', 'sort', 'fields', 'fields[mail_box]', 'fields[__proto__]', 'include', 'included_relations', 'query', 'filter', 'filter[name]', 'filter[id]', 'filter[password_hash]', 'filter[]', 'x', 'constructor', '__proto__'];
const VALUES = ['1', '0', '-1', '500', '501', '999999999999', '1.5', 'name,-uid', '-created_at', '+name', 'id', ',', '', 'mail_account_id', 'nope', '%', '[]', '[{"column":"name","operator":"is","value":"x"}]', '[{"column":"id","operator":"in","value":[1,"a"]}]', '[{"column":"x"}]', '{"a":1}', 'null', '[null]'];

const queryString = fc
  .array(
    fc.tuple(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...KEYS) }, fc.string({ maxLength: 12 })),
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...VALUES) }, fc.string({ maxLength: 20 }), fc.json({ maxDepth: 2 })),
    ),
    { maxLength: 6 },
  )
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

export const apiQueryTarget: FuzzTarget = {
  name: 'api-query',
  claim: 'any query string on any list route: parameters within the documented bounds and whitelists, or 400',
  open: () => ({
    property: fc.property(fc.constantFrom(...DEFS), fc.oneof(queryString, fc.string({ maxLength: 60 })), (def, qs) => {
      let params;
      try {
        params = parseListParams(querystring.parse(qs), def);
      } catch (err) {
        assert.ok(err instanceof HttpError && err.status === 400, String(err));
        return;
      }
      assert.ok(Number.isSafeInteger(params.pageSize) && params.pageSize >= 1 && params.pageSize <= MAX_PAGE_SIZE, 'page size in bounds');
      assert.ok(Number.isSafeInteger(params.pageNumber) && params.pageNumber >= 1, 'page number in bounds');
      const columns = queryableColumns(def.type);
      for (const { column } of [...params.sort, ...params.conditions]) {
        assert.ok(column in columns && !def.hidden?.includes(column), `column ${column} is queryable`);
      }
      for (const rel of params.include) assert.ok(rel in def.relations, `relation ${rel} exists`);
    }),
  }),
};

// ------------------------------------------------------------------ write documents

const TYPES = DEFS.map((d) => d.type);
const ATTRIBUTE_NAMES = [...new Set(DEFS.flatMap((d) => [...Object.keys(d.createAttributes.shape), ...Object.keys(d.updateAttributes.shape)]))];
const RELATION_NAMES = [...new Set(DEFS.flatMap((d) => [...Object.keys(d.relations), ...(d.ignoredRelationships ?? [])]))];

export const apiDocumentTarget: FuzzTarget = {
  name: 'api-document',
  claim: 'any JSON:API write document for any resource type, as admin or user, create or update: a checked input or a 4xx HttpError',
  async open() {
    const fixture = await storeFixture();
    const secret = loadSecret(fixture.dir, 'fuzz secret for the api-document target, 32+ chars');
    const services: ApiServices = { store: fixture.store, secret, hostname: 'example.test' };
    const admin = await createUserAccount(fixture.store, { email: 'admin@example.test', password: 'admin-password', isAdmin: true });
    const user = await createUserAccount(fixture.store, { email: 'user@example.test', password: 'user-password' });
    const account = await createMailAccount(fixture.store, {
      username: 'user2@example.test',
      password: 'user2-password',
      mailServerId: fixture.account.mail_server_id,
      userAccountId: user.id,
    });
    const ids = [admin.reference_id, user.reference_id, account.reference_id, fixture.account.reference_id, '00000000-0000-0000-0000-000000000000', 'not-a-uuid', ''];
    const id = fc.oneof(fc.constantFrom(...ids), fc.string({ maxLength: 10 }));
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('x@example.test', 'example.test', '127.0.0.1:0', 'INBOX', '\\Seen', -1, 0, 2 ** 53, true, null));
    const document = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record(
          {
            data: fc.record(
              {
                type: fc.oneof(fc.constantFrom(...TYPES), fc.string({ maxLength: 8 })),
                id,
                attributes: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom(...ATTRIBUTE_NAMES), fc.string({ maxLength: 8 })), value, { maxKeys: 5 }), fc.jsonValue({ maxDepth: 1 })),
                relationships: fc.oneof(
                  fc.dictionary(
                    fc.oneof(fc.constantFrom(...RELATION_NAMES), fc.string({ maxLength: 8 })),
                    fc.oneof(fc.record({ data: fc.oneof(fc.constant(null), fc.record({ type: fc.constantFrom(...TYPES), id })) }), fc.jsonValue({ maxDepth: 2 })),
                    { maxKeys: 3 },
                  ),
                  fc.jsonValue({ maxDepth: 1 }),
                ),
              },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
      },
      fc.jsonValue({ maxDepth: 3 }),
    );
    const callers: UserAccountRow[] = [admin, user];
    return {
      property: fc.asyncProperty(fc.constantFrom(...DEFS), fc.constantFrom(0, 1), fc.boolean(), id, document, async (def, who, create, urlId, body) => {
        const mode = create ? ({ create: true } as const) : ({ create: false, id: urlId } as const);
        const input = await expectValueOrClientError(() => readWriteInput(services, callers[who], def, body, mode));
        if (!input) return;
        const schema = create ? def.createAttributes : def.updateAttributes;
        assert.ok(schema.safeParse(input.attributes).success, 'attributes are what the schema accepts');
        for (const [name, key] of Object.entries(input.relationships)) {
          assert.ok(name in def.relations && !def.relations[name].many, `relationship ${name} is a to-one of ${def.type}`);
          assert.ok(key === null || Number.isSafeInteger(key), 'a relationship resolves to a row key or null');
        }
      }),
      close: () => fixture.cleanup(),
    };
  },
};

export const API_TARGETS = [apiBodyTarget, apiContentTypeTarget, apiQueryTarget, apiDocumentTarget];
