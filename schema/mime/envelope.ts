// Builds the RFC 3501 §7.4.2 ENVELOPE from a header block. Strings stay as the
// raw header text (encoded words are not decoded), as IMAP requires.
import { parseAddressList } from './address.ts';
import { type HeaderField, headerValue, headerValues } from './headers.ts';
import type { Envelope } from './types.ts';

export { parseAddressList };

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
