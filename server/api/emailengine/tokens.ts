// Mail API tokens in EmailEngine's shape, beside the JSON:API access_token
// resource (same rows): POST /v1/token makes one ({account?, description,
// scopes}, EmailEngine's "api" scope meaning read, write and send), GET
// /v1/tokens lists the caller's, DELETE /v1/token/:token revokes one by its
// value or its id (the SHA-256 of the value, as EmailEngine's ids are). Only a
// signed-in user makes or revokes tokens; a token cannot make another.
import type { Context } from 'koa';
import { z } from 'zod';
import {
  ACCESS_SCOPES,
  type AccessScope,
  type AccessTokenRow,
  createAccessToken,
  deleteAccessToken,
  findAccessToken,
  findMailAccountById,
  listAccessTokens,
  type Store,
  tokenAccountIds,
  tokenScopes,
  type UserAccountRow,
} from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';
import { mailApiCaller, usableAccount } from './access.ts';
import { bodyOf, JoiDate, pathParam, single } from './input.ts';

/** The mail_account ids for a token's account list (addresses or ids), each one its maker may use; null stays null (all of theirs). */
export async function grantAccounts(store: Store, user: UserAccountRow, keys: readonly string[] | null | undefined): Promise<number[] | null> {
  if (keys == null) return null;
  const ids: number[] = [];
  for (const key of keys) {
    try {
      ids.push((await usableAccount(store, { user, grant: null }, key)).id);
    } catch {
      throw new HttpError(422, 'Unprocessable Entity', `accounts: ${key.slice(0, 320)} is not a mail account you may use`);
    }
  }
  return ids;
}

/** EmailEngine's scope "api" (the REST API) is read, write and send here; Heron's own names are taken too. */
const TokenScope = z.enum(['api', ...ACCESS_SCOPES]);
const API_SCOPES: AccessScope[] = ['read', 'write', 'send'];

const CreateToken = z.strictObject({
  account: z.string().min(1).max(320).optional(),
  description: z.string().trim().min(1).max(1024),
  scopes: single(TokenScope, 8).default(['api']),
  expires: JoiDate.optional(),
  // EmailEngine's metadata and requester address, kept by it for its own bookkeeping: accepted, not stored.
  metadata: z.string().max(1024 * 1024).optional(),
  ip: z.string().max(100).optional(),
  // Narrowings Heron does not implement: refused rather than ignored, so a token never gets more than was asked.
  restrictions: z.null().optional(),
  permissions: z.null().optional(),
});

/** Only a sign-in token (a person) may make or revoke tokens. */
function tokenMaker(ctx: Context): UserAccountRow {
  const caller = mailApiCaller(ctx, 'read');
  if (caller.grant) throw new HttpError(403, 'Forbidden', 'a mail API token cannot make or revoke tokens; sign in');
  return caller.user;
}

/** The addresses a token may reach, or null for all its owner's (accounts deleted since are left out). */
export async function tokenAccountNames(store: Store, row: Pick<AccessTokenRow, 'mail_account_ids'>): Promise<string[] | null> {
  const ids = tokenAccountIds(row);
  return ids === null ? null : (await Promise.all(ids.map((id) => findMailAccountById(store, id)))).flatMap((a) => (a ? [a.username] : []));
}

async function listing(store: Store, row: AccessTokenRow) {
  const accounts = await tokenAccountNames(store, row);
  return {
    id: row.token_hash,
    description: row.description,
    scopes: tokenScopes(row),
    ...(accounts?.length === 1 ? { account: accounts[0] } : {}),
    accounts,
    created: new Date(row.created_at).toISOString(),
    ...(row.expires_at !== null ? { expires: new Date(row.expires_at).toISOString() } : {}),
    access: { time: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString() },
  };
}

export function tokenRoutes(routes: DocumentedRoutes, store: Store): void {
  routes.add(
    {
      method: 'post',
      path: '/v1/token',
      summary: 'Make a mail API token (EmailEngine shape): {account?, description, scopes}; the token is in this answer only',
      tag: 'mail API: tokens',
      auth: true,
      bodyType: 'json',
      body: z.toJSONSchema(CreateToken, { io: 'input', unrepresentable: 'any' }),
    },
    async (ctx) => {
      const user = tokenMaker(ctx);
      const body = await bodyOf(ctx, CreateToken);
      if (body.expires !== undefined && body.expires <= Date.now()) throw new HttpError(400, 'Bad Request', 'Invalid input: expires: must be in the future');
      const scopes = [...new Set(body.scopes.flatMap((s) => (s === 'api' ? API_SCOPES : [s])))];
      const accountIds = body.account === undefined ? null : [(await usableAccount(store, { user, grant: null }, body.account)).id];
      const { token, row } = await createAccessToken(store, { userId: user.id, description: body.description, scopes, accountIds, expiresAt: body.expires ?? null });
      ctx.body = { token, id: row.token_hash };
    },
  );

  routes.add(
    { method: 'get', path: '/v1/tokens', summary: "The caller's mail API tokens (never their values)", tag: 'mail API: tokens', auth: true },
    async (ctx) => {
      const user = tokenMaker(ctx);
      ctx.body = { tokens: await Promise.all((await listAccessTokens(store, user.id)).map((row) => listing(store, row))) };
    },
  );

  routes.add(
    { method: 'delete', path: '/v1/token/:token', summary: 'Revoke a mail API token, by its value or its id', tag: 'mail API: tokens', auth: true },
    async (ctx) => {
      const user = tokenMaker(ctx);
      const row = await findAccessToken(store, pathParam(ctx, 'token'));
      if (!row || (row.user_account_id !== user.id && !user.is_admin)) throw new HttpError(404, 'Not Found', 'Token was not found', { code: 'NotFound' });
      ctx.body = { deleted: await deleteAccessToken(store, row.id) };
    },
  );
}
