// Admin API edits of mail_account rows beyond the password: address, server, owner.
import { eq } from 'drizzle-orm';
import { mailAccount } from '../tables.ts';
import { normalizeAddress } from './accounts.ts';
import { StoreError } from './errors.ts';
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
  return write(store, (ctx) => {
    if (username) {
      const clash = store.db.select().from(mailAccount).where(eq(mailAccount.username, username)).get();
      if (clash && clash.id !== id) throw new StoreError('ALREADYEXISTS', `mail account ${username} already exists`);
    }
    const row = store.db
      .update(mailAccount)
      .set({
        ...(username ? { username } : {}),
        ...(changes.mailServerId !== undefined ? { mail_server_id: changes.mailServerId } : {}),
        ...(changes.userAccountId !== undefined ? { user_account_id: changes.userAccountId } : {}),
        updated_at: now(),
      })
      .where(eq(mailAccount.id, id))
      .returning()
      .get();
    if (!row) throw new StoreError('NONEXISTENT', 'mail account does not exist');
    // Sessions signed in under the old address look their account up again.
    ctx.notify('mailboxes', { accountId: id });
    return row;
  });
}
