// The JSON body of a webhook POST, in EmailEngine's shape: account, date,
// path, specialUse, event, data; plus eventId, the queue row's id, which stays
// the same across retries and restarts so a receiver can de-duplicate.
// messageNew's data is the message's listing entry (as GET …/messages shows it)
// when the message still exists at the first attempt, else the ids the
// transaction recorded.
import {
  findMailboxById,
  findMailByReferenceId,
  getMessages,
  listingColumns,
  type Store,
  type WebhookEventRow,
} from '../../schema/index.ts';
import { listingEntries, type MessageEntry, specialUseOf } from '../api/emailengine/message-info.ts';

async function messageSummary(store: Store, id: string): Promise<MessageEntry | null> {
  const ref = await findMailByReferenceId(store, id);
  if (!ref) return null;
  const [metas, mailbox, columns] = await Promise.all([
    getMessages(store, ref.mailboxId, [ref.uid]),
    findMailboxById(store, ref.mailboxId),
    listingColumns(store, ref.mailboxId, [ref.uid]),
  ]);
  if (!mailbox) return null;
  const [entry] = await listingEntries(store, mailbox, metas, columns);
  return entry ?? null;
}

export async function webhookBody(store: Store, row: WebhookEventRow): Promise<string> {
  let data = JSON.parse(row.data) as Record<string, unknown>;
  if (row.event === 'messageNew' && typeof data.id === 'string') data = { ...data, ...(await messageSummary(store, data.id)) };
  const specialUse = row.path === null ? undefined : specialUseOf({ name: row.path, special_use: typeof data.specialUse === 'string' ? data.specialUse : typeof data.messageSpecialUse === 'string' ? data.messageSpecialUse : null });
  return JSON.stringify({
    account: row.account,
    date: new Date(row.created_at).toISOString(),
    ...(row.path !== null ? { path: row.path } : {}),
    ...(specialUse ? { specialUse } : {}),
    event: row.event,
    eventId: row.reference_id,
    data,
  });
}
