// The OpenAPI 3.1 document, built from the documented routes, served at
// GET /openapi.json (no authentication: it describes, it does not reveal).
import type { DocumentedRoutes, RouteDoc } from './registry.ts';

const openapiPath = (koaPath: string) => koaPath.replace(/:([A-Za-z_]+)/g, '{$1}');

const errorResponse = (description: string) => ({ description, content: { 'application/vnd.api+json': { schema: { $ref: '#/components/schemas/Errors' } } } });
const mailApiError = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/EmailEngineError' } } } });

/** The mail API (EmailEngine's /v1 routes): its own error shape, 200 for every success. */
function mailApiOperation(doc: RouteDoc, params: unknown[]) {
  const media = doc.response?.media ?? 'application/json';
  return {
    summary: doc.summary,
    tags: [doc.tag],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: doc.body } } } } : {}),
    responses: {
      '200': { description: doc.response?.description ?? 'success', ...(doc.response?.schema || doc.response?.media ? { content: { [media]: { schema: doc.response.schema ?? {} } } } : {}) },
      '400': mailApiError('invalid input'),
      '401': mailApiError('no valid token'),
      '403': mailApiError('the token lacks the scope this route needs'),
      '404': mailApiError('no such account, mailbox or message, or not visible to the caller'),
    },
  };
}

function operation(doc: RouteDoc) {
  const params = [...doc.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = (doc.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: { type: 'string' } }));
  if (doc.path.startsWith('/v1/')) return mailApiOperation(doc, [...params, ...query]);
  const media = doc.bodyType === 'jsonapi' ? 'application/vnd.api+json' : 'application/json';
  return {
    summary: doc.summary,
    tags: [doc.tag],
    ...(doc.auth ? {} : { security: [] }),
    ...(params.length + query.length > 0 ? { parameters: [...params, ...query] } : {}),
    ...(doc.body ? { requestBody: { required: doc.bodyType === 'jsonapi', content: { [media]: { schema: doc.body } } } } : {}),
    responses: {
      [doc.method === 'post' && doc.bodyType === 'jsonapi' ? '201' : doc.method === 'delete' ? '204' : '200']: { description: 'success' },
      '400': errorResponse('bad request (bad JSON, unknown attribute or parameter)'),
      ...(doc.auth ? { '401': errorResponse('no valid token'), '403': errorResponse('not allowed') } : {}),
      ...(doc.path.includes(':id') || doc.path.startsWith('/action/') ? { '404': errorResponse('no such row, or not visible to the caller') } : {}),
      ...(doc.body ? { '409': errorResponse('conflict'), '415': errorResponse('wrong Content-Type'), '422': errorResponse('invalid value') } : {}),
    },
  };
}

export function openapiDocument(routes: DocumentedRoutes): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of routes.docs) {
    const p = openapiPath(doc.path);
    paths[p] ??= {};
    paths[p][doc.method] = operation(doc);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Heron admin API', version: '1', description: 'Daptin-compatible JSON:API resources and actions of the Heron mail server, and the EmailEngine-compatible mail API under /v1.' },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        tokenQuery: { type: 'apiKey', in: 'query', name: 'token' },
        tokenCookie: { type: 'apiKey', in: 'cookie', name: 'token' },
      },
      schemas: {
        EmailEngineError: {
          type: 'object',
          properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
        },
        Errors: {
          type: 'object',
          properties: {
            errors: {
              type: 'array',
              items: { type: 'object', properties: { status: { type: 'string' }, title: { type: 'string' }, detail: { type: 'string' } } },
            },
          },
        },
      },
    },
    security: [{ bearer: [] }, { tokenQuery: [] }, { tokenCookie: [] }],
  };
}

export function openapiRoute(routes: DocumentedRoutes): void {
  routes.add({ method: 'get', path: '/openapi.json', summary: 'This OpenAPI document', tag: 'meta', auth: false }, (ctx) => {
    ctx.body = openapiDocument(routes);
  });
}
