// Finding a stored message by its API id (reference_id), for replies and forwards.
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
  return store.get<MailReference>(
    `SELECT m.id, m.mail_box_id AS "mailboxId", m.mail_account_id AS "accountId", m.uid, m.mail_raw_id AS "rawId",
            m.message_id AS "messageId", m.subject, a.user_account_id AS "ownerUserId"
     FROM mail m JOIN mail_account a ON a.id = m.mail_account_id WHERE m.reference_id = ?`,
    referenceId,
  );
}
