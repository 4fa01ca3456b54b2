// Who is calling: a bearer token from the Authorization header, the `token`
// query parameter, or the `token` cookie (the three places Daptin accepts;
// also EmailEngine's `access_token` query parameter).
// A sign-in token acts with all of its user's rights; a mail API token
// (access_token, 64 hex characters) only within its grant, and only on the
// mail API (server/api/emailengine/access.ts).
import type { Context, Next } from 'koa';
import { type AccessGrant, isAccessTokenValue, resolveAccessToken, resolveToken, type Store, type UserAccountRow } from '../../schema/index.ts';
import { HttpError } from './errors.ts';

export interface AuthState {
  user: UserAccountRow | null;
  token: string | null;
  /** Set for a mail API token: what it may do. Null for a sign-in token (the user's full rights). */
  grant: AccessGrant | null;
}

export function tokenFrom(ctx: Context): string | null {
  const header = ctx.get('authorization');
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  // `access_token` is where EmailEngine's API takes it in the query.
  for (const key of ['token', 'access_token']) {
    const query = ctx.query[key];
    if (typeof query === 'string' && query) return query;
  }
  return ctx.cookies.get('token') ?? null;
}

/** Resolves the caller into ctx.state.auth; never rejects anonymous calls itself. */
export function authenticate(store: Store) {
  return async (ctx: Context, next: Next) => {
    const token = tokenFrom(ctx);
    let auth: AuthState = { user: null, token: null, grant: null };
    if (token && isAccessTokenValue(token)) {
      const found = await resolveAccessToken(store, token);
      if (found) auth = { user: found.user, token, grant: found.grant };
    } else if (token) {
      const user = await resolveToken(store, token);
      if (user) auth = { user, token, grant: null };
    }
    ctx.state.auth = auth;
    await next();
  };
}

/** The signed-in user of an admin API route; a mail API token does not open these (403). */
export function currentUser(ctx: Context): UserAccountRow {
  const auth = ctx.state.auth as AuthState | undefined;
  if (!auth?.user) throw new HttpError(401, 'Unauthorized', 'sign in and send the token as "Authorization: Bearer <token>"');
  if (auth.grant) throw new HttpError(403, 'Forbidden', 'a mail API token opens only the mail API (/v1); sign in for the admin API');
  return auth.user;
}

export function requireAdmin(ctx: Context): UserAccountRow {
  const user = currentUser(ctx);
  if (!user.is_admin) throw new HttpError(403, 'Forbidden', 'this needs an administrator');
  return user;
}
