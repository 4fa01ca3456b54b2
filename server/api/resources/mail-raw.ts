// The `mail` attribute of a mail row: the raw RFC 822 message. Reads give it
// base64 (byte-exact, as Daptin does). Writes accept base64 (optionally gzip
// compressed, which Daptin allows) or the message as plain text; plain text
// has bare LF line ends turned into CRLF (RFC 5322 §2.1).
import zlib from 'node:zlib';
import { simpleParser } from 'mailparser';

const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;

export function decodeMailAttribute(value: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (!value.includes(':') && compact.length % 4 === 0 && BASE64.test(value)) {
    const bytes = Buffer.from(compact, 'base64');
    return bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes, { maxOutputLength: 64 * 1024 * 1024 }) : bytes;
  }
  return Buffer.from(value.replace(/\r?\n/g, '\r\n'), 'utf8');
}

export interface ParsedView {
  text: string;
  html: string;
  attachments: Array<{ filename: string; content_type: string; size: number; content_id: string; inline: boolean }>;
}

/** A readable view of a stored message: text, HTML and the list of attachments (no content). */
export async function parsedView(raw: Buffer): Promise<ParsedView> {
  let parsed: Awaited<ReturnType<typeof simpleParser>>;
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  } catch {
    // A message mailparser cannot read is still served raw; the view stays empty.
    return { text: '', html: '', attachments: [] };
  }
  return {
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? '',
      content_type: a.contentType,
      size: a.size,
      content_id: a.cid ?? '',
      inline: a.related === true || a.contentDisposition === 'inline',
    })),
  };
}
