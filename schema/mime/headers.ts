// Header blocks on raw bytes (RFC 5322 §2.2): the one scanner that splits a
// header into fields, for the MIME indexer, SMTP and IMAP sections alike, so
// that what SMTP strips, what SEARCH matches and what HEADER.FIELDS returns
// are the same fields.

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

export interface HeaderField {
  /** Field name as written (whitespace before the colon left out). */
  name: string;
  /** Lower-case field name for lookups. */
  key: string;
  /** Unfolded value with surrounding whitespace trimmed; undecoded (encoded words stay). */
  value: string;
  /** Byte range of the whole field in the scanned buffer: first line to past the line break of its last folded line. */
  start: number;
  end: number;
}

export interface HeaderScan {
  fields: HeaderField[];
  /** Byte range of the empty line that ends the header; null when the header runs to the end. */
  blank: { start: number; end: number } | null;
}

/**
 * Finds where the header block of the entity starting at `start` ends: the
 * offset just past the empty line, or `end` when there is no empty line (the
 * whole entity is header). An entity that begins with an empty line has no header.
 */
export function findBodyStart(raw: Buffer, start: number, end: number): number {
  let lineStart = start;
  while (lineStart < end) {
    const lf = raw.indexOf(LF, lineStart);
    if (lf === -1 || lf >= end) return end;
    const lineLen = lf - lineStart;
    if (lineLen === 0 || (lineLen === 1 && raw[lineStart] === CR)) return lf + 1;
    lineStart = lf + 1;
  }
  return end;
}

/** Decodes header bytes: UTF-8 when valid, otherwise Latin-1 so no byte is lost. */
export function decodeHeaderBytes(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!text.includes('\uFFFD')) return text;
  return bytes.toString('latin1');
}

interface OpenField {
  start: number;
  name: string;
  /** [start, end) of the value on each of the field's lines, line breaks left out. */
  pieces: Array<[number, number]>;
  end: number;
}

function closeField(raw: Buffer, f: OpenField): HeaderField {
  const bytes = f.pieces.length === 1 ? raw.subarray(f.pieces[0][0], f.pieces[0][1]) : Buffer.concat(f.pieces.map(([s, e]) => raw.subarray(s, e)));
  // RFC 5322 §2.2.3: unfolding removes only the line breaks; the folding whitespace stays.
  return { name: f.name, key: f.name.toLowerCase(), value: decodeHeaderBytes(bytes).trim(), start: f.start, end: f.end };
}

/**
 * Scans the header block that begins at `start`, up to its empty line or `end`.
 * A line ends at LF, with or without a CR before it (bare LF is accepted: APPEND
 * stores messages as given). A line beginning with space or tab continues the
 * field above it. A line that is not a field (no colon, an empty name or one with
 * whitespace in it, or a continuation with nothing above it) is skipped together
 * with its continuation lines; the fields after it still count, as they do for
 * the MIME structure (findBodyStart), so every reader sees the same header.
 */
export function scanHeader(raw: Buffer, start = 0, end = raw.length): HeaderScan {
  const fields: HeaderField[] = [];
  let open: OpenField | null = null;
  let pos = start;
  while (pos < end) {
    const lf = raw.indexOf(LF, pos);
    const lineEnd = lf === -1 || lf >= end ? end : lf + 1;
    let contentEnd = lineEnd;
    if (contentEnd > pos && raw[contentEnd - 1] === LF) contentEnd--;
    if (contentEnd > pos && raw[contentEnd - 1] === CR) contentEnd--;
    if (contentEnd === pos) {
      if (open) fields.push(closeField(raw, open));
      return { fields, blank: { start: pos, end: lineEnd } };
    }
    const first = raw[pos];
    if (first === SP || first === HT) {
      // Folded continuation of the field above (or of a skipped line, when there is none open).
      if (open) {
        open.pieces.push([pos, contentEnd]);
        open.end = lineEnd;
      }
    } else {
      if (open) fields.push(closeField(raw, open));
      open = null;
      const colon = raw.indexOf(COLON, pos);
      if (colon !== -1 && colon < contentEnd) {
        // RFC 5322 §4.5.3 (obsolete syntax): whitespace may stand between the name and the colon.
        const name = decodeHeaderBytes(raw.subarray(pos, colon)).replace(/[ \t]+$/, '');
        if (name !== '' && !/\s/.test(name)) open = { start: pos, name, pieces: [[colon + 1, contentEnd]], end: lineEnd };
      }
    }
    pos = lineEnd;
  }
  if (open) fields.push(closeField(raw, open));
  return { fields, blank: null };
}

/** The fields of the header block that begins at `start` (a whole message by default), in order. */
export function parseHeaderFields(raw: Buffer, start = 0, end = raw.length): HeaderField[] {
  return scanHeader(raw, start, end).fields;
}

/** The message without the header fields `drop` selects (each with its folded lines); every other byte unchanged. */
export function removeHeaderFields(raw: Buffer, drop: (field: HeaderField) => boolean): Buffer {
  const doomed = parseHeaderFields(raw).filter(drop);
  if (doomed.length === 0) return raw;
  const parts: Buffer[] = [];
  let pos = 0;
  for (const f of doomed) {
    parts.push(raw.subarray(pos, f.start));
    pos = f.end;
  }
  parts.push(raw.subarray(pos));
  return Buffer.concat(parts);
}

/** First value of a header field, or null. */
export function headerValue(fields: HeaderField[], key: string): string | null {
  for (const f of fields) if (f.key === key) return f.value;
  return null;
}

/** All values of a header field joined by ", " (for To/Cc that appear twice). */
export function headerValues(fields: HeaderField[], key: string): string | null {
  const values = fields.filter((f) => f.key === key).map((f) => f.value);
  return values.length ? values.join(', ') : null;
}
