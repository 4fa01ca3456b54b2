// JSON:API error documents (https://jsonapi.org/format/#errors). Every failure
// the API reports goes through HttpError; anything else becomes a 500 with no
// detail leaked. The mail API (/v1, EmailEngine's routes) answers in
// EmailEngine's shape instead: {statusCode, error, message} plus its `code`
// or `fields` where it has them.
import { STATUS_CODES } from 'node:http';
import type { Context, Next } from 'koa';
import { ConstraintError, StoreError } from '../../schema/index.ts';
import type { Logger } from '../logger.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    /** Extra members of an EmailEngine-shaped error (`code`, `fields`); JSON:API answers leave them out. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? title);
  }
}

/** Paths that answer errors in EmailEngine's shape. */
export const isMailApiPath = (path: string): boolean => path.startsWith('/v1/');

/** EmailEngine's (Boom's) error body: `error` is the HTTP status text. */
export function emailEngineErrorBody(status: number, title: string, detail?: string, extra?: Record<string, unknown>) {
  return { statusCode: status, error: STATUS_CODES[status] ?? title, message: detail ?? title, ...extra };
}

const STORE_STATUS: Record<string, number> = {
  NONEXISTENT: 404,
  ALREADYEXISTS: 409,
  CANNOT: 422,
  INUSE: 409,
  NOPERM: 403,
  LIMIT: 422,
  TOOBIG: 413,
  OVERQUOTA: 507,
  AUTHENTICATIONFAILED: 401,
  UNAVAILABLE: 503,
};

export function errorBody(status: number, title: string, detail?: string) {
  return { errors: [{ status: String(status), title, ...(detail ? { detail } : {}) }] };
}

export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new HttpError(404, 'Not Found', `no route for ${ctx.method} ${ctx.path}`);
      // The router's allowedMethods answers 405 (known path) or 501 (unknown method) without a body.
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body === undefined) {
        throw new HttpError(405, 'Method Not Allowed', `${ctx.method} is not allowed on ${ctx.path}`);
      }
    } catch (err) {
      let status = 500;
      let title = 'Internal Server Error';
      let detail: string | undefined;
      let extra: Record<string, unknown> | undefined;
      if (err instanceof HttpError) {
        ({ status, title, detail, extra } = err);
      } else if (err instanceof StoreError) {
        status = STORE_STATUS[err.code] ?? 422;
        title = err.code;
        detail = err.message;
        extra = { code: err.code };
      } else if (err instanceof ConstraintError) {
        // A constraint the store did not check first (a race between two writes): the caller's conflict, not a crash.
        status = err.unique ? 409 : 422;
        title = status === 409 ? 'Conflict' : 'Unprocessable Entity';
        detail = status === 409 ? 'a row with that value already exists' : 'the change breaks a rule of the data model';
      } else if (typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' && err.status < 500) {
        // Koa/body-parser errors (bad JSON, too large) carry a 4xx status.
        status = err.status;
        title = 'Bad Request';
        detail = 'expose' in err && err.expose && err instanceof Error ? err.message : undefined;
      } else {
        log.error({ err, path: ctx.path }, 'unhandled API error');
      }
      ctx.status = status;
      if (isMailApiPath(ctx.path)) {
        ctx.type = 'application/json';
        ctx.body = emailEngineErrorBody(status, title, detail, extra);
      } else {
        ctx.type = 'application/vnd.api+json';
        ctx.body = errorBody(status, title, detail);
      }
    }
  };
}
