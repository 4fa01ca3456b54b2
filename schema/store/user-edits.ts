// Admin API edits of user_account rows (sign-up uses createUserAccount).
import { userAccount } from '../tables.ts';
import { StoreError } from './errors.ts';
import { hashPassword } from './passwords.ts';
import { rowOrUndefined, updateRows } from './row-codec.ts';
import type { UserAccountRow } from './rows.ts';
import { now, type Store, write, type WriteContext } from './store.ts';

export interface UserAccountChanges {
  email?: string;
  name?: string;
  password?: string;
  isAdmin?: boolean;
}

async function otherAdmins(tx: WriteContext, id: number): Promise<number> {
  // Locked (on PostgreSQL): two demotions at once must not leave nobody in charge.
  const rows = await tx.all(`SELECT id FROM user_account WHERE is_admin = 1 AND id <> ?${tx.dialect.forUpdate}`, id);
  return rows.length;
}

export async function updateUserAccount(store: Store, id: number, changes: UserAccountChanges): Promise<UserAccountRow> {
  const passwordHash = changes.password !== undefined ? await hashPassword(changes.password) : undefined;
  const email = changes.email?.trim().toLowerCase();
  return write(store, async (tx) => {
    if (email) {
      const clash = await tx.get<{ id: number }>(`SELECT id FROM user_account WHERE email = ?`, email);
      if (clash && clash.id !== id) throw new StoreError('ALREADYEXISTS', `user ${email} already exists`);
    }
    // The last administrator cannot demote themselves: nobody could manage Heron afterwards.
    if (changes.isAdmin === false && (await otherAdmins(tx, id)) === 0) throw new StoreError('CANNOT', 'the last administrator must stay one');
    const [row] = await updateRows(
      tx,
      userAccount,
      {
        ...(email ? { email } : {}),
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(passwordHash ? { password_hash: passwordHash } : {}),
        ...(changes.isAdmin !== undefined ? { is_admin: changes.isAdmin } : {}),
        updated_at: now(),
      },
      'id = ?',
      id,
    );
    if (!row) throw new StoreError('NONEXISTENT', 'user does not exist');
    return row;
  });
}

/** Deletes a user and their tokens; their mail accounts and servers stay, without owner. */
export async function deleteUserAccount(store: Store, id: number): Promise<void> {
  await write(store, async (tx) => {
    const row = rowOrUndefined(userAccount, await tx.get(`SELECT * FROM user_account WHERE id = ?`, id));
    if (!row) throw new StoreError('NONEXISTENT', 'user does not exist');
    if (row.is_admin && (await otherAdmins(tx, id)) === 0) throw new StoreError('CANNOT', 'the last administrator cannot be deleted');
    await tx.run(`DELETE FROM user_account WHERE id = ?`, id);
  });
}
