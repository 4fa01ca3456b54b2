// JSON:API media type rules for /api/... (https://jsonapi.org/format/#content-negotiation):
// 415 when a write's Content-Type is not JSON:API (plain application/json is
// accepted too) or carries parameters other than ext/profile; 406 when the
// Accept header rules out every JSON type we can answer with.
import type { Context, Next } from 'koa';
import { HttpError } from './errors.ts';
import { JSONAPI_TYPE } from './jsonapi.ts';

const WRITES = new Set(['POST', 'PATCH', 'PUT']);

export function checkContentType(ctx: Context): void {
  const header = ctx.get('content-type');
  const [media, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  if (media !== JSONAPI_TYPE && media !== 'application/json') {
    throw new HttpError(415, 'Unsupported Media Type', `send the body as ${JSONAPI_TYPE} (got ${media || 'no Content-Type'})`);
  }
  const unknown = params.filter((p) => p !== '' && !/^(ext|profile)=/.test(p));
  if (media === JSONAPI_TYPE && unknown.length > 0) {
    throw new HttpError(415, 'Unsupported Media Type', `media type parameters are not allowed: ${unknown.join('; ')}`);
  }
}

export function jsonApiMediaType() {
  return async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith('/api/')) {
      if (ctx.get('accept') && !ctx.accepts(JSONAPI_TYPE, 'application/json')) {
        throw new HttpError(406, 'Not Acceptable', `this endpoint answers with ${JSONAPI_TYPE}`);
      }
      if (WRITES.has(ctx.method)) checkContentType(ctx);
    }
    await next();
  };
}
