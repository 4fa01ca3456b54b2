// RFC 3516 BINARY[part]: a part's content with its Content-Transfer-Encoding
// removed, decoded piece by piece (schema/mime/transfer-stream.ts) from the
// stored bytes as they are read, so a large attachment is never held whole.
//
// Which bytes a section-binary names (RFC 3516 §4.2 leaves the choice to us):
// - BINARY[] is the whole message as stored: a message has no transfer
//   encoding of its own to remove (RFC 2045 §6.4: a message/rfc822 entity is
//   7bit, 8bit or binary), as BODY[] is;
// - a multipart part is its body as stored: RFC 2045 §6.4 allows only the
//   identity encodings on a multipart, and its parts keep their own CTE
//   (decoded only when asked for by their own part number);
// - any other part (a leaf, or a message/rfc822 part, whose body is the
//   embedded message) is its body decoded by its own CTE: 7bit, 8bit and
//   binary are the identity, base64 and quoted-printable are decoded, any
//   other CTE is unknown (RFC 3516 §4.3: NO [UNKNOWN-CTE]);
// - a part that does not exist is empty, as BODY[part] is.
import { decodeTransferChunks, type MimePart } from '../../schema/index.ts';
import type { Literal } from '../writer.ts';
import { resolve } from './section.ts';

const IDENTITY = new Set(['7BIT', '8BIT', 'BINARY']);
const DECODABLE = new Set(['BASE64', 'QUOTED-PRINTABLE']);
/** Results up to this size are decoded once, into memory; larger ones are read twice (measured, then sent) and never held. */
const SMALL = 256 * 1024;

/** Where a BINARY section's encoded bytes are in the raw message, and the CTE to remove (null: none). */
export interface BinaryPlace {
  start: number;
  /** Infinity: to the end of the message. */
  end: number;
  encoding: string | null;
}

/** A section-binary that names a part with a CTE we cannot decode (RFC 3516 §4.3). */
export class UnknownCte extends Error {
  constructor(readonly encoding: string) {
    super(`Unknown Content-Transfer-Encoding ${encoding.slice(0, 40)}`);
  }
}

/** The bytes of BINARY[path]; null when the part does not exist. Throws UnknownCte. */
export function locateBinary(root: MimePart, path: number[]): BinaryPlace | null {
  if (path.length === 0) return { start: 0, end: Infinity, encoding: null };
  const part = resolve(root, { path, text: null });
  if (!part) return null;
  const place = { start: part.bodyStart, end: part.bodyEnd };
  if (part.type === 'multipart' || IDENTITY.has(part.encoding)) return { ...place, encoding: null };
  if (DECODABLE.has(part.encoding)) return { ...place, encoding: part.encoding };
  throw new UnknownCte(part.encoding);
}

/** Reads the raw message's bytes [start, end) in pieces. */
export type RawReader = (start: number, end: number) => AsyncIterable<Buffer>;

/** The decoded bytes of a place from offset `from` up to `to` (of the decoded content), in pieces. */
export async function* decodedRange(read: RawReader, place: BinaryPlace, size: number, from: number, to: number): AsyncGenerator<Buffer> {
  const end = Math.min(place.end, size);
  if (place.encoding === null) {
    // Identity: decoded offsets are raw offsets.
    const a = Math.min(place.start + from, end);
    const b = Math.min(place.start + to, end);
    if (a < b) yield* read(a, b);
    return;
  }
  let at = 0;
  for await (const piece of decodeTransferChunks(read(place.start, end), place.encoding)) {
    const next = at + piece.length;
    if (next > from) yield piece.subarray(Math.max(0, from - at), Math.min(piece.length, to - at));
    at = next;
    // Returning ends the decoder and the store reads behind it.
    if (at >= to) return;
  }
}

/** The decoded length of [from, to) and whether it holds a NUL, read through once and kept nowhere. */
export async function measure(read: RawReader, place: BinaryPlace, size: number, from = 0, to = Infinity): Promise<{ length: number; nul: boolean }> {
  let length = 0;
  let nul = false;
  for await (const piece of decodedRange(read, place, size, from, to)) {
    length += piece.length;
    if (!nul && piece.includes(0)) nul = true;
  }
  return { length, nul };
}

/** BINARY.SIZE (RFC 3516 §4.3): the decoded size; counted through the decoder when there is a CTE to remove. */
export async function decodedSize(read: RawReader, place: BinaryPlace, size: number): Promise<number> {
  if (place.encoding === null) return Math.max(0, Math.min(place.end, size) - place.start);
  return (await measure(read, place, size)).length;
}

/**
 * The literal of BINARY[part]<partial>. RFC 3516 §4.3: literal8 `~{n}` when
 * the decoded bytes hold a NUL, otherwise a plain literal (a client then knows
 * there is no NUL without looking). The length and the NUL must be known
 * before the first byte goes out, so a large result is decoded twice: once to
 * measure it, once as the socket takes it.
 */
export async function binaryLiteral(read: RawReader, place: BinaryPlace | null, size: number, partial: { start: number; length: number } | null): Promise<Literal> {
  if (!place) return Buffer.alloc(0);
  const from = partial?.start ?? 0;
  const to = partial ? from + partial.length : Infinity;
  // Decoding base64 or quoted-printable never makes bytes longer, so this bounds the result.
  if (Math.min(Math.min(place.end, size) - place.start, to - from) <= SMALL) {
    const pieces: Buffer[] = [];
    for await (const piece of decodedRange(read, place, size, from, to)) pieces.push(piece);
    const bytes = Buffer.concat(pieces);
    if (!bytes.includes(0)) return bytes;
    return { length: bytes.length, literal8: true, chunks: async function* () { yield bytes; } };
  }
  const { length, nul } = await measure(read, place, size, from, to);
  return { length, literal8: nul, chunks: () => decodedRange(read, place, size, from, to) };
}
