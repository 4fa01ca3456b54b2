// RFC 3501 §7.4.2 BODY and BODYSTRUCTURE rendering from the MIME tree stored at
// delivery. Types, subtypes, parameters and encodings are written as they
// appear in the message (Dovecot does the same); defaults are lower-case.
// RFC 9051 §7.5.2 (IMAP4rev2): message/global (RFC 6532) is a body-type-msg
// like message/rfc822; for an IMAP4rev1 session it stays a basic body.
import type { Envelope, MimePart } from '../../schema/index.ts';
import { nstring, string } from '../render/quote.ts';
import { renderEnvelope } from './envelope.ts';

const EMPTY_ENVELOPE: Envelope = {
  date: null,
  subject: null,
  from: null,
  sender: null,
  replyTo: null,
  to: null,
  cc: null,
  bcc: null,
  inReplyTo: null,
  messageId: null,
};

/** body-fld-param: ("name" "value" …) or NIL; text parts always carry a charset (RFC 2045 §5.2 default). */
function renderParams(params: Array<[string, string]>, defaultCharset: boolean): string {
  const items = params.map(([name, value]) => `${string(name)} ${string(value)}`);
  if (defaultCharset && !params.some(([name]) => name.toLowerCase() === 'charset')) items.push('"charset" "us-ascii"');
  return items.length ? '(' + items.join(' ') + ')' : 'NIL';
}

function renderDisposition(part: MimePart): string {
  const d = part.wire.disposition;
  return d ? `(${string(d.type)} ${renderParams(d.params, false)})` : 'NIL';
}

function renderLanguage(part: MimePart): string {
  return part.language && part.language.length ? '(' + part.language.map(string).join(' ') + ')' : 'NIL';
}

/** A stand-in for the embedded message of a message/rfc822 part that was not parsed (e.g. base64-encoded). */
function emptyTextPart(at: number): MimePart {
  return {
    headerStart: at,
    bodyStart: at,
    bodyEnd: at,
    type: 'text',
    subtype: 'plain',
    params: { charset: 'us-ascii' },
    id: null,
    description: null,
    encoding: '7BIT',
    md5: null,
    disposition: null,
    language: null,
    location: null,
    size: 0,
    lines: 0,
    wire: { type: null, subtype: null, params: [], encoding: null, disposition: null },
  };
}

function renderMultipart(part: MimePart, extended: boolean, rev2: boolean): string {
  // The indexer always gives a multipart at least one part; the fallback keeps the grammar if not.
  const children = part.parts && part.parts.length ? part.parts : [emptyTextPart(part.bodyEnd)];
  let out = '(' + children.map((child) => renderPart(child, extended, rev2)).join('') + ' ' + string(part.wire.subtype ?? part.subtype);
  if (extended) {
    out += ` ${renderParams(part.wire.params, false)} ${renderDisposition(part)} ${renderLanguage(part)} ${nstring(part.location)}`;
  }
  return out + ')';
}

function renderSinglePart(part: MimePart, extended: boolean, rev2: boolean): string {
  const isText = part.type === 'text';
  const fields = [
    string(part.wire.type ?? part.type),
    string(part.wire.subtype ?? part.subtype),
    renderParams(part.wire.params, isText),
    nstring(part.id),
    nstring(part.description),
    string(part.wire.encoding ?? '7bit'),
    String(part.size),
  ];
  if (part.type === 'message' && (part.subtype === 'rfc822' || (rev2 && part.subtype === 'global'))) {
    // body-type-msg needs an envelope and a body even when the message was not parsed.
    fields.push(
      renderEnvelope(part.message?.envelope ?? EMPTY_ENVELOPE),
      renderPart(part.message?.root ?? emptyTextPart(part.bodyStart), extended, rev2),
      String(part.lines),
    );
  } else if (isText) {
    fields.push(String(part.lines));
  }
  if (extended) fields.push(nstring(part.md5), renderDisposition(part), renderLanguage(part), nstring(part.location));
  return '(' + fields.join(' ') + ')';
}

function renderPart(part: MimePart, extended: boolean, rev2: boolean): string {
  return part.type === 'multipart' ? renderMultipart(part, extended, rev2) : renderSinglePart(part, extended, rev2);
}

/** extended=true → BODYSTRUCTURE (with extension data), false → BODY; rev2: the session enabled IMAP4rev2. */
export function renderBodyStructure(root: MimePart, extended: boolean, rev2 = false): string {
  return renderPart(root, extended, rev2);
}
