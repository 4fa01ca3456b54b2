// user_account: the people who sign in to the admin API.
import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { userAccount } from '../tables.ts';
import { StoreError } from './errors.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import type { UserAccountRow } from './rows.ts';
import { type Store, write } from './store.ts';

export interface NewUserAccount {
  email: string;
  name?: string;
  password: string;
  isAdmin?: boolean;
}

export async function createUserAccount(store: Store, input: NewUserAccount): Promise<UserAccountRow> {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  return write(store, () => {
    const existing = store.db.select().from(userAccount).where(eq(userAccount.email, email)).get();
    if (existing) throw new StoreError('ALREADYEXISTS', `user ${email} already exists`);
    return store.db
      .insert(userAccount)
      .values({
        reference_id: crypto.randomUUID(),
        email,
        name: input.name ?? email.split('@')[0],
        password_hash: passwordHash,
        is_admin: input.isAdmin ?? false,
      })
      .returning()
      .get();
  });
}

export async function findUserByEmail(store: Store, email: string): Promise<UserAccountRow | undefined> {
  return store.db.select().from(userAccount).where(eq(userAccount.email, email.trim().toLowerCase())).get();
}

export async function findUserById(store: Store, id: number): Promise<UserAccountRow | undefined> {
  return store.db.select().from(userAccount).where(eq(userAccount.id, id)).get();
}

export async function countAdmins(store: Store): Promise<number> {
  const row = store.db
    .select({ n: sql<number>`count(*)` })
    .from(userAccount)
    .where(eq(userAccount.is_admin, true))
    .get();
  return row?.n ?? 0;
}

/** Checks an email and password; the cost is the same whether or not the user exists. */
export async function verifyUserLogin(store: Store, email: string, password: string): Promise<UserAccountRow | null> {
  const user = await findUserByEmail(store, email);
  const ok = await verifyPassword(password, user?.password_hash ?? (await decoyPasswordHash()));
  return user && ok ? user : null;
}

export async function listUserAccounts(store: Store): Promise<UserAccountRow[]> {
  return store.db.select().from(userAccount).orderBy(userAccount.id).all();
}
