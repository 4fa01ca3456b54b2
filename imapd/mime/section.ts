// RFC 3501 §6.4.5 BODY[section] extraction from the raw bytes and the MIME tree
// stored at delivery. Part numbers resolve as Dovecot resolves them:
// - in a multipart, n is its n-th part;
// - any other entity has only part 1, itself (so a non-multipart message's
//   only part is 1), and a further number below it is allowed only when it is
//   a message/rfc822, whose numbers continue in the embedded message;
// - HEADER, HEADER.FIELDS[.NOT] and TEXT after a part number apply to the
//   embedded message of a message/rfc822 part (empty for other parts);
//   MIME is the part's own header.
// A part that does not exist yields an empty result.
import { type MimePart, scanHeader } from '../../schema/index.ts';

export interface SectionSpec {
  path: number[];
  text: 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'MIME' | 'TEXT' | null;
  fields?: string[];
}

const LF = 0x0a;
const EMPTY = Buffer.alloc(0);

// RFC 9051 §6.4.5: HEADER, TEXT etc. reach into a MESSAGE/RFC822 or MESSAGE/GLOBAL part.
function isMessage(part: MimePart): boolean {
  return part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global');
}

/** The entity a section refers to, or null when it does not exist. */
export function resolve(root: MimePart, spec: SectionSpec): MimePart | null {
  const wantsMessage = spec.text !== null && spec.text !== 'MIME';
  let part: MimePart = root;
  for (let i = 0; i < spec.path.length; i++) {
    const n = spec.path[i];
    const last = i === spec.path.length - 1;
    if (!Number.isInteger(n) || n < 1) return null;
    if (part.type === 'multipart') {
      const child = part.parts?.[n - 1];
      if (!child) return null;
      part = child;
    } else if (n !== 1 || (!last && !isMessage(part))) {
      return null;
    }
    if (isMessage(part) && (!last || wantsMessage)) {
      if (!part.message) return null;
      part = part.message.root;
    } else if (last && wantsMessage) {
      return null; // HEADER/TEXT of a part that is not a message
    }
  }
  return part;
}

/**
 * HEADER.FIELDS / HEADER.FIELDS.NOT: the matching fields as written, in order,
 * then the blank line. Names match case-insensitively. RFC 3501 §6.4.5: the
 * blank line is left out only when the header had none (Dovecot adds it even
 * then for HEADER.FIELDS but not for .NOT; we follow the RFC for both).
 */
export function filterHeader(raw: Buffer, start: number, end: number, names: string[], keep: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const { fields, blank } = scanHeader(raw, start, end);
  const chunks: Buffer[] = [];
  for (const f of fields) {
    if (wanted.has(f.key) !== keep) continue;
    chunks.push(raw.subarray(f.start, f.end)); // the field as written, folded lines included
    if (raw[f.end - 1] !== LF) chunks.push(Buffer.from('\r\n')); // last line of a header without a blank line
  }
  if (blank) chunks.push(raw.subarray(blank.start, blank.end));
  return Buffer.concat(chunks);
}

/**
 * Where BODY[section] lies in the raw message: the byte range [start, end),
 * and for HEADER.FIELDS[.NOT] the fields to keep from the header block in that
 * range. Every other section is a plain range, so it can be read and sent in
 * pieces; null when the section is empty (no such part). The caller applies <partial>.
 */
export interface SectionPlace {
  start: number;
  end: number;
  fields?: { names: string[]; keep: boolean };
}

export function locateSection(root: MimePart, spec: SectionSpec): SectionPlace | null {
  if (spec.text === 'MIME' && spec.path.length === 0) return null; // MIME needs a part number
  const part = resolve(root, spec);
  if (!part) return null;
  switch (spec.text) {
    case null:
      return spec.path.length === 0 ? { start: root.headerStart, end: root.bodyEnd } : { start: part.bodyStart, end: part.bodyEnd };
    case 'MIME':
    case 'HEADER':
      return { start: part.headerStart, end: part.bodyStart };
    case 'TEXT':
      return { start: part.bodyStart, end: part.bodyEnd };
    case 'HEADER.FIELDS':
    case 'HEADER.FIELDS.NOT':
      return { start: part.headerStart, end: part.bodyStart, fields: { names: spec.fields ?? [], keep: spec.text === 'HEADER.FIELDS' } };
  }
}

/** The bytes of BODY[section]; the caller applies <partial>. */
export function extractSection(raw: Buffer, root: MimePart, spec: SectionSpec): Buffer {
  const place = locateSection(root, spec);
  if (!place) return EMPTY;
  if (place.fields) return filterHeader(raw, place.start, place.end, place.fields.names, place.fields.keep);
  // The whole message is all of raw, whatever the tree says.
  return spec.text === null && spec.path.length === 0 ? raw : raw.subarray(place.start, place.end);
}
