// RFC 8970 PREVIEW: which part a message's preview comes from, how much of it
// is read, and how its decoded text becomes at most 200 characters of plain
// text. Decoding (transfer encoding, charset) is index-message.ts's; this file
// only chooses and shapes. Also the HTML-to-text reduction the text index uses.
import type { MimePart } from './types.ts';

/** RFC 8970 §3 (SHOULD): at most 200 characters. */
export const PREVIEW_LENGTH = 200;

/** Encoded bytes read from the chosen part: plenty for 200 characters, even of HTML with a long <head>. */
const SOURCE_BYTES = { plain: 16 * 1024, html: 256 * 1024 } as const;

const inline = (part: MimePart) => part.disposition?.type !== 'attachment';

/**
 * The part to preview: the first inline text/plain, else (a message with only
 * HTML) the first inline text/html; null when the message has no text. Parts
 * of an attached message (message/rfc822) are that message's, not this one's.
 */
export function previewPart(root: MimePart): MimePart | null {
  let html: MimePart | null = null;
  const visit = (part: MimePart): MimePart | null => {
    if (part.parts) {
      for (const child of part.parts) {
        const found = visit(child);
        if (found) return found;
      }
      return null;
    }
    if (part.type !== 'text' || !inline(part)) return null;
    if (part.subtype === 'plain') return part;
    if (part.subtype === 'html' && !html) html = part;
    return null;
  };
  return visit(root) ?? html;
}

/** The byte range [start, end) of the raw message that the preview is computed from. */
export function previewSource(part: MimePart): { start: number; end: number } {
  const cap = part.subtype === 'html' ? SOURCE_BYTES.html : SOURCE_BYTES.plain;
  return { start: part.bodyStart, end: Math.min(part.bodyEnd, part.bodyStart + cap) };
}

const ENTITIES: Record<string, string> = { nbsp: ' ', lt: '<', gt: '>', quot: '"', amp: '&', apos: "'" };

/** Visible text of HTML: no head, comments, scripts or styles, no tags; entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(head|script|style|title)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<[^>]*>?/g, ' ')
    .replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]+);/gi, (all, name: string) => {
      if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? all;
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : ' ';
    });
}

/**
 * Decoded text → preview: every run of white space and control characters
 * (line breaks included) one space, zero-width characters dropped, trimmed, at most PREVIEW_LENGTH characters
 * (code points, so no surrogate pair is cut).
 */
export function previewFromText(text: string): string {
  const flat = text
    .replace(/[\u200b\ufeff\u00ad]/g, '')
    .replace(/[\p{Cc}\p{Z}\s]+/gu, ' ')
    .trim();
  const chars = Array.from(flat);
  return chars.length <= PREVIEW_LENGTH ? flat : chars.slice(0, PREVIEW_LENGTH).join('').trimEnd();
}
