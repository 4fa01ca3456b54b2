// Finding a message of an account by its API id, and a page of a mailbox's
// messages newest first with EmailEngine's paging fields (page, pages, total,
// and its paging cursors).
import {
  findMailboxById,
  findMailByReferenceId,
  getMessages,
  listingColumns,
  type MailBoxRow,
  type MessageMeta,
  type Store,
} from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import { isMessageId } from './ids.ts';
import { listingEntries, type MessageEntry } from './message-info.ts';

export const messageNotFound = () => new HttpError(404, 'Not Found', 'Requested message was not found', { code: 'MessageNotFound' });

export interface StoredMessage {
  meta: MessageMeta;
  mailbox: MailBoxRow;
}

/** A message of the account by its id (404 when there is none, it is another account's, or it went meanwhile). */
export async function storedMessage(store: Store, accountId: number, id: string): Promise<StoredMessage> {
  if (!isMessageId(id)) throw messageNotFound();
  const ref = await findMailByReferenceId(store, id.toLowerCase());
  if (!ref || ref.accountId !== accountId) throw messageNotFound();
  const [[meta], mailbox] = await Promise.all([getMessages(store, ref.mailboxId, [ref.uid]), findMailboxById(store, ref.mailboxId)]);
  if (!meta || !mailbox) throw messageNotFound();
  return { meta, mailbox };
}

export interface MessagePage {
  total: number;
  page: number;
  pages: number;
  nextPageCursor: string | null;
  prevPageCursor: string | null;
  messages: MessageEntry[];
}

/** EmailEngine's cursor: "imap_" and base64url of {"page":n}. */
export const encodeCursor = (page: number): string => `imap_${Buffer.from(JSON.stringify({ page })).toString('base64url')}`;

export function decodeCursor(cursor: string): number {
  const invalid = () => new HttpError(400, 'Bad Request', 'Invalid paging cursor', { code: 'InvalidCursorValue' });
  const [type, data] = cursor.includes('_') ? [cursor.slice(0, cursor.indexOf('_')), cursor.slice(cursor.indexOf('_') + 1)] : ['imap', cursor];
  if (type !== 'imap') throw new HttpError(400, 'Bad Request', 'Invalid cursor', { code: 'InvalidCursorType' });
  try {
    const { page } = JSON.parse(Buffer.from(data, 'base64url').toString()) as { page?: unknown };
    if (typeof page === 'number' && Number.isInteger(page) && page >= 0 && page <= 1024 * 1024) return page;
  } catch {
    // not JSON
  }
  throw invalid();
}

/** One page of `total` messages, the page's UIDs given newest first. */
export async function messagePage(store: Store, mailbox: MailBoxRow, pageUids: number[], total: number, page: number, pageSize: number): Promise<MessagePage> {
  const pages = Math.ceil(total / pageSize) || 1;
  const metas = (await getMessages(store, mailbox.id, pageUids)).sort((a, b) => b.uid - a.uid);
  const columns = await listingColumns(store, mailbox.id, pageUids);
  return {
    total,
    page,
    pages,
    nextPageCursor: page < pages - 1 ? encodeCursor(page + 1) : null,
    prevPageCursor: page > 0 ? encodeCursor(Math.min(page - 1, pages - 1)) : null,
    messages: await listingEntries(store, mailbox, metas, columns),
  };
}
