// Admin API edits of mail_account rows beyond the password: address, server, owner.
import { mailAccount } from '../tables.ts';
import { normalizeAddress } from './accounts.ts';
import { StoreError } from './errors.ts';
import { updateRows } from './row-codec.ts';
import type { MailAccountRow } from './rows.ts';
import { now, type Store, write } from './store.ts';

export interface MailAccountChanges {
  username?: string;
  mailServerId?: number;
  userAccountId?: number | null;
}

export async function updateMailAccount(store: Store, id: number, changes: MailAccountChanges): Promise<MailAccountRow> {
  const username = changes.username !== undefined ? normalizeAddress(changes.username) : undefined;
  if (username !== undefined && !/^[^@\s]+@[^@\s]+$/.test(username)) throw new StoreError('CANNOT', 'username must be a full address');
  return write(store, async (tx) => {
    if (username) {
      const clash = await tx.get<{ id: number }>(`SELECT id FROM mail_account WHERE username = ?`, username);
      if (clash && clash.id !== id) throw new StoreError('ALREADYEXISTS', `mail account ${username} already exists`);
    }
    const [row] = await updateRows(
      tx,
      mailAccount,
      {
        ...(username ? { username } : {}),
        ...(changes.mailServerId !== undefined ? { mail_server_id: changes.mailServerId } : {}),
        ...(changes.userAccountId !== undefined ? { user_account_id: changes.userAccountId } : {}),
        updated_at: now(),
      },
      'id = ?',
      id,
    );
    if (!row) throw new StoreError('NONEXISTENT', 'mail account does not exist');
    // Sessions signed in under the old address look their account up again.
    tx.notify('mailboxes', { accountId: id });
    return row;
  });
}
