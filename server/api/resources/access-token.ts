// access_token: long-lived tokens for the mail API (/v1). Anyone signed in
// makes their own (POST /api/access_token); the token value is in that answer
// only. A token carries scopes (read, write, send, metrics) and either a list
// of mail accounts its owner may use or, without one, all of them. Deleting the
// row revokes it. Admins see every token; others their own.
import { z } from 'zod';
import {
  ACCESS_SCOPES,
  createAccessToken,
  deleteAccessToken,
  setAccessTokenDescription,
  tokenScopes,
} from '../../../schema/index.ts';
import { grantAccounts, tokenAccountNames } from '../emailengine/tokens.ts';
import type { ResourceDef } from './types.ts';

const date = z.union([z.number().int().positive(), z.string().refine((s) => Number.isFinite(Date.parse(s)), 'expected an ISO 8601 date')]);

const Create = z.strictObject({
  description: z.string().trim().max(1024).optional(),
  scopes: z.array(z.enum(ACCESS_SCOPES)).min(1).max(ACCESS_SCOPES.length),
  /** Addresses or mail_account ids; left out (or null): every account of the owner, now and later. */
  accounts: z.array(z.string().min(1).max(320)).min(1).max(1000).nullable().optional(),
  expires_at: date.nullable().optional(),
});
const Update = z.strictObject({ description: z.string().trim().max(1024) });

export const accessTokenResource: ResourceDef = {
  type: 'access_token',
  description: 'Long-lived mail API (/v1) tokens: scopes, accounts, expiry, last use. The token itself is shown once, when it is made.',
  visibility: 'owner',
  writers: { create: 'owner', update: 'owner', remove: 'owner' },
  relations: { user_account_id: { type: 'user_account', column: 'user_account_id' } },
  createAttributes: Create,
  updateAttributes: Update,
  search: ['description'],
  hidden: ['mail_account_ids'],
  async present(services, row) {
    const accounts = await tokenAccountNames(services.store, { mail_account_ids: row.mail_account_ids as string | null });
    return { scopes: tokenScopes({ scopes: row.scopes as string }), accounts };
  },
  async create(caller, { attributes }) {
    const a = attributes as z.infer<typeof Create>;
    const expiresAt = a.expires_at == null ? null : typeof a.expires_at === 'number' ? a.expires_at : Date.parse(a.expires_at);
    const accountIds = await grantAccounts(caller.store, caller.user, a.accounts);
    const { token, row } = await createAccessToken(caller.store, { userId: caller.user.id, description: a.description ?? '', scopes: a.scopes, accountIds, expiresAt });
    return { id: row.reference_id, created: true, once: { token } };
  },
  async update(caller, row, { attributes }) {
    const a = attributes as z.infer<typeof Update>;
    await setAccessTokenDescription(caller.store, row.id, a.description);
  },
  async remove(caller, row) {
    await deleteAccessToken(caller.store, row.id);
  },
};
