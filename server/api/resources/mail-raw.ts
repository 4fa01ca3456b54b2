// The `mail` attribute of a mail row: the raw RFC 822 message. Reads give it
// base64 (byte-exact, as Daptin does). Writes accept base64 (optionally gzip
// compressed, which Daptin allows) or the message as plain text; plain text
// has bare LF line ends turned into CRLF (RFC 5322 §2.1).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { type AttachmentStream, MailParser, type MessageText } from 'mailparser';
import { StoreError } from '../../../schema/index.ts';

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

/**
 * A readable view of a stored message: text, HTML and the list of attachments
 * (no content). The message is parsed as it is read, chunk by chunk;
 * attachment contents are counted and dropped, so memory holds the text and
 * HTML parts only.
 */
export async function parsedView(raw: AsyncIterable<Buffer>): Promise<ParsedView> {
  const view: ParsedView = { text: '', html: '', attachments: [] };
  const parser = new MailParser({ skipImageLinks: true, skipTextToHtml: true });
  const attachments: AttachmentStream[] = [];
  parser.on('data', (data: AttachmentStream | MessageText) => {
    if (data.type === 'text') {
      view.text = data.text ?? '';
      view.html = typeof data.html === 'string' ? data.html : '';
      return;
    }
    attachments.push(data);
    data.content.on('data', () => undefined);
    data.content.on('end', () => data.release());
  });
  try {
    // Byte mode with the default 16 KiB mark: the reader holds one store chunk ahead of the parser, not 16 (objectMode's default).
    await pipeline(Readable.from(raw, { objectMode: false }), parser);
  } catch (err) {
    // A store failure is the request's failure; a message mailparser cannot read is still served raw, with an empty view.
    if (err instanceof StoreError) throw err;
    return { text: '', html: '', attachments: [] };
  }
  view.attachments = attachments.map((a) => ({
    filename: a.filename ?? '',
    content_type: a.contentType,
    size: a.size,
    content_id: a.cid ?? '',
    inline: a.related === true || a.contentDisposition === 'inline',
  }));
  return view;
}
