// Parses a raw message into a tree of MIME entities with byte offsets
// (RFC 2045/2046). Tolerant: missing or wrong boundaries, absent Content-Type,
// empty bodies and 8-bit headers all produce a usable tree; nothing throws.
import libmime from 'libmime';
import { buildEnvelope } from './envelope.ts';
import { findBodyStart, type HeaderField, headerValue, parseHeaderFields } from './headers.ts';
import { parseContentTypeRaw, parseToken, parseTokenWithParams } from './params.ts';
import type { MimeDisposition, MimePart, MimeWire } from './types.ts';

const LF = 0x0a;
const CR = 0x0d;
/** Deeper nesting than this is not parsed (a multipart gets one empty part), so hostile input cannot recurse without bound. */
const MAX_DEPTH = 100; // Dovecot's default max_nested_mime_parts

/**
 * Body size in text lines (RFC 3501 body-fld-lines): the number of line
 * breaks, so a last line without one is not counted. Dovecot counts the same
 * way; the line break before a boundary belongs to the boundary.
 */
export function countLines(raw: Buffer, start: number, end: number): number {
  let lines = 0;
  let pos = raw.indexOf(LF, start);
  while (pos !== -1 && pos < end) {
    lines++;
    pos = raw.indexOf(LF, pos + 1);
  }
  return lines;
}

/** Decoded Content-Type parameters (lower-case names, RFC 2231 decoded) for internal use. */
function decodedParams(value: string | null): Record<string, string> {
  if (!value) return {};
  try {
    return libmime.parseHeaderValue(value).params as Record<string, string>;
  } catch {
    return {};
  }
}

function parseWire(fields: HeaderField[]): MimeWire {
  const contentType = headerValue(fields, 'content-type');
  const ct = contentType === null ? { type: null, subtype: null, params: [] } : parseContentTypeRaw(contentType);
  const encoding = headerValue(fields, 'content-transfer-encoding');
  const disposition = headerValue(fields, 'content-disposition');
  const dp = disposition === null ? null : parseTokenWithParams(disposition);
  return {
    type: ct.type,
    subtype: ct.subtype,
    params: ct.params,
    encoding: encoding === null ? null : parseToken(encoding),
    disposition: dp?.token ? { type: dp.token, params: dp.params } : null,
  };
}

function parseDisposition(value: string | null): MimeDisposition | null {
  if (!value) return null;
  const parsed = libmime.parseHeaderValue(value);
  const type = (parsed.value || '').trim().toLowerCase();
  if (!type) return null;
  return { type, params: parsed.params as Record<string, string> };
}

function parseLanguage(value: string | null): string[] | null {
  if (!value) return null;
  const langs = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return langs.length ? langs : null;
}

/** Offsets of the delimiter lines of a multipart body: where each part starts and ends. */
function splitMultipart(raw: Buffer, start: number, end: number, boundary: string): Array<[number, number]> {
  const delimiter = Buffer.from('--' + boundary, 'latin1');
  const parts: Array<[number, number]> = [];
  let partStart = -1;
  let search = start;
  while (search < end) {
    const pos = raw.indexOf(delimiter, search);
    if (pos === -1 || pos + delimiter.length > end) break;
    const atLineStart = pos === start || raw[pos - 1] === LF;
    let after = pos + delimiter.length;
    const isClose = raw[after] === 0x2d && raw[after + 1] === 0x2d;
    if (isClose) after += 2;
    // Only linear whitespace may follow the boundary on its line (RFC 2046 §5.1.1).
    let eol = after;
    while (eol < end && (raw[eol] === 0x20 || raw[eol] === 0x09)) eol++;
    const lineOk = eol >= end || raw[eol] === LF || (raw[eol] === CR && raw[eol + 1] === LF);
    if (!atLineStart || !lineOk) {
      search = pos + 1;
      continue;
    }
    if (partStart !== -1) {
      // The line break before a delimiter belongs to the delimiter.
      let partEnd = pos;
      if (partEnd > partStart && raw[partEnd - 1] === LF) partEnd--;
      if (partEnd > partStart && raw[partEnd - 1] === CR) partEnd--;
      parts.push([partStart, Math.max(partStart, partEnd)]);
    }
    const nextLine = raw.indexOf(LF, eol);
    const lineEnd = nextLine === -1 || nextLine >= end ? end : nextLine + 1;
    if (isClose) return parts;
    partStart = lineEnd;
    search = lineEnd;
  }
  // No closing delimiter: the last part runs to the end of the body.
  if (partStart !== -1) parts.push([partStart, end]);
  return parts;
}

/** Parses the entity occupying [start, end) of raw. */
export function parseEntity(raw: Buffer, start: number, end: number, defaultType = 'text/plain', depth = 0): MimePart {
  const bodyStart = findBodyStart(raw, start, end);
  const fields: HeaderField[] = parseHeaderFields(raw.subarray(start, bodyStart));
  const wire = parseWire(fields);
  // RFC 2045 §5.2: an absent or unparseable Content-Type means the default
  // (text/plain; charset=us-ascii, or message/rfc822 inside multipart/digest).
  const [type, subtype] = wire.type && wire.subtype ? [wire.type.toLowerCase(), wire.subtype.toLowerCase()] : defaultType.split('/');
  const params = wire.type ? decodedParams(headerValue(fields, 'content-type')) : type === 'text' ? { charset: 'us-ascii' } : {};
  const encoding = (headerValue(fields, 'content-transfer-encoding') || '7bit').trim().toUpperCase();
  const part: MimePart = {
    headerStart: start,
    bodyStart,
    bodyEnd: end,
    type,
    subtype,
    params,
    id: headerValue(fields, 'content-id'),
    description: headerValue(fields, 'content-description'),
    encoding,
    md5: headerValue(fields, 'content-md5'),
    disposition: parseDisposition(headerValue(fields, 'content-disposition')),
    language: parseLanguage(headerValue(fields, 'content-language')),
    location: headerValue(fields, 'content-location'),
    size: end - bodyStart,
    lines: 0,
    wire,
  };
  const opaque = depth >= MAX_DEPTH;
  if (type === 'multipart') {
    const boundary = params.boundary;
    const ranges = boundary && !opaque ? splitMultipart(raw, bodyStart, end, boundary) : [];
    const childDefault = subtype === 'digest' ? 'message/rfc822' : 'text/plain';
    if (ranges.length === 0) {
      // A multipart without a findable boundary still needs one body (RFC 3501
      // body-type-mpart): like Dovecot, an empty text/plain part at the end of
      // the body; the content stays reachable through BODY[TEXT].
      part.parts = [parseEntity(raw, end, end, 'text/plain', depth + 1)];
    } else {
      part.parts = ranges.map(([s, e]) => parseEntity(raw, s, e, childDefault, depth + 1));
    }
  } else if (type === 'message' && (subtype === 'rfc822' || subtype === 'global')) {
    // message/global (RFC 6532) is a message too: RFC 9051 §7.5.2 shows its envelope and body.
    // An encoded (e.g. base64) embedded message is not parsed; BODYSTRUCTURE then shows an empty one.
    if (!opaque && ['7BIT', '8BIT', 'BINARY'].includes(encoding)) {
      const root = parseEntity(raw, bodyStart, end, 'text/plain', depth + 1);
      const innerFields = parseHeaderFields(raw.subarray(bodyStart, root.bodyStart));
      part.message = { envelope: buildEnvelope(innerFields), root };
    }
    part.lines = countLines(raw, bodyStart, end);
  } else if (type === 'text') {
    part.lines = countLines(raw, bodyStart, end);
  }
  return part;
}

/** Walks every entity of the tree, depth first, including embedded messages. */
export function* walkParts(part: MimePart): Generator<MimePart> {
  yield part;
  if (part.parts) for (const child of part.parts) yield* walkParts(child);
  if (part.message) yield* walkParts(part.message.root);
}
