// What an IMAP URL (RFC 5092) names, read from the store: the bytes of a
// message or of one of its sections, as BODY.PEEK[section]<partial> would
// return them (no \Seen is set: RFC 4469 §3, RFC 4467 §6.3). Used by CATENATE
// and URLFETCH. The length is known before any byte is read, so a caller can
// refuse an oversized result ([TOOBIG]) first; the bytes are then read in
// pieces, never the whole message at once.
import { findMailbox, getMessages, type MessageMeta, rawChunkSize, readRawChunks, readRawRange, type Store } from '../../schema/index.ts';
import { filterHeader, locateSection } from '../mime/section.ts';
import type { Session } from '../session.ts';
import type { ImapUrl } from './imap-url.ts';

export interface UrlPart {
  length: number;
  chunks(): AsyncIterable<Buffer>;
}

/** Whether an absolute URL names this server (the port is not compared: one server, several listeners). */
export function namesThisServer(session: Session, url: ImapUrl): boolean {
  return url.server === null || url.server.host === session.deps.hostname.toLowerCase();
}

/** The URL names nothing this reader may read (RFC 4469 §5 / RFC 4467 §6.3: [BADURL], or NIL). */
export class BadUrl extends Error {}

/**
 * A URL as text a response code may carry (RFC 4469 §5 url-resp-text: TEXT-CHAR but "]"):
 * anything else is %-escaped. `url` holds the client's bytes as latin1 characters.
 */
export function urlRespText(url: string): string {
  // eslint-disable-next-line no-control-regex
  const out = url.replace(/[\x00-\x1f\x7f-\xff\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return out === '' ? '/' : out.slice(0, 1024);
}

/** The message `url` names in account `accountId`'s mailboxes. Throws BadUrl when the mailbox, UIDVALIDITY or message does not match or exist. */
export async function locateUrlMessage(store: Store, accountId: number, url: ImapUrl): Promise<MessageMeta> {
  const mailbox = await findMailbox(store, accountId, url.mailbox);
  if (!mailbox || mailbox.noselect) throw new BadUrl('no such mailbox');
  if (url.uidvalidity !== null && url.uidvalidity !== mailbox.uidvalidity) throw new BadUrl('UIDVALIDITY does not match');
  const [message] = await getMessages(store, mailbox.id, [url.uid]);
  if (!message) throw new BadUrl('no such message');
  return message;
}

/**
 * The part `url` names in account `accountId`'s mailboxes (the caller has
 * decided whose mailboxes the URL may reach). Throws BadUrl when the mailbox,
 * UIDVALIDITY, message or section does not match or exist.
 */
export async function locateUrlPart(store: Store, accountId: number, url: ImapUrl): Promise<UrlPart> {
  return messageUrlPart(store, await locateUrlMessage(store, accountId, url), url);
}

/** The part `url` names in `message` (the message it names). Throws BadUrl when the section does not exist. */
export async function messageUrlPart(store: Store, message: MessageMeta, url: ImapUrl): Promise<UrlPart> {
  const place = url.section ? locateSection(message.root, url.section.spec) : { start: 0, end: message.size };
  if (!place) throw new BadUrl('no such section');
  const start = Math.min(place.start, message.size);
  const end = Math.min(Math.max(place.end, start), message.size);
  const cut = (length: number): { from: number; to: number } => {
    // RFC 5092 §5: PARTIAL as FETCH's <origin.size>; past the end is empty.
    const from = url.partial ? Math.min(url.partial.start, length) : 0;
    const to = url.partial?.length != null ? Math.min(from + url.partial.length, length) : length;
    return { from, to };
  };
  const fields = place.fields;
  if (fields) {
    // HEADER.FIELDS[.NOT]: the filtered header block, read whole (a header block, not a body).
    const header = await readRawRange(store, message.rawId, start, end - start);
    const filtered = filterHeader(header, 0, header.length, fields.names, fields.keep);
    const { from, to } = cut(filtered.length);
    const bytes = filtered.subarray(from, to);
    return { length: bytes.length, chunks: async function* () { yield bytes; } };
  }
  const { from, to } = cut(end - start);
  return { length: to - from, chunks: () => readRawChunks(store, message.rawId, start + from, start + to, rawChunkSize(store, message.size)) };
}
