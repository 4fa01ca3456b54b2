// Finding a stored message by its API id (reference_id), for replies and forwards.
import { eq } from 'drizzle-orm';
import { mail, mailAccount } from '../tables.ts';
import type { Store } from './store.ts';

export interface MailReference {
  id: number;
  mailboxId: number;
  accountId: number;
  uid: number;
  rawId: number;
  messageId: string;
  subject: string;
  /** user_account that owns the message's mail_account, if any. */
  ownerUserId: number | null;
}

export async function findMailByReferenceId(store: Store, referenceId: string): Promise<MailReference | undefined> {
  const row = store.db
    .select({
      id: mail.id,
      mailboxId: mail.mail_box_id,
      accountId: mail.mail_account_id,
      uid: mail.uid,
      rawId: mail.mail_raw_id,
      messageId: mail.message_id,
      subject: mail.subject,
      ownerUserId: mailAccount.user_account_id,
    })
    .from(mail)
    .innerJoin(mailAccount, eq(mailAccount.id, mail.mail_account_id))
    .where(eq(mail.reference_id, referenceId))
    .get();
  return row ?? undefined;
}
