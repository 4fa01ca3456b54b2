// The decoded text of a message (GET …/text/:id, and textType on GET
// …/message/:id) as EmailEngine gives it: each text/plain and text/html part
// decoded from its transfer encoding and charset to UTF-8, line ends as "\n",
// parts of one kind joined by "\n", each kind cut at maxBytes characters
// (hasMore then true). A part is read from the store piece by piece and only
// as far as the cut needs.
import { decodeCharset, decodeTransferChunks, type MessageMeta, rawChunkSize, readRawChunks, type Store } from '../../../schema/index.ts';
import { type MessageParts, type NumberedPart, type TextKind } from './parts.ts';

export type TextType = TextKind | '*';

export interface TextContent {
  plain?: string;
  html?: string;
  hasMore: boolean;
}

/** Bytes of decoded body that give at least `chars` characters in any charset (4 bytes per character at most, as in UTF-8 and GB 18030). */
const bytesFor = (chars: number) => chars * 4 + 4;

async function partText(store: Store, rawId: number, p: NumberedPart, maxChars: number): Promise<string> {
  const { node } = p;
  const limit = Number.isFinite(maxChars) ? bytesFor(maxChars) : Infinity;
  const pieces: Buffer[] = [];
  let size = 0;
  const chunks = readRawChunks(store, rawId, node.bodyStart, node.bodyEnd, rawChunkSize(store, node.size));
  for await (const piece of decodeTransferChunks(chunks, node.encoding)) {
    pieces.push(piece);
    size += piece.length;
    if (size >= limit) break;
  }
  let bytes = Buffer.concat(pieces);
  if (bytes.length > limit) {
    // Cut where a UTF-8 character starts, so the cut leaves no broken sequence
    // (which would make decodeCharset read the part as Latin-1).
    let cut = limit;
    while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--;
    bytes = bytes.subarray(0, cut);
  }
  return decodeCharset(bytes, node.params.charset).replace(/\r?\n/g, '\n');
}

export async function readText(store: Store, meta: Pick<MessageMeta, 'rawId'>, parts: MessageParts, type: TextType, maxBytes?: number): Promise<TextContent> {
  const max = maxBytes ?? Infinity;
  const kinds: TextKind[] = type === '*' ? ['plain', 'html'] : [type];
  const out: TextContent = { hasMore: false };
  for (const kind of kinds) {
    const texts: string[] = [];
    let length = 0;
    for (const p of parts.text[kind]) {
      if (length >= max) {
        out.hasMore = true;
        break;
      }
      let text = await partText(store, meta.rawId, p, max - length);
      if (length + text.length > max) {
        text = text.slice(0, max - length);
        out.hasMore = true;
      }
      texts.push(text);
      length += text.length;
    }
    if (texts.length > 0 || type !== '*') out[kind] = texts.join('\n');
  }
  return out;
}
