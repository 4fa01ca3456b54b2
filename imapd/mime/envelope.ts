// RFC 3501 §7.4.2 ENVELOPE rendering from the envelope stored at delivery.
// Strings are the raw header text (encoded words stay encoded). Like Dovecot,
// the subject and display names are written "for humans": CR, LF and TAB become
// spaces, runs of whitespace collapse and ends are trimmed.
import type { Envelope, EnvelopeAddress } from '../../schema/index.ts';
import { literal, nstring } from '../render/quote.ts';

const NEEDS_CHANGE = /[\0\t\r\n"\\\u0080-\uffff]|^ | $| {2}/;

/** Dovecot's imap_append_string_for_humans: a quoted string when nothing needs changing, else a literal. */
export function humanString(value: string | null): string {
  if (value === null) return 'NIL';
  if (!NEEDS_CHANGE.test(value)) return nstring(value);
  const text = value.replace(/[\t\r\n ]+/g, ' ').trim();
  if (text === '') return '""';
  return literal(text); // literal() sends NUL as 0x80
}

function renderAddress(a: EnvelopeAddress): string {
  return `(${humanString(a.name)} ${nstring(a.adl)} ${nstring(a.mailbox)} ${nstring(a.host)})`;
}

/** An address list, NIL when absent or empty (RFC 3501 §7.4.2). */
function renderAddresses(list: EnvelopeAddress[] | null): string {
  return list && list.length ? '(' + list.map(renderAddress).join('') + ')' : 'NIL';
}

/** "(date subject (from) (sender) (reply-to) (to) (cc) (bcc) in-reply-to message-id)" */
export function renderEnvelope(envelope: Envelope): string {
  return (
    '(' +
    [
      nstring(envelope.date),
      humanString(envelope.subject),
      renderAddresses(envelope.from),
      renderAddresses(envelope.sender),
      renderAddresses(envelope.replyTo),
      renderAddresses(envelope.to),
      renderAddresses(envelope.cc),
      renderAddresses(envelope.bcc),
      nstring(envelope.inReplyTo),
      nstring(envelope.messageId),
    ].join(' ') +
    ')'
  );
}
