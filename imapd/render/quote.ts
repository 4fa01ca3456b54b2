// IMAP string syntax (RFC 3501 §4.3, §9): NIL, quoted strings, and literals for
// anything a quoted string cannot carry (CR, LF, NUL-free 8-bit, long text).
// Rendered output is a binary string, one char per byte: the response writer
// sends it with Buffer.from(text, 'latin1'), so UTF-8 inside literals survives.
const QUOTABLE = /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/;
const MAX_QUOTED = 1024;

/** nstring: NIL for null, a quoted string when possible, otherwise a literal. */
export function nstring(value: string | null | undefined): string {
  if (value === null || value === undefined) return 'NIL';
  return string(value);
}

/** string: quoted when it is 7-bit without CR/LF and short, else a {n} literal. */
export function string(value: string): string {
  if (value.length <= MAX_QUOTED && QUOTABLE.test(value)) {
    return '"' + value.replace(/[\\"]/g, (c) => '\\' + c) + '"';
  }
  return literal(Buffer.from(value, 'utf8'));
}

/**
 * string for a session where UTF-8 is on (RFC 9051 §4.3, RFC 6855 §3: a quoted
 * string may hold UTF-8): quoted with its UTF-8 bytes as they are, a literal
 * only for CR, LF, NUL or length. Rendered one char per byte, like the rest.
 */
export function utf8String(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const text = bytes.toString('latin1');
  if (bytes.length <= MAX_QUOTED && /^[^\0\r\n]*$/.test(text)) return '"' + text.replace(/[\\"]/g, (c) => '\\' + c) + '"';
  return literal(bytes);
}

/** A synchronizing literal as sent by a server: {n}CRLF followed by the bytes. */
export function literal(bytes: Buffer | string): string {
  const buf = withoutNul(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  // latin1 keeps each byte as one char; the writer encodes responses back with latin1.
  return `{${buf.length}}\r\n${buf.toString('latin1')}`;
}

/**
 * A literal's bytes as sent. RFC 3501 §4.3: a literal may hold any octet except
 * NUL; NUL is sent as 0x80, as Dovecot does. Byte for byte, so a literal
 * streamed in chunks can pass each chunk through this on its own.
 */
export function withoutNul(bytes: Buffer): Buffer {
  let at = bytes.indexOf(0);
  if (at === -1) return bytes;
  const out = Buffer.from(bytes);
  for (; at !== -1; at = out.indexOf(0, at + 1)) out[at] = 0x80;
  return out;
}

/** astring: an atom when the value is a plain atom, otherwise a string. */
export function astring(value: string): string {
  return /^[!#$&'+,\-./0-9:;<=>?@A-Z^_`a-z|~\]]+$/.test(value) && value.toUpperCase() !== 'NIL' ? value : string(value);
}
