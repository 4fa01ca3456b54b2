// The keys SORT (RFC 5256 §3, RFC 5957 §3) and THREAD (RFC 5256 §4) order
// and link messages by, computed once at delivery and stored on the `mail` row
// (the sent date is stored there too: the Date: header, else the internal date).
// Strings are in i;unicode-casemap form (RFC 5051), so the store orders them
// byte-wise, and bounded in size so they fit an index on either engine.
import { baseSubject } from './base-subject.ts';
import { casemap } from './casemap.ts';
import { decodeWords } from './encoded-words.ts';
import { type HeaderField, headerValue } from './headers.ts';
import { firstMessageId, REFERENCES_SEPARATOR, threadReferences } from './message-ids.ts';
import { truncateBytes } from './truncate.ts';
import type { Envelope, EnvelopeAddress } from './types.ts';

/** Stored key sizes in UTF-8 bytes; longer keys are cut (they then order by their first this-many bytes). */
export const MAX_SUBJECT_KEY_BYTES = 512;
export const MAX_ADDRESS_KEY_BYTES = 200;

/**
 * What a row stores so that SORT and THREAD need no parsing; bump
 * SORT_KEYS_VERSION when the way any key is computed changes, and existing
 * rows are computed again (see schema/store/sort-keys.ts).
 */
export const SORT_KEYS_VERSION = 1;

export interface SortKeys {
  /** SUBJECT: the base subject (RFC 5256 §2.1). */
  subject: string;
  /** The subject marked a reply or forward (REFERENCES step 5). */
  subjectIsReply: boolean;
  /** FROM, TO, CC: the addr-mailbox (local part) of the first address (RFC 5256 §3). */
  from: string;
  to: string;
  cc: string;
  /** DISPLAYFROM, DISPLAYTO: the first address's display name, else its addr-spec (RFC 5957 §3). */
  displayFrom: string;
  displayTo: string;
  /** THREAD's Message ID for the message: its first valid one, normalized; "" when none. */
  messageId: string;
  /** THREAD's parent chain: the valid IDs of References, else the first of In-Reply-To; joined by REFERENCES_SEPARATOR. */
  references: string;
}

const key = (text: string, max: number) => truncateBytes(casemap(text), max);

/** RFC 5256 §3: the addr-mailbox of the first address (of a group: its name, as IMAP's ENVELOPE has it). */
function firstMailbox(list: readonly EnvelopeAddress[] | null): string {
  return list?.[0]?.mailbox ?? '';
}

/**
 * RFC 5957 §3: the display name of the first address (RFC 2047-decoded); when
 * it has none or it is empty, the addr-spec ("mailbox@host"), or the mailbox
 * alone for a group (as Dovecot does).
 */
function firstDisplay(list: readonly EnvelopeAddress[] | null): string {
  const first = list?.[0];
  if (!first) return '';
  const name = first.name ? decodeWords(first.name) : '';
  if (name !== '') return name;
  if (first.mailbox !== null && first.host !== null) return `${first.mailbox}@${first.host}`;
  return first.mailbox ?? '';
}

export function sortKeys(fields: HeaderField[], envelope: Envelope): SortKeys {
  const base = baseSubject(headerValue(fields, 'subject'));
  return {
    subject: truncateBytes(base.subject, MAX_SUBJECT_KEY_BYTES),
    subjectIsReply: base.replyOrForward,
    from: key(firstMailbox(envelope.from), MAX_ADDRESS_KEY_BYTES),
    to: key(firstMailbox(envelope.to), MAX_ADDRESS_KEY_BYTES),
    cc: key(firstMailbox(envelope.cc), MAX_ADDRESS_KEY_BYTES),
    displayFrom: key(firstDisplay(envelope.from), MAX_ADDRESS_KEY_BYTES),
    displayTo: key(firstDisplay(envelope.to), MAX_ADDRESS_KEY_BYTES),
    messageId: firstMessageId(headerValue(fields, 'message-id')),
    references: threadReferences(headerValue(fields, 'references'), headerValue(fields, 'in-reply-to')).join(REFERENCES_SEPARATOR),
  };
}
