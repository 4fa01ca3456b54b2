// Who may use a mail account through the mail API (/v1): an administrator's
// sign-in token (any account), a user's sign-in token (their own accounts), or
// a mail API token within its grant: its scopes, and its accounts (all its
// owner's, or a list, and never beyond what its owner may reach). An account
// the caller may not use is answered as one that does not exist (404).
import type { Context } from 'koa';
import {
  type AccessGrant,
  type AccessScope,
  findMailAccount,
  findMailAccountByReference,
  type MailAccountRow,
  type Store,
  type UserAccountRow,
} from '../../../schema/index.ts';
import { type AuthState, tokenFrom } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { pathParam } from './input.ts';

export interface MailApiCaller {
  user: UserAccountRow;
  /** Null for a sign-in token. */
  grant: AccessGrant | null;
}

/** The caller, if signed in and allowed `scope` (401 without a valid token, 403 without the scope). */
export function mailApiCaller(ctx: Context, scope: AccessScope): MailApiCaller {
  const auth = ctx.state.auth as AuthState | undefined;
  if (!auth?.user) {
    throw new HttpError(401, 'Unauthorized', tokenFrom(ctx) ? 'Bad token' : 'Missing authentication', { attributes: { error: tokenFrom(ctx) ? 'Bad token' : 'Missing authentication' } });
  }
  if (auth.grant && !auth.grant.scopes.has(scope)) throw new HttpError(403, 'Forbidden', `Unauthorized scope: this token lacks "${scope}"`);
  return { user: auth.user, grant: auth.grant };
}

export function mayUseAccount(caller: MailApiCaller, account: Pick<MailAccountRow, 'id' | 'user_account_id'>): boolean {
  const owned = account.user_account_id === caller.user.id;
  if (!caller.grant) return caller.user.is_admin || owned;
  if (caller.grant.accountIds === null) return owned;
  return caller.grant.accountIds.includes(account.id) && (caller.user.is_admin || owned);
}

export const accountNotFound = () => new HttpError(404, 'Not Found', 'Account record was not found for requested ID', { code: 'AccountNotFound' });

/** The account named by `key` (its address or its id) if the caller may use it. */
export async function usableAccount(store: Store, caller: MailApiCaller, key: string): Promise<MailAccountRow> {
  const account = key.includes('@') ? await findMailAccount(store, key) : await findMailAccountByReference(store, key);
  if (!account || !mayUseAccount(caller, account)) throw accountNotFound();
  return account;
}

/** The caller and the route's :account, checked for `scope`. */
export async function accountFor(ctx: Context, store: Store, scope: AccessScope): Promise<{ caller: MailApiCaller; account: MailAccountRow }> {
  const caller = mailApiCaller(ctx, scope);
  const account = await usableAccount(store, caller, pathParam(ctx, 'account'));
  return { caller, account };
}
