// The shapes the MIME indexer produces at delivery and stores as JSON on the
// `mail` row. IMAP renders ENVELOPE and BODYSTRUCTURE from these and uses the
// byte offsets to serve BODY[section] without re-parsing the message.
import type { SortKeys } from './sort-keys.ts';

/** RFC 3501 §7.4.2 address structure: (name adl mailbox host). Strings are raw header text. */
export interface EnvelopeAddress {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

/** RFC 3501 §7.4.2 ENVELOPE fields, as raw (undecoded) header strings. */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: EnvelopeAddress[] | null;
  sender: EnvelopeAddress[] | null;
  replyTo: EnvelopeAddress[] | null;
  to: EnvelopeAddress[] | null;
  cc: EnvelopeAddress[] | null;
  bcc: EnvelopeAddress[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

export interface MimeDisposition {
  type: string;
  params: Record<string, string>;
}

/**
 * Header values of an entity as written, for BODYSTRUCTURE: Dovecot (our
 * reference) keeps the case of types, subtypes, parameter names and values,
 * keeps duplicate parameters, and joins RFC 2231 continuations without
 * decoding them. Parameters are [name, value] pairs in header order.
 */
export interface MimeWire {
  /** Content-Type type and subtype as written; null when absent or unparseable (the defaults apply). */
  type: string | null;
  subtype: string | null;
  params: Array<[string, string]>;
  /** Content-Transfer-Encoding token as written, or null when absent. */
  encoding: string | null;
  disposition: { type: string; params: Array<[string, string]> } | null;
}

/**
 * One MIME entity. Offsets are byte positions in the raw message:
 * [headerStart, bodyStart) is the entity's header block including the blank
 * line that ends it; [bodyStart, bodyEnd) is its body.
 */
export interface MimePart {
  headerStart: number;
  bodyStart: number;
  bodyEnd: number;
  /** Lower-case media type and subtype, e.g. "text" / "plain". */
  type: string;
  subtype: string;
  /** Content-Type parameters with lower-case names; RFC 2231 continuations joined. */
  params: Record<string, string>;
  id: string | null;
  description: string | null;
  /** Content-Transfer-Encoding as written, upper-cased; "7BIT" when absent. */
  encoding: string;
  md5: string | null;
  disposition: MimeDisposition | null;
  language: string[] | null;
  location: string | null;
  /** Body size in octets. */
  size: number;
  /** Body size in lines (LF count, as Dovecot counts), for text/* and message/rfc822. */
  lines: number;
  /** The same header values as written, for BODYSTRUCTURE. */
  wire: MimeWire;
  /** Children of a multipart/*. */
  parts?: MimePart[];
  /** The embedded message of a message/rfc822 (its root part and envelope). */
  message?: { envelope: Envelope; root: MimePart };
}

/** Everything the store needs from one parse of a message. */
export interface IndexedMessage {
  envelope: Envelope;
  root: MimePart;
  /** Decoded header values the metadata columns use. */
  subject: string;
  messageId: string;
  inReplyTo: string;
  /** The References header(s) as written (RFC 5322 §3.6.4), '' when absent. */
  references: string;
  dateHeader: number | null;
  from: string;
  to: string;
  cc: string;
  bcc: string;
  replyTo: string;
  sender: string;
  contentType: string;
  hasAttachment: boolean;
  /** Decoded header lines and text bodies for the full-text index. */
  headerText: string;
  bodyText: string;
  /** What SORT and THREAD order and link by. */
  sortKeys: SortKeys;
  /** RFC 8970 preview ('' when the message has no text part). */
  preview: string;
}
