// One parse of a message at delivery: the MIME tree, the ENVELOPE, the decoded
// header values for metadata columns, the text for the full-text index, and the
// RFC 8970 preview.
import iconv from 'iconv-lite';
import libqp from 'libqp';
import { decodeHeaderBytes, findBodyStart, type HeaderField, headerValue, headerValues, parseHeaderFields } from './headers.ts';
import { decodeWords } from './encoded-words.ts';
import { buildEnvelope } from './envelope.ts';
import { type SortKeys, sortKeys } from './sort-keys.ts';
import { htmlToText, previewFromText, previewPart, previewSource } from './preview.ts';
import { parseEntity, walkParts } from './structure.ts';
import type { IndexedMessage, MimePart } from './types.ts';

/** Text indexed per message is capped so one huge message cannot bloat the index. */
const MAX_INDEXED_TEXT = 1024 * 1024;

export { decodeWords };

/** Decodes a part body's transfer encoding to bytes. */
export function decodeTransfer(raw: Buffer, part: MimePart): Buffer {
  return decodeEncoded(raw.subarray(part.bodyStart, part.bodyEnd), part.encoding);
}

function decodeEncoded(body: Buffer, encoding: string): Buffer {
  switch (encoding) {
    case 'BASE64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'QUOTED-PRINTABLE':
      return libqp.decode(body.toString('latin1'));
    default:
      return body;
  }
}

/** Decodes bytes in a declared charset; unknown charsets fall back to UTF-8/Latin-1. */
export function decodeCharset(bytes: Buffer, charset: string | undefined): string {
  const name = (charset || 'utf-8').trim().toLowerCase();
  if (name !== 'utf-8' && name !== 'us-ascii' && iconv.encodingExists(name)) {
    return iconv.decode(bytes, name);
  }
  return decodeHeaderBytes(bytes);
}

/**
 * The RFC 8970 preview of a message from its preview part's body bytes as
 * stored (encoded), or only their start (previewSource): decoded, HTML reduced to text.
 */
export function previewFromBody(part: MimePart, encoded: Buffer): string {
  const text = decodeCharset(decodeEncoded(encoded, part.encoding), part.params.charset);
  return previewFromText(part.subtype === 'html' ? htmlToText(text) : text);
}

/** The preview of a whole stored message ('' when it has no text part). */
export function previewOf(raw: Buffer, root: MimePart): string {
  const part = previewPart(root);
  if (!part) return '';
  const { start, end } = previewSource(part);
  return previewFromBody(part, raw.subarray(start, end));
}

function isAttachment(part: MimePart): boolean {
  if (part.type === 'multipart') return false;
  if (part.disposition?.type === 'attachment') return true;
  const named = Boolean(part.disposition?.params.filename || part.params.name);
  return named && part.type !== 'text';
}

function headerText(fields: HeaderField[]): string {
  return fields.map((f) => `${f.name}: ${decodeWords(f.value)}`).join('\n');
}

/** RFC 5322 §3.3 date-time, as far as [day-of-week ","] day month year hour ":" minute. */
const DATE_SHAPE = /^(?:[a-z]{3}\s*,\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}\s*:\s*\d\d/i;

/** The Date: header as epoch ms (its zone applied); null when absent or not a date (V8's Date.parse alone takes "foo 3" for a date). */
function parseDate(value: string | null): number | null {
  if (!value) return null;
  const text = value.replace(/\([^()]*\)/g, ' ').trim();
  if (!DATE_SHAPE.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

export function indexMessage(raw: Buffer): IndexedMessage {
  const root = parseEntity(raw, 0, raw.length);
  const fields = parseHeaderFields(raw.subarray(0, root.bodyStart));
  const texts: string[] = [];
  let textLength = 0;
  let hasAttachment = false;
  for (const part of walkParts(root)) {
    if (isAttachment(part)) hasAttachment = true;
    if (part.type !== 'text' || part.disposition?.type === 'attachment' || textLength > MAX_INDEXED_TEXT) continue;
    let text = decodeCharset(decodeTransfer(raw, part), part.params.charset);
    if (part.subtype === 'html') text = htmlToText(text);
    texts.push(text);
    textLength += text.length;
  }
  const contentType = headerValue(fields, 'content-type');
  const envelope = buildEnvelope(fields);
  return {
    envelope,
    root,
    subject: decodeWords(headerValue(fields, 'subject')),
    messageId: (headerValue(fields, 'message-id') || '').trim(),
    inReplyTo: (headerValue(fields, 'in-reply-to') || '').trim(),
    references: headerValues(fields, 'references') ?? '',
    dateHeader: parseDate(headerValue(fields, 'date')),
    from: decodeWords(headerValues(fields, 'from')),
    to: decodeWords(headerValues(fields, 'to')),
    cc: decodeWords(headerValues(fields, 'cc')),
    bcc: decodeWords(headerValues(fields, 'bcc')),
    replyTo: decodeWords(headerValues(fields, 'reply-to')),
    sender: decodeWords(headerValue(fields, 'sender')),
    contentType: contentType ? `${root.type}/${root.subtype}` : 'text/plain',
    hasAttachment,
    headerText: headerText(fields).slice(0, MAX_INDEXED_TEXT),
    bodyText: texts.join('\n').slice(0, MAX_INDEXED_TEXT),
    sortKeys: sortKeys(fields, envelope),
    preview: previewOf(raw, root),
  };
}

/** What SORT and THREAD keep of a message, from its header alone (the backfill of rows stored before the keys existed). */
export function indexHeaderKeys(raw: Buffer): { sortKeys: SortKeys; dateHeader: number | null } {
  const fields = parseHeaderFields(raw, 0, findBodyStart(raw, 0, raw.length));
  return { sortKeys: sortKeys(fields, buildEnvelope(fields)), dateHeader: parseDate(headerValue(fields, 'date')) };
}
