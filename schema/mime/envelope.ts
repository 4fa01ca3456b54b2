// Builds the RFC 3501 §7.4.2 ENVELOPE from a header block. Strings stay as the
// raw header text (encoded words are not decoded), as IMAP requires.
import addressparser, { type Address } from 'nodemailer/lib/addressparser';
import { type HeaderField, headerValue, headerValues } from './headers.ts';
import type { Envelope, EnvelopeAddress } from './types.ts';

function toEnvelopeAddress(name: string, address: string): EnvelopeAddress {
  const at = address.lastIndexOf('@');
  return {
    name: name || null,
    adl: null,
    mailbox: at === -1 ? address || null : address.slice(0, at),
    host: at === -1 ? null : address.slice(at + 1),
  };
}

/**
 * Parses an address header into IMAP address structures. Groups become a start
 * marker (mailbox = group name, host = NIL), their members, and an end marker
 * (all NIL), as RFC 3501 §7.4.2 describes.
 */
export function parseAddressList(value: string | null): EnvelopeAddress[] | null {
  if (value === null || value.trim() === '') return null;
  const out: EnvelopeAddress[] = [];
  const walk = (list: Address[]) => {
    for (const entry of list) {
      if (entry.group !== undefined) {
        out.push({ name: null, adl: null, mailbox: entry.name || '', host: null });
        walk(entry.group);
        out.push({ name: null, adl: null, mailbox: null, host: null });
      } else if (entry.address || entry.name) {
        out.push(toEnvelopeAddress(entry.name, entry.address));
      }
    }
  };
  walk(addressparser(value));
  return out.length ? out : null;
}

export function buildEnvelope(fields: HeaderField[]): Envelope {
  const from = parseAddressList(headerValues(fields, 'from'));
  // RFC 3501 §7.4.2: the server defaults Sender and Reply-To to From.
  const sender = parseAddressList(headerValue(fields, 'sender')) ?? from;
  const replyTo = parseAddressList(headerValues(fields, 'reply-to')) ?? from;
  return {
    date: headerValue(fields, 'date'),
    subject: headerValue(fields, 'subject'),
    from,
    sender,
    replyTo,
    to: parseAddressList(headerValues(fields, 'to')),
    cc: parseAddressList(headerValues(fields, 'cc')),
    bcc: parseAddressList(headerValues(fields, 'bcc')),
    inReplyTo: headerValue(fields, 'in-reply-to'),
    messageId: headerValue(fields, 'message-id'),
  };
}
