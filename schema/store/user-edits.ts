// Admin API edits of user_account rows (sign-up uses createUserAccount).
import { and, eq, ne, sql } from 'drizzle-orm';
import { userAccount } from '../tables.ts';
import { StoreError } from './errors.ts';
import { hashPassword } from './passwords.ts';
import type { UserAccountRow } from './rows.ts';
import { now, type Store, write } from './store.ts';

export interface UserAccountChanges {
  email?: string;
  name?: string;
  password?: string;
  isAdmin?: boolean;
}

function otherAdmins(store: Store, id: number): number {
  return (
    store.db
      .select({ n: sql<number>`count(*)` })
      .from(userAccount)
      .where(and(eq(userAccount.is_admin, true), ne(userAccount.id, id)))
      .get()?.n ?? 0
  );
}

export async function updateUserAccount(store: Store, id: number, changes: UserAccountChanges): Promise<UserAccountRow> {
  const passwordHash = changes.password !== undefined ? await hashPassword(changes.password) : undefined;
  const email = changes.email?.trim().toLowerCase();
  return write(store, () => {
    if (email) {
      const clash = store.db.select().from(userAccount).where(eq(userAccount.email, email)).get();
      if (clash && clash.id !== id) throw new StoreError('ALREADYEXISTS', `user ${email} already exists`);
    }
    // The last administrator cannot demote themselves: nobody could manage Heron afterwards.
    if (changes.isAdmin === false && otherAdmins(store, id) === 0) throw new StoreError('CANNOT', 'the last administrator must stay one');
    const row = store.db
      .update(userAccount)
      .set({
        ...(email ? { email } : {}),
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(passwordHash ? { password_hash: passwordHash } : {}),
        ...(changes.isAdmin !== undefined ? { is_admin: changes.isAdmin } : {}),
        updated_at: now(),
      })
      .where(eq(userAccount.id, id))
      .returning()
      .get();
    if (!row) throw new StoreError('NONEXISTENT', 'user does not exist');
    return row;
  });
}

/** Deletes a user and their tokens; their mail accounts and servers stay, without owner. */
export async function deleteUserAccount(store: Store, id: number): Promise<void> {
  await write(store, () => {
    const row = store.db.select().from(userAccount).where(eq(userAccount.id, id)).get();
    if (!row) throw new StoreError('NONEXISTENT', 'user does not exist');
    if (row.is_admin && otherAdmins(store, id) === 0) throw new StoreError('CANNOT', 'the last administrator cannot be deleted');
    store.db.delete(userAccount).where(eq(userAccount.id, id)).run();
  });
}
