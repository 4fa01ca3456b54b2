// The OpenAPI document lists exactly the routes the router serves, and the
// running server serves that document.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildRoutes } from '../../server/api/app.ts';
import { openapiDocument } from '../../server/api/openapi/document.ts';
import { fetchWithDeadline } from '../helpers/deadline.ts';
import { useHeron, type TestHeron } from './client.ts';

describe('OpenAPI document', () => {
  let heron: TestHeron;

  useHeron(async (h) => {
    heron = h;
  });

  test('every route in the router is documented, and every documented route exists', () => {
    const routes = buildRoutes(heron.apiDeps);
    const served = new Set<string>();
    for (const layer of routes.router.stack) {
      for (const method of layer.methods) if (method !== 'HEAD') served.add(`${method.toLowerCase()} ${String(layer.path).replace(/:([A-Za-z_]+)/g, '{$1}')}`);
    }
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(openapiDocument(routes).paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(`${method} ${path}`);
    }
    assert.deepEqual([...served].filter((r) => !documented.has(r)), [], 'served but not documented');
    assert.deepEqual([...documented].filter((r) => !served.has(r)), [], 'documented but not served');
    for (const type of ['user_account', 'mail_server', 'mail_account', 'mail_box', 'mail', 'outbox', 'certificate']) {
      for (const r of [`get /api/${type}`, `post /api/${type}`, `get /api/${type}/{id}`, `patch /api/${type}/{id}`, `delete /api/${type}/{id}`]) assert.ok(served.has(r), r);
    }
    assert.ok(served.has('get /api/mail_box/{id}/mail_account_id'));
    assert.ok(served.has('get /api/mail_box/{id}/relationships/mail_account_id'));
    assert.ok(served.has('post /action/certificate/generate_self_certificate'));
  });

  test('GET /openapi.json serves it without a token, with request schemas from the attribute definitions', async () => {
    const res = await fetchWithDeadline(`http://127.0.0.1:${heron.ports.api}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: { data: { properties: { attributes: { properties: Record<string, unknown> } } } } } }> } }>> };
    assert.equal(doc.openapi, '3.1.0');
    const post = doc.paths['/api/mail_server'].post.requestBody!.content['application/vnd.api+json'].schema;
    assert.ok('hostname' in post.properties.data.properties.attributes.properties);
    assert.ok(doc.paths['/api/mail_box/{id}'].patch);
  });
});
