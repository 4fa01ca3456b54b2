// The browser session: the sign-in token in an HttpOnly, SameSite=Strict cookie
// (Secure over TLS), and the CSRF rule for state-changing requests. One that
// carries the X-Requested-With header was made by script on this origin (a
// cross-site form cannot send it, and a cross-site fetch cannot without a CORS
// preflight Heron never grants) and passes. Without it, a request with another
// Origin is refused (that also stops login CSRF), and one that relies on the
// cookie must carry this server's own Origin. Requests with a bearer token or
// ?token= are not affected: a browser never attaches those by itself.
import type { Context, Next } from 'koa';
import { currentUser } from '../auth.ts';
import { HttpError } from '../errors.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';

/** Daptin's cookie name; server/api/auth.ts reads it. */
export const SESSION_COOKIE = 'token';
/** The header the console sends with every request. */
export const CSRF_HEADER = 'X-Requested-With';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const cookieOptions = (ctx: Context) => ({ httpOnly: true, sameSite: 'strict' as const, secure: ctx.secure, path: '/', overwrite: true });

export function setSessionCookie(ctx: Context, token: string, ttlMs: number): void {
  ctx.cookies.set(SESSION_COOKIE, token, { ...cookieOptions(ctx), maxAge: ttlMs });
}

export function clearSessionCookie(ctx: Context): void {
  ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(ctx), expires: new Date(0) });
}

function originHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

export function csrfGuard() {
  return async (ctx: Context, next: Next) => {
    const explicitToken = /^Bearer\s+\S+$/i.test(ctx.get('authorization')) || typeof ctx.query.token === 'string' || typeof ctx.query.access_token === 'string';
    // The header alone is proof enough: a cross-origin page could only send it after a CORS
    // preflight, which Heron never grants. It also keeps working behind a proxy that rewrites Host.
    if (!SAFE_METHODS.has(ctx.method) && !explicitToken && ctx.get(CSRF_HEADER) === '') {
      const origin = ctx.get('origin');
      const sameOrigin = origin !== '' && originHost(origin) === ctx.host;
      if (origin !== '' && !sameOrigin) {
        throw new HttpError(403, 'Forbidden', `cross-origin request refused (Origin ${origin} is not ${ctx.host})`);
      }
      if (ctx.cookies.get(SESSION_COOKIE) && !sameOrigin) {
        throw new HttpError(403, 'Forbidden', `a request signed in by the session cookie must carry the ${CSRF_HEADER} header or this server's Origin; API clients send "Authorization: Bearer <token>"`);
      }
    }
    await next();
  };
}

/** GET /session: who the token or cookie belongs to (the console asks on load). */
export function sessionRoutes(routes: DocumentedRoutes): void {
  routes.add({ method: 'get', path: '/session', summary: 'The signed-in user (email, name, is_admin) for the token or session cookie', tag: 'actions', auth: true }, (ctx) => {
    const user = currentUser(ctx);
    ctx.body = {
      data: { type: 'user_account', id: user.reference_id, attributes: { email: user.email, name: user.name, is_admin: user.is_admin } },
    };
  });
}
