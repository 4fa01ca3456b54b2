// Content-Transfer-Encoding decoding piece by piece (RFC 2045 §6.7, §6.8), for
// bodies too large to hold whole (an attachment sent by the API). The bytes
// come out exactly as decodeTransfer() gives them for the whole body.
import libqp from 'libqp';

const LF = 0x0a;
/** A quoted-printable "line" longer than this (RFC 2045 allows 76) is decoded without waiting for its end. */
const MAX_QP_CARRY = 64 * 1024;
/** Base64 text decoded at once: whole quartets, about 48 KiB of output. */
const BASE64_SLICE = 64 * 1024;

async function* base64(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry = '';
  for await (const chunk of chunks) {
    let text = carry + chunk.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '');
    // Node's decoder (so decodeTransfer) stops at the first padding character; so does this.
    const pad = text.indexOf('=');
    if (pad !== -1) text = text.slice(0, pad);
    const whole = pad !== -1 ? text.length : text.length - (text.length % 4);
    for (let at = 0; at < whole; at += BASE64_SLICE) yield Buffer.from(text.slice(at, Math.min(at + BASE64_SLICE, whole)), 'base64');
    carry = text.slice(whole);
    if (pad !== -1) return;
  }
  if (carry) yield Buffer.from(carry, 'base64');
}

/** Where a piece of quoted-printable text may end: after its last line break, or (for an overlong line) not inside "=XX" or trailing blanks. */
function qpCut(text: string): number {
  const lf = text.lastIndexOf('\n');
  if (lf !== -1) return lf + 1;
  if (text.length <= MAX_QP_CARRY) return 0;
  let cut = text.length - 2;
  while (cut > 0 && /[=\t ]/.test(text[cut - 1])) cut--;
  return cut;
}

async function* quotedPrintable(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry = '';
  for await (const chunk of chunks) {
    // Latin-1: one character per byte, as decodeTransfer reads it.
    const text = carry + chunk.toString('latin1');
    const cut = chunk.includes(LF) || text.length > MAX_QP_CARRY ? qpCut(text) : 0;
    if (cut > 0) yield libqp.decode(text.slice(0, cut));
    carry = text.slice(cut);
  }
  if (carry) yield libqp.decode(carry);
}

/** The decoded bytes of a body read as `chunks`, for its Content-Transfer-Encoding (MimePart.encoding, upper case). */
export function decodeTransferChunks(chunks: AsyncIterable<Buffer>, encoding: string): AsyncIterable<Buffer> {
  if (encoding === 'BASE64') return base64(chunks);
  if (encoding === 'QUOTED-PRINTABLE') return quotedPrintable(chunks);
  return chunks;
}
