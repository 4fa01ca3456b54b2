// user_account: the people who sign in to the admin API.
import crypto from 'node:crypto';
import { userAccount } from '../tables.ts';
import { StoreError } from './errors.ts';
import { decoyPasswordHash, hashPassword, verifyPassword } from './passwords.ts';
import { insertRow, rowOrUndefined, rowsOf } from './row-codec.ts';
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
  return write(store, async (tx) => {
    if (await tx.get(`SELECT 1 FROM user_account WHERE email = ?`, email)) throw new StoreError('ALREADYEXISTS', `user ${email} already exists`);
    return insertRow(tx, userAccount, {
      reference_id: crypto.randomUUID(),
      email,
      name: input.name ?? email.split('@')[0],
      password_hash: passwordHash,
      is_admin: input.isAdmin ?? false,
    });
  });
}

export async function findUserByEmail(store: Store, email: string): Promise<UserAccountRow | undefined> {
  return rowOrUndefined(userAccount, await store.get(`SELECT * FROM user_account WHERE email = ?`, email.trim().toLowerCase()));
}

export async function findUserById(store: Store, id: number): Promise<UserAccountRow | undefined> {
  return rowOrUndefined(userAccount, await store.get(`SELECT * FROM user_account WHERE id = ?`, id));
}

export async function countAdmins(store: Store): Promise<number> {
  const row = await store.get<{ n: number }>(`SELECT count(*) AS n FROM user_account WHERE is_admin = 1`);
  return row?.n ?? 0;
}

/** Checks an email and password; the cost is the same whether or not the user exists. */
export async function verifyUserLogin(store: Store, email: string, password: string): Promise<UserAccountRow | null> {
  const user = await findUserByEmail(store, email);
  const ok = await verifyPassword(password, user?.password_hash ?? (await decoyPasswordHash()));
  return user && ok ? user : null;
}

export async function listUserAccounts(store: Store): Promise<UserAccountRow[]> {
  return rowsOf(userAccount, await store.all(`SELECT * FROM user_account ORDER BY id`));
}
