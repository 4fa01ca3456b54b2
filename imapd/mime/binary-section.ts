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

/**
 * Where base64 decoding may restart: `encoded` is the raw offset just after
 * a multiple of four base64 characters (before any "="), `decoded` the
 * decoded offset there. A session keeps one for the part it last read a
 * window of, so a client reading a large part window after window (as
 * imapflow's download() does) costs one pass over it, not one per window.
 */
export interface Base64Mark {
  decoded: number;
  encoded: number;
}

/**
 * The bytes [start, end) read as `read` gives them, the first `first` bytes
 * asked for on their own: a window of a large part then reads about as many
 * bytes as it needs, not a whole store chunk (up to 4 MiB); any more follow.
 */
async function* readAbout(read: RawReader, start: number, end: number, first: number): AsyncGenerator<Buffer> {
  const cut = Math.min(end, start + Math.max(first, 4096));
  yield* read(start, cut);
  if (cut < end) yield* read(cut, end);
}

/** 1 for the base64 alphabet, 2 for "=", 0 for anything else (line breaks, which decoding skips). */
const BASE64_CLASS = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') BASE64_CLASS[c.charCodeAt(0)] = 1;
BASE64_CLASS['='.charCodeAt(0)] = 2;

/**
 * Counts base64 characters in the raw bytes [start, end), without decoding,
 * up to `limit` of them or the first "=" (where decoding stops, as
 * transfer-stream's decoder does). `at`: the raw offset just after the last one counted.
 */
async function countBase64(read: RawReader, start: number, end: number, limit: number): Promise<{ chars: number; at: number }> {
  let chars = 0;
  let at = start;
  if (limit <= 0) return { chars, at };
  let offset = start;
  // Line breaks add about 3% to base64 text (RFC 2045 §6.8: lines of at most 76).
  for await (const piece of readAbout(read, start, end, Math.ceil(limit * 1.05) + 1024)) {
    for (let i = 0; i < piece.length; i++) {
      const kind = BASE64_CLASS[piece[i]];
      if (kind === 2) return { chars, at };
      if (kind === 1) {
        chars++;
        at = offset + i + 1;
        if (chars === limit) return { chars, at };
      }
    }
    offset += piece.length;
  }
  return { chars, at };
}

/**
 * The pieces of `input` unchanged, counting base64 characters on the way to
 * move `mark` to the last restart point whose decoded offset is at most
 * `limit` (the window's end: the next window starts there).
 */
async function* marking(input: AsyncIterable<Buffer>, from: Base64Mark, limit: number, mark: Base64Mark): AsyncGenerator<Buffer> {
  let chars = 0;
  let offset = from.encoded;
  let done = false;
  for await (const piece of input) {
    for (let i = 0; i < piece.length && !done; i++) {
      const kind = BASE64_CLASS[piece[i]];
      if (kind === 2) done = true;
      else if (kind === 1 && ++chars % 4 === 0) {
        const decoded = from.decoded + (chars / 4) * 3;
        if (decoded > limit) done = true;
        else Object.assign(mark, { decoded, encoded: offset + i + 1 });
      }
    }
    offset += piece.length;
    yield piece;
  }
}

/** A window this close after the restart point is reached by decoding and skipping; farther, base64 characters are counted (no decoding) up to it. */
const SKIP_BY_DECODING = 1024 * 1024;

/** The decoded length of `chars` base64 characters: three bytes per four, one for a final two, two for a final three. */
const base64Length = (chars: number) => Math.floor(chars / 4) * 3 + [0, 0, 1, 2][chars % 4];

/** The decoded bytes of a place from offset `from` up to `to` (of the decoded content), in pieces. */
export async function* decodedRange(read: RawReader, place: BinaryPlace, size: number, from: number, to: number, mark?: Base64Mark): AsyncGenerator<Buffer> {
  const end = Math.min(place.end, size);
  if (place.encoding === null) {
    // Identity: decoded offsets are raw offsets.
    const a = Math.min(place.start + from, end);
    const b = Math.min(place.start + to, end);
    if (a < b) yield* read(a, b);
    return;
  }
  let at = 0;
  let start = place.start;
  if (place.encoding === 'BASE64') {
    // Start from the mark when it is before `from`, else from the part's start.
    const base = mark && mark.decoded <= from && mark.encoded >= place.start && mark.encoded <= end ? { ...mark } : { decoded: 0, encoded: place.start };
    at = base.decoded;
    start = base.encoded;
    if (from - base.decoded > SKIP_BY_DECODING) {
      // Skip to the quantum holding `from` by counting characters, not decoding them.
      const quantum = Math.floor(from / 3) * 3;
      const wanted = ((quantum - base.decoded) / 3) * 4;
      const { chars, at: encoded } = await countBase64(read, base.encoded, end, wanted);
      // The data ends before `from`.
      if (chars < wanted) return;
      at = quantum;
      start = encoded;
    }
  }
  // About 4/3 encoded bytes a decoded one for base64 (and line breaks); quoted-printable reads on as it needs.
  let input: AsyncIterable<Buffer> = readAbout(read, start, end, Math.ceil((to - at) * 1.4) + 1024);
  if (mark && place.encoding === 'BASE64') input = marking(input, { decoded: at, encoded: start }, to, mark);
  for await (const piece of decodeTransferChunks(input, place.encoding)) {
    const next = at + piece.length;
    if (next > from) yield piece.subarray(Math.max(0, from - at), Math.min(piece.length, to - at));
    at = next;
    // Returning ends the decoder and the store reads behind it.
    if (at >= to) return;
  }
}

/** The decoded length of [from, to) and whether it holds a NUL, read through once and kept nowhere. */
export async function measure(read: RawReader, place: BinaryPlace, size: number, from = 0, to = Infinity, mark?: Base64Mark): Promise<{ length: number; nul: boolean }> {
  let length = 0;
  let nul = false;
  for await (const piece of decodedRange(read, place, size, from, to, mark)) {
    length += piece.length;
    if (!nul && piece.includes(0)) nul = true;
  }
  return { length, nul };
}

/** BINARY.SIZE (RFC 3516 §4.3): the decoded size; base64 characters are counted, quoted-printable is decoded and counted. */
export async function decodedSize(read: RawReader, place: BinaryPlace, size: number): Promise<number> {
  const end = Math.min(place.end, size);
  if (place.encoding === null) return Math.max(0, end - place.start);
  if (place.encoding === 'BASE64') return base64Length((await countBase64(read, place.start, end, Infinity)).chars);
  return (await measure(read, place, size)).length;
}

/**
 * The literal of BINARY[part]<partial>. RFC 3516 §4.3: literal8 `~{n}` when
 * the decoded bytes hold a NUL, otherwise a plain literal (a client then knows
 * there is no NUL without looking). The length and the NUL must be known
 * before the first byte goes out, so a large result is decoded twice: once to
 * measure it, once as the socket takes it.
 */
export async function binaryLiteral(
  read: RawReader,
  place: BinaryPlace | null,
  size: number,
  partial: { start: number; length: number } | null,
  mark?: Base64Mark,
): Promise<Literal> {
  if (!place) return Buffer.alloc(0);
  const from = partial?.start ?? 0;
  const to = partial ? from + partial.length : Infinity;
  // Decoding base64 or quoted-printable never makes bytes longer, so this bounds the result.
  if (Math.min(Math.min(place.end, size) - place.start, to - from) <= SMALL) {
    const pieces: Buffer[] = [];
    for await (const piece of decodedRange(read, place, size, from, to, mark)) pieces.push(piece);
    const bytes = Buffer.concat(pieces);
    if (!bytes.includes(0)) return bytes;
    return { length: bytes.length, literal8: true, chunks: async function* () { yield bytes; } };
  }
  // Measuring moves the mark to the window's end; sending starts from where it was.
  const before = mark && { ...mark };
  const { length, nul } = await measure(read, place, size, from, to, mark);
  return { length, literal8: nul, chunks: () => decodedRange(read, place, size, from, to, before && { ...before }) };
}
