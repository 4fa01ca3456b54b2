// Message IDs (RFC 5322 §3.6.4) as THREAD compares them (RFC 5256 §4): the
// text between "<" and ">" that has an "@", with whitespace and the quotes of
// a quoted local part removed, compared case-sensitively. Anything else in
// the field (comments, phrases, broken IDs) is skipped, as Dovecot does.

/** A message's References as stored: the IDs nearest the message are kept, at most this many bytes in all. */
export const MAX_REFERENCES_BYTES = 1000;
/** An ID longer than this (RFC 5322 sets no limit) is cut to it, wherever it is written. */
export const MAX_MESSAGE_ID_BYTES = 250;
/** Stored references are joined by this (no normalized ID holds it; a quoted local part may hold a space). */
export const REFERENCES_SEPARATOR = '\n';

import { truncateBytes } from './truncate.ts';

const SPACE = /[ \t\r\n\0]+/g;

function normalized(inside: string): string | null {
  const at = inside.lastIndexOf('@');
  if (at < 0) return null;
  let local = inside.slice(0, at).trim();
  // <"quoted local"@host>: the quoted-string's content, spaces kept (RFC 5322 §3.6.4 no-fold-quote).
  if (local.length >= 2 && local.startsWith('"') && local.endsWith('"')) local = local.slice(1, -1).replace(/[\r\n\0]/g, '').replace(/\\(.)/g, '$1');
  else local = local.replace(SPACE, '');
  return truncateBytes(`${local}@${inside.slice(at + 1).replace(SPACE, '')}`, MAX_MESSAGE_ID_BYTES);
}

/** The valid Message IDs of a header value, in order. */
export function messageIds(value: string | null): string[] {
  const ids: string[] = [];
  if (!value) return ids;
  let at = value.indexOf('<');
  while (at >= 0) {
    const close = value.indexOf('>', at + 1);
    if (close < 0) break;
    const reopen = value.lastIndexOf('<', close);
    const id = normalized(value.slice(reopen + 1, close));
    if (id !== null) ids.push(id);
    at = value.indexOf('<', close + 1);
  }
  return ids;
}

/** The first valid Message ID of a header value, or "". */
export function firstMessageId(value: string | null): string {
  return messageIds(value)[0] ?? '';
}

/**
 * A message's references for threading (RFC 5256 §4): the IDs in References,
 * or, when it has none that are valid, the first valid ID in In-Reply-To.
 * Bounded: the IDs nearest the message (the end of the list) that fit in
 * MAX_REFERENCES_BYTES, so a References field of any size costs little.
 */
export function threadReferences(references: string | null, inReplyTo: string | null): string[] {
  let ids = messageIds(references);
  if (ids.length === 0) ids = messageIds(inReplyTo).slice(0, 1);
  let bytes = 0;
  let from = ids.length;
  while (from > 0) {
    const size = Buffer.byteLength(ids[from - 1]) + 1;
    if (bytes + size > MAX_REFERENCES_BYTES) break;
    bytes += size;
    from--;
  }
  return ids.slice(from);
}
