// Who is calling: a bearer token from the Authorization header, the `token`
// query parameter, or the `token` cookie (the three places Daptin accepts).
import type { Context, Next } from 'koa';
import { resolveToken, type Store, type UserAccountRow } from '../../schema/index.ts';
import { HttpError } from './errors.ts';

export interface AuthState {
  user: UserAccountRow | null;
  token: string | null;
}

export function tokenFrom(ctx: Context): string | null {
  const header = ctx.get('authorization');
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const query = ctx.query.token;
  if (typeof query === 'string' && query) return query;
  return ctx.cookies.get('token') ?? null;
}

/** Resolves the caller into ctx.state.auth; never rejects anonymous calls itself. */
export function authenticate(store: Store) {
  return async (ctx: Context, next: Next) => {
    const token = tokenFrom(ctx);
    const user = token ? await resolveToken(store, token) : null;
    ctx.state.auth = { user, token: user ? token : null } satisfies AuthState;
    await next();
  };
}

export function currentUser(ctx: Context): UserAccountRow {
  const auth = ctx.state.auth as AuthState | undefined;
  if (!auth?.user) throw new HttpError(401, 'Unauthorized', 'sign in and send the token as "Authorization: Bearer <token>"');
  return auth.user;
}

export function requireAdmin(ctx: Context): UserAccountRow {
  const user = currentUser(ctx);
  if (!user.is_admin) throw new HttpError(403, 'Forbidden', 'this needs an administrator');
  return user;
}
