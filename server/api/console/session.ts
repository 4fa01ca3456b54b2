// The browser session: the sign-in token in an HttpOnly, SameSite=Strict cookie
// (Secure over TLS), and the CSRF rule for requests it authenticates. A
// state-changing request with an Origin other than this server's is refused, and
// one that relies on the cookie must also show it was made by script on this
// origin (the X-Requested-With header, which a cross-site form cannot send and
// a cross-site fetch cannot send without a CORS preflight Heron never grants)
// or carry this server's own Origin. Requests with a bearer token or ?token=
// are not affected: a browser never attaches those by itself.
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
    const explicitToken = /^Bearer\s+\S+$/i.test(ctx.get('authorization')) || typeof ctx.query.token === 'string';
    if (!SAFE_METHODS.has(ctx.method) && !explicitToken) {
      const origin = ctx.get('origin');
      const sameOrigin = origin !== '' && originHost(origin) === ctx.host;
      if (origin !== '' && !sameOrigin) {
        throw new HttpError(403, 'Forbidden', `cross-origin request refused (Origin ${origin} is not ${ctx.host})`);
      }
      if (ctx.cookies.get(SESSION_COOKIE) && !sameOrigin && ctx.get(CSRF_HEADER) === '') {
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
