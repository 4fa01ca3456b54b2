// A stored message as EmailEngine shows it: the listing entry (GET …/messages,
// search) and the details (GET …/message/:id), built from the metadata stored
// at delivery: decoded subject and addresses, flags as booleans, the text and
// attachment parts with their ids.
import {
  decodeWords,
  envelopeAddresses,
  type EnvelopeAddress,
  findBodyStart,
  type MailBoxRow,
  type MessageListingColumns,
  type MessageMeta,
  parseHeaderFields,
  readRawRange,
  type Store,
} from '../../../schema/index.ts';
import { textId } from './ids.ts';
import { emailIdOf, threadIdOf } from './object-ids.ts';
import { type AttachmentEntry, messageParts } from './parts.ts';

export interface Address {
  name?: string;
  address: string;
}

/** What EmailEngine calls specialUse for a mailbox: the RFC 6154 attribute, and \Inbox for INBOX. */
export function specialUseOf(mailbox: Pick<MailBoxRow, 'name' | 'special_use'>): string | undefined {
  return mailbox.name === 'INBOX' ? '\\Inbox' : (mailbox.special_use ?? undefined);
}

/** The five special-use values EmailEngine reports as a message's messageSpecialUse. */
const MESSAGE_SPECIAL_USES = new Set(['\\Junk', '\\Sent', '\\Trash', '\\Inbox', '\\Drafts']);

/** An ENVELOPE address list as EmailEngine shows it: {name, address}, the name left out when there is none. */
export function addressList(list: readonly EnvelopeAddress[] | null): Address[] {
  return envelopeAddresses(list).map(({ name, address }) => (name ? { name, address } : { address }));
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined);

export interface MessageEntry {
  id: string;
  uid: number;
  path: string;
  emailId: string;
  threadId: string;
  date: string;
  flags: string[];
  unseen: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
  size: number;
  subject?: string;
  from?: Address;
  replyTo?: Address[];
  to?: Address[];
  cc?: Address[];
  messageId?: string;
  inReplyTo?: string;
  attachments?: AttachmentEntry[];
  text: { id: string; encodedSize: { plain?: number; html?: number } };
  messageSpecialUse?: string;
}

export interface MessageDetails extends MessageEntry {
  sender?: Address;
  bcc?: Address[];
  headers: Record<string, string[]>;
  specialUse?: string;
  text: MessageEntry['text'] & { plain?: string; html?: string; hasMore?: boolean };
}

/** The listing entry. `threadId` comes from object-ids.ts (it reads the header). */
export function messageEntry(meta: MessageMeta, columns: MessageListingColumns, mailbox: MailBoxRow, threadId: string): MessageEntry {
  const env = meta.envelope;
  const parts = messageParts(meta.referenceId, meta.root);
  const specialUse = specialUseOf(mailbox);
  const subject = decodeWords(env.subject);
  return {
    id: meta.referenceId,
    uid: meta.uid,
    path: mailbox.name,
    emailId: emailIdOf(columns.hash),
    threadId,
    // EmailEngine: the Date: header when it parses, else the arrival time.
    date: new Date(columns.dateHeader ?? meta.internalDate).toISOString(),
    flags: meta.flags,
    unseen: !meta.flags.includes('\\Seen'),
    flagged: meta.flags.includes('\\Flagged'),
    answered: meta.flags.includes('\\Answered'),
    draft: meta.flags.includes('\\Draft'),
    size: meta.size,
    ...(subject ? { subject } : {}),
    from: addressList(env.from)[0],
    replyTo: nonEmpty(addressList(env.replyTo)),
    to: nonEmpty(addressList(env.to)),
    cc: nonEmpty(addressList(env.cc)),
    ...(env.messageId?.trim() ? { messageId: env.messageId.trim() } : {}),
    ...(env.inReplyTo?.trim() ? { inReplyTo: env.inReplyTo.trim() } : {}),
    attachments: nonEmpty(parts.attachments),
    text: { id: textId(meta.referenceId), encodedSize: parts.encodedSize },
    ...(specialUse && MESSAGE_SPECIAL_USES.has(specialUse) ? { messageSpecialUse: specialUse } : {}),
  };
}

export async function listingEntries(store: Store, mailbox: MailBoxRow, metas: MessageMeta[], columns: Map<number, MessageListingColumns>): Promise<MessageEntry[]> {
  const out: MessageEntry[] = [];
  for (const meta of metas) {
    const c = columns.get(meta.uid);
    if (!c) continue; // expunged between the two reads
    out.push(messageEntry(meta, c, mailbox, await threadIdOf(store, meta, c.hash)));
  }
  return out;
}

/** Header names that would become Object.prototype members (EmailEngine drops them too). */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The top-level header as EmailEngine's `headers`: lower-case names, each with its values (unfolded, not decoded), in order. */
export async function headersOf(store: Store, meta: Pick<MessageMeta, 'rawId' | 'root'>): Promise<Record<string, string[]>> {
  const header = await readRawRange(store, meta.rawId, 0, meta.root.bodyStart);
  const fields = parseHeaderFields(header, 0, findBodyStart(header, 0, header.length));
  const out = new Map<string, string[]>();
  for (const f of fields) {
    if (UNSAFE_KEYS.has(f.key)) continue;
    const values = out.get(f.key) ?? [];
    values.push(f.value);
    out.set(f.key, values);
  }
  return Object.fromEntries(out);
}

export async function messageDetails(store: Store, meta: MessageMeta, columns: MessageListingColumns, mailbox: MailBoxRow): Promise<MessageDetails> {
  const entry = messageEntry(meta, columns, mailbox, await threadIdOf(store, meta, columns.hash));
  const specialUse = specialUseOf(mailbox);
  return {
    ...entry,
    sender: addressList(meta.envelope.sender)[0],
    bcc: nonEmpty(addressList(meta.envelope.bcc)),
    headers: await headersOf(store, meta),
    ...(specialUse ? { specialUse } : {}),
  };
}
