// Header-block splitting and unfolding on raw bytes (RFC 5322 §2.2, §2.2.3).

const LF = 0x0a;
const CR = 0x0d;

export interface HeaderField {
  /** Field name as written. */
  name: string;
  /** Lower-case field name for lookups. */
  key: string;
  /** Unfolded value with surrounding whitespace trimmed; undecoded. */
  value: string;
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

/** Parses a header block into fields in order; lines without a colon are skipped. */
export function parseHeaderFields(block: Buffer): HeaderField[] {
  const text = decodeHeaderBytes(block);
  const fields: HeaderField[] = [];
  // A field continues on lines that begin with space or tab (folding).
  const lines = text.split(/\r?\n/);
  let current: string | null = null;
  const flush = () => {
    if (current === null) return;
    const colon = current.indexOf(':');
    if (colon > 0) {
      const name = current.slice(0, colon).trim();
      if (name && !/\s/.test(name)) {
        fields.push({ name, key: name.toLowerCase(), value: current.slice(colon + 1).trim() });
      }
    }
    current = null;
  };
  for (const line of lines) {
    if (line === '' || line === '\r') {
      flush();
      continue;
    }
    if ((line[0] === ' ' || line[0] === '\t') && current !== null) {
      current += line; // RFC 5322 §2.2.3: unfolding removes only the CRLF
    } else {
      flush();
      current = line.endsWith('\r') ? line.slice(0, -1) : line;
    }
  }
  flush();
  return fields;
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
