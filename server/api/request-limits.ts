// Limits on what a caller may send: bodies of at most `anonymousBody` bytes
// without a valid token (`maxBody` with one), and at most
// `maxAnonymousPerClient` requests without a token in flight from one address
// at a time (429 past it). A declared Content-Length past the cap is refused
// before anything else is done for the request.
import type { Context, Next } from 'koa';
import { clientAddress } from '../listen.ts';
import type { AuthState } from './auth.ts';
import { closeAfterAnswer, payloadTooLarge, setCallerBodyLimit } from './body.ts';
import { HttpError } from './errors.ts';

export interface RequestLimits {
  anonymousBody: number;
  maxBody: number;
  maxAnonymousPerClient: number;
}

/** Runs after authenticate(): needs to know whether the caller has a token. */
export function requestLimits(limits: RequestLimits) {
  const anonymousInFlight = new Map<string, number>();
  return async (ctx: Context, next: Next) => {
    const signedIn = !!(ctx.state.auth as AuthState | undefined)?.user;
    const bodyLimit = signedIn ? limits.maxBody : limits.anonymousBody;
    setCallerBodyLimit(ctx, bodyLimit);
    if ((ctx.request.length ?? 0) > bodyLimit) throw payloadTooLarge(ctx, bodyLimit);
    if (signedIn) return next();
    const address = clientAddress(ctx.req.socket);
    const inFlight = anonymousInFlight.get(address) ?? 0;
    if (inFlight >= limits.maxAnonymousPerClient) {
      ctx.set('Retry-After', '1');
      throw new HttpError(429, 'Too Many Requests', `at most ${limits.maxAnonymousPerClient} requests without a token at once from one address`);
    }
    anonymousInFlight.set(address, inFlight + 1);
    try {
      await next();
    } finally {
      const left = (anonymousInFlight.get(address) ?? 1) - 1;
      if (left > 0) anonymousInFlight.set(address, left);
      else anonymousInFlight.delete(address);
    }
  };
}

/**
 * Outermost: a request answered before its body arrived (an error, a 413, a
 * route that reads nothing) closes the connection, else Node would read and
 * discard the rest of the body, however long, to keep the connection alive.
 */
export function closeUnreadBodies() {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } finally {
      const hasBody = ctx.req.headers['transfer-encoding'] !== undefined || (ctx.request.length ?? 0) > 0;
      if (hasBody && !ctx.req.complete) closeAfterAnswer(ctx);
    }
  };
}
