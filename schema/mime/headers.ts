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

const NON_ASCII = /[\x80-\xff]/;

/**
 * A field as found. Its value is decoded only when read (IMAP HEADER.FIELDS needs
 * only names and ranges), from the block's Latin-1 text, where a character
 * offset is a byte offset; a value with 8-bit bytes is decoded again as UTF-8.
 */
class ScannedField implements HeaderField {
  readonly key: string;
  end: number;
  private readonly block: { raw: Buffer; text: string; start: number };
  /** Where the value begins: just after the colon. */
  private readonly valueStart: number;
  private decoded: string | undefined;

  constructor(block: ScannedField['block'], readonly name: string, readonly start: number, valueStart: number, end: number) {
    this.key = name.toLowerCase();
    this.end = end;
    this.block = block;
    this.valueStart = valueStart;
  }

  get value(): string {
    if (this.decoded === undefined) {
      const { raw, text, start } = this.block;
      let value = text.slice(this.valueStart - start, this.end - start);
      if (NON_ASCII.test(value)) value = decodeHeaderBytes(raw.subarray(this.valueStart, this.end));
      // Every line break inside a field is a fold; RFC 5322 §2.2.3: unfolding
      // removes only the line breaks, the folding whitespace stays.
      this.decoded = value.replace(/\r?\n/g, '').trim();
    }
    return this.decoded;
  }
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
  const block = { raw, text: raw.toString('latin1', start, Math.min(end, findBodyStart(raw, start, end))), start };
  let open: ScannedField | null = null;
  let pos = start;
  while (pos < end) {
    const lf = raw.indexOf(LF, pos);
    const lineEnd = lf === -1 || lf >= end ? end : lf + 1;
    let contentEnd = lineEnd;
    if (contentEnd > pos && raw[contentEnd - 1] === LF) contentEnd--;
    if (contentEnd > pos && raw[contentEnd - 1] === CR) contentEnd--;
    if (contentEnd === pos) return { fields, blank: { start: pos, end: lineEnd } };
    const first = raw[pos];
    if (first === SP || first === HT) {
      // Folded continuation of the field above (or of a skipped line, when there is none open).
      if (open) open.end = lineEnd;
    } else {
      open = null;
      const colonAt = raw.subarray(pos, contentEnd).indexOf(COLON); // within the line: a long body must not be searched
      const colon = pos + colonAt;
      if (colonAt !== -1) {
        let name = block.text.slice(pos - start, colon - start);
        if (NON_ASCII.test(name)) name = decodeHeaderBytes(raw.subarray(pos, colon));
        // RFC 5322 §4.5.3 (obsolete syntax): whitespace may stand between the name and the colon.
        name = name.replace(/[ \t]+$/, '');
        if (name !== '' && !/\s/.test(name)) {
          open = new ScannedField(block, name, pos, colon + 1, lineEnd);
          fields.push(open);
        }
      }
    }
    pos = lineEnd;
  }
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
