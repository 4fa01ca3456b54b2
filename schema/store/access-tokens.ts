// Long-lived mail API tokens (access_token): 64 hex characters, as
// EmailEngine's, stored only as their SHA-256, limited to scopes and accounts.
// Sign-in tokens (tokens.ts) are base64url and never look like one of these.
import crypto from 'node:crypto';
import { z } from 'zod';
import { accessToken } from '../tables.ts';
import { StoreError } from './errors.ts';
import { insertRow, rowOrUndefined, rowsOf } from './row-codec.ts';
import type { UserAccountRow } from './rows.ts';
import { now, type Store, write } from './store.ts';
import { findUserById } from './users.ts';

export type AccessTokenRow = typeof accessToken.$inferSelect;

/** read: GET routes; write: changes to mail and mailboxes; send: submit; metrics: GET /metrics. */
export const ACCESS_SCOPES = ['read', 'write', 'send', 'metrics'] as const;
export type AccessScope = (typeof ACCESS_SCOPES)[number];

/** What a token allows, beyond being its owner. */
export interface AccessGrant {
  tokenId: number;
  referenceId: string;
  scopes: ReadonlySet<AccessScope>;
  /** The mail_account ids it may reach (still only those its owner may see); null: every account the owner owns. */
  accountIds: readonly number[] | null;
}

/** last_used_at is written when it is older than this, not on every request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const TOKEN_SHAPE = /^[0-9a-f]{64}$/;
const sha256 = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/** Whether a bearer value has the shape of a mail API token (sign-in tokens never do). */
export const isAccessTokenValue = (token: string): boolean => TOKEN_SHAPE.test(token);

const Scopes = z.array(z.enum(ACCESS_SCOPES));
const AccountIds = z.array(z.number().int()).nullable();

export function tokenScopes(row: Pick<AccessTokenRow, 'scopes'>): AccessScope[] {
  return Scopes.parse(JSON.parse(row.scopes));
}

export function tokenAccountIds(row: Pick<AccessTokenRow, 'mail_account_ids'>): number[] | null {
  return row.mail_account_ids === null ? null : AccountIds.parse(JSON.parse(row.mail_account_ids));
}

export interface NewAccessToken {
  userId: number;
  description: string;
  scopes: readonly AccessScope[];
  accountIds: readonly number[] | null;
  expiresAt: number | null;
}

/** Makes a token; the value is returned here once and never stored. */
export async function createAccessToken(store: Store, input: NewAccessToken): Promise<{ token: string; row: AccessTokenRow }> {
  if (input.scopes.length === 0) throw new StoreError('CANNOT', 'a token needs at least one scope');
  const token = crypto.randomBytes(32).toString('hex');
  const row = await write(store, (tx) =>
    insertRow(tx, accessToken, {
      reference_id: crypto.randomUUID(),
      token_hash: sha256(token),
      user_account_id: input.userId,
      description: input.description,
      scopes: JSON.stringify([...new Set(input.scopes)].sort()),
      mail_account_ids: input.accountIds === null ? null : JSON.stringify([...new Set(input.accountIds)].sort((a, b) => a - b)),
      expires_at: input.expiresAt,
    }),
  );
  return { token, row };
}

/**
 * The owner and grant of a token that exists and has not expired. Records the
 * use, at most once per LAST_USED_RESOLUTION_MS for a token.
 */
export async function resolveAccessToken(store: Store, token: string): Promise<{ user: UserAccountRow; grant: AccessGrant } | null> {
  if (!isAccessTokenValue(token)) return null;
  const t = now();
  const row = rowOrUndefined(
    accessToken,
    await store.get(`SELECT * FROM access_token WHERE token_hash = ? AND (expires_at IS NULL OR expires_at > ?)`, sha256(token), t),
  );
  if (!row) return null;
  const user = await findUserById(store, row.user_account_id);
  if (!user) return null;
  if (row.last_used_at === null || t - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
    // The condition makes concurrent requests of one token write once.
    await write(store, (tx) =>
      tx.run(`UPDATE access_token SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`, t, row.id, t - LAST_USED_RESOLUTION_MS),
    );
  }
  return { user, grant: { tokenId: row.id, referenceId: row.reference_id, scopes: new Set(tokenScopes(row)), accountIds: tokenAccountIds(row) } };
}

export async function listAccessTokens(store: Store, userId: number): Promise<AccessTokenRow[]> {
  return rowsOf(accessToken, await store.all(`SELECT * FROM access_token WHERE user_account_id = ? ORDER BY id`, userId));
}

export async function setAccessTokenDescription(store: Store, id: number, description: string): Promise<void> {
  await write(store, (tx) => tx.run(`UPDATE access_token SET description = ?, updated_at = ? WHERE id = ?`, description, now(), id));
}

/** Revokes (deletes) a token by row id; false when there was none. */
export async function deleteAccessToken(store: Store, id: number): Promise<boolean> {
  return write(store, async (tx) => (await tx.run(`DELETE FROM access_token WHERE id = ?`, id)).changes > 0);
}

/** The token row for a token value, or for its id as listings show it (the SHA-256 of the value, as EmailEngine's). */
export async function findAccessToken(store: Store, valueOrHash: string): Promise<AccessTokenRow | undefined> {
  if (!isAccessTokenValue(valueOrHash)) return undefined;
  return rowOrUndefined(
    accessToken,
    await store.get(`SELECT * FROM access_token WHERE token_hash = ? OR token_hash = ?`, sha256(valueOrHash), valueOrHash),
  );
}
