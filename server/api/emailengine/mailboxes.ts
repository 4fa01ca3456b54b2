// Mailboxes as EmailEngine names and lists them: a `path` is the mailbox name
// ("/" separated), or a special-use flag such as "\Sent" standing for the
// mailbox that has it ("\Inbox" for INBOX); listings carry EmailEngine's
// fields, special-use mailboxes first in its order, then by path.
import {
  HIERARCHY_DELIMITER,
  findMailbox,
  listMailboxes,
  type MailboxCounters,
  type MailBoxRow,
  mailboxCounters,
  type Store,
} from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import { specialUseOf } from './message-info.ts';

/** EmailEngine's (and ImapFlow's) order of special-use mailboxes. */
const SPECIAL_USE_ORDER = ['\\Inbox', '\\Flagged', '\\Sent', '\\Drafts', '\\All', '\\Archive', '\\Junk', '\\Trash'];

export const folderNotFound = () => new HttpError(404, 'Not Found', 'Requested mailbox folder was not found', { code: 'FolderNotFound' });

/** The mailbox a path names (a name or a special-use flag), or null. */
export async function findByPath(store: Store, accountId: number, path: string): Promise<MailBoxRow | null> {
  if (path.startsWith('\\')) {
    const wanted = path.toLowerCase();
    return (await listMailboxes(store, accountId)).find((m) => !m.noselect && specialUseOf(m)?.toLowerCase() === wanted) ?? null;
  }
  return (await findMailbox(store, accountId, path)) ?? null;
}

/** A mailbox that can hold messages, named by `path` (404 otherwise). */
export async function selectableMailbox(store: Store, accountId: number, path: string): Promise<MailBoxRow> {
  const mailbox = await findByPath(store, accountId, path);
  if (!mailbox || mailbox.noselect) throw folderNotFound();
  return mailbox;
}

/** A path given as a list of names (EmailEngine's array form) or as one string. */
export function joinPath(path: string | string[]): string {
  if (typeof path === 'string') return path;
  if (path.some((p) => p === '' || p.includes(HIERARCHY_DELIMITER))) {
    throw new HttpError(400, 'Bad Request', `Invalid input: path: a name in the list may not be empty or contain "${HIERARCHY_DELIMITER}"`);
  }
  return path.join(HIERARCHY_DELIMITER);
}

export interface MailboxEntry {
  path: string;
  delimiter: string;
  parentPath: string;
  name: string;
  listed: boolean;
  subscribed: boolean;
  specialUse?: string;
  specialUseSource?: 'name' | 'extension';
  noInferiors: boolean;
  messages: number;
  uidNext: number;
  uidValidity: string;
  status?: { messages: number; unseen: number };
}

function entry(m: MailBoxRow, counters: MailboxCounters, withStatus: boolean): MailboxEntry {
  const cut = m.name.lastIndexOf(HIERARCHY_DELIMITER);
  const specialUse = specialUseOf(m);
  return {
    path: m.name,
    delimiter: HIERARCHY_DELIMITER,
    parentPath: cut === -1 ? '' : m.name.slice(0, cut),
    name: cut === -1 ? m.name : m.name.slice(cut + 1),
    listed: true,
    subscribed: m.subscribed,
    // INBOX is special by its name; the others carry the attribute Heron lists (RFC 6154).
    ...(specialUse ? { specialUse, specialUseSource: m.name === 'INBOX' ? ('name' as const) : ('extension' as const) } : {}),
    noInferiors: false,
    messages: counters.messages,
    uidNext: m.uidnext,
    uidValidity: String(m.uidvalidity),
    ...(withStatus ? { status: { messages: counters.messages, unseen: counters.unseen } } : {}),
  };
}

const rank = (e: MailboxEntry) => (e.specialUse ? SPECIAL_USE_ORDER.indexOf(e.specialUse) : SPECIAL_USE_ORDER.length);

/** Every selectable mailbox of the account (\Noselect names are left out, as EmailEngine does). */
export async function mailboxListing(store: Store, accountId: number, withStatus: boolean): Promise<MailboxEntry[]> {
  const [boxes, counters] = await Promise.all([listMailboxes(store, accountId), mailboxCounters(store, accountId)]);
  return boxes
    .filter((m) => !m.noselect)
    .map((m) => entry(m, counters.get(m.id) ?? { messages: 0, unseen: 0 }, withStatus))
    .sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}
