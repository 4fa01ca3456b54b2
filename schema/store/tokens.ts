// Admin API bearer tokens: random, stored only as a SHA-256 hash, expiring, revocable.
import crypto from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import { apiToken, userAccount } from '../tables.ts';
import type { UserAccountRow } from './rows.ts';
import { now, type Store, write } from './store.ts';

const sha256 = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export async function issueToken(store: Store, userId: number, lifetimeMs: number): Promise<{ token: string; expiresAt: number }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = now() + lifetimeMs;
  await write(store, () =>
    store.db
      .insert(apiToken)
      .values({ reference_id: crypto.randomUUID(), token_hash: sha256(token), user_account_id: userId, expires_at: expiresAt })
      .run(),
  );
  return { token, expiresAt };
}

/** The user a token belongs to, if it is known, unexpired and not revoked. */
export async function resolveToken(store: Store, token: string): Promise<UserAccountRow | null> {
  const row = store.db
    .select({ user: userAccount })
    .from(apiToken)
    .innerJoin(userAccount, eq(apiToken.user_account_id, userAccount.id))
    .where(and(eq(apiToken.token_hash, sha256(token)), gt(apiToken.expires_at, now()), isNull(apiToken.revoked_at)))
    .get();
  return row?.user ?? null;
}

export async function revokeToken(store: Store, token: string): Promise<boolean> {
  return write(store, () => {
    const result = store.db
      .update(apiToken)
      .set({ revoked_at: now(), updated_at: now() })
      .where(and(eq(apiToken.token_hash, sha256(token)), isNull(apiToken.revoked_at)))
      .run();
    return result.changes > 0;
  });
}
