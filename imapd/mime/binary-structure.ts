// The BODYSTRUCTURE of a part as its BINARY content describes it (RFC 5524
// §3.2, URLFETCH's BODYPARTSTRUCTURE together with BINARY): the body is sent
// with its Content-Transfer-Encoding removed, so the structure gives the
// decoded size and lines and, as the encoding, the identity domain the
// decoded bytes fall in (RFC 2045 §2.7-2.9: "7bit", "8bit" or "binary"), as
// RFC 5524 §4's examples do. A part sent as stored (identity CTE, a
// multipart) keeps its structure as it is.
import type { MimePart } from '../../schema/index.ts';
import { type BinaryPlace, decodedRange, type RawReader } from './binary-section.ts';
import { renderBodyStructure } from './bodystructure.ts';

const LF = 0x0a;
const CR = 0x0d;
/** RFC 5322 §2.1.1 / RFC 2045 §2.8: 7bit and 8bit lines are at most 998 octets. */
const MAX_LINE = 998;

/** The decoded content's length, line breaks and identity domain, read through once and kept nowhere. */
async function decodedShape(read: RawReader, place: BinaryPlace, size: number): Promise<{ length: number; lines: number; domain: string }> {
  let length = 0;
  let lines = 0;
  let line = 0;
  let eight = false;
  let binary = false;
  let previous = -1;
  for await (const piece of decodedRange(read, place, size, 0, Infinity)) {
    length += piece.length;
    for (let i = 0; i < piece.length; i++) {
      const byte = piece[i];
      if (byte === LF) {
        lines++;
        // RFC 2045 §2.8: CR and LF only as a CRLF pair.
        if (previous !== CR) binary = true;
        line = 0;
      } else {
        if (previous === CR || byte === 0) binary = true;
        if (byte >= 0x80) eight = true;
        if (byte !== CR && ++line > MAX_LINE) binary = true;
      }
      previous = byte;
    }
  }
  if (previous === CR) binary = true;
  return { length, lines, domain: binary ? 'binary' : eight ? '8bit' : '7bit' };
}

/** BODYSTRUCTURE (extended) of `part`, whose BINARY content is at `place`, as that content describes it; rev2 as for FETCH. */
export async function binaryBodyStructure(read: RawReader, part: MimePart, place: BinaryPlace, size: number, rev2: boolean): Promise<string> {
  if (place.encoding === null) return renderBodyStructure(part, true, rev2);
  const { length, lines, domain } = await decodedShape(read, place, size);
  return renderBodyStructure({ ...part, size: length, lines, wire: { ...part.wire, encoding: domain } }, true, rev2);
}
