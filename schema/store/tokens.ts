// Admin API bearer tokens: random, stored only as a SHA-256 hash, expiring, revocable.
import crypto from 'node:crypto';
import { userAccount } from '../tables.ts';
import { rowOrUndefined } from './row-codec.ts';
import type { UserAccountRow } from './rows.ts';
import { now, type Store, write } from './store.ts';

const sha256 = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export async function issueToken(store: Store, userId: number, lifetimeMs: number): Promise<{ token: string; expiresAt: number }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = now() + lifetimeMs;
  await write(store, async (tx) => {
    await tx.run(
      `INSERT INTO api_token (reference_id, token_hash, user_account_id, expires_at) VALUES (?, ?, ?, ?)`,
      crypto.randomUUID(),
      sha256(token),
      userId,
      expiresAt,
    );
  });
  return { token, expiresAt };
}

/** The user a token belongs to, if it is known, unexpired and not revoked. */
export async function resolveToken(store: Store, token: string): Promise<UserAccountRow | null> {
  const row = await store.get(
    `SELECT u.* FROM api_token t JOIN user_account u ON u.id = t.user_account_id
     WHERE t.token_hash = ? AND t.expires_at > ? AND t.revoked_at IS NULL`,
    sha256(token),
    now(),
  );
  return rowOrUndefined(userAccount, row) ?? null;
}

export async function revokeToken(store: Store, token: string): Promise<boolean> {
  return write(store, async (tx) => {
    const t = now();
    const result = await tx.run(`UPDATE api_token SET revoked_at = ?, updated_at = ? WHERE token_hash = ? AND revoked_at IS NULL`, t, t, sha256(token));
    return result.changes > 0;
  });
}
