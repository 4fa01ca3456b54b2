// Daptin's descriptive mail_box columns (attributes, flags, permanent_flags):
// free text kept for API compatibility; IMAP computes the real values itself.
import { StoreError } from './errors.ts';
import { now, type Store, write } from './store.ts';

export interface MailboxDescriptors {
  attributes?: string;
  flags?: string;
  permanent_flags?: string;
}

export async function updateMailboxDescriptors(store: Store, mailboxId: number, changes: MailboxDescriptors): Promise<void> {
  await write(store, async (tx) => {
    const result = await tx.run(
      `UPDATE mail_box SET attributes = coalesce(?, attributes), flags = coalesce(?, flags),
         permanent_flags = coalesce(?, permanent_flags), updated_at = ? WHERE id = ?`,
      changes.attributes ?? null,
      changes.flags ?? null,
      changes.permanent_flags ?? null,
      now(),
      mailboxId,
    );
    if (result.changes === 0) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
  });
}
