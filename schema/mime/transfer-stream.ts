// Content-Transfer-Encoding decoding piece by piece (RFC 2045 §6.7, §6.8), for
// bodies too large to hold whole (an attachment sent by the API). The bytes
// come out exactly as decodeTransfer() gives them for the whole body.
import libqp from 'libqp';

/** A quoted-printable "line" longer than this (RFC 2045 allows 76) is decoded without waiting for its end. */
const MAX_QP_CARRY = 64 * 1024;
/** Encoded bytes decoded at a time: a store chunk (up to 4 MiB) is cut into these, so no large string is made. */
const SLICE = 64 * 1024;

/** The chunks cut into pieces of at most SLICE bytes. */
async function* slices(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) for (let at = 0; at < chunk.length; at += SLICE) yield chunk.subarray(at, at + SLICE);
}

async function* base64(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry = '';
  for await (const piece of slices(chunks)) {
    let text = carry + piece.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '');
    // Node's decoder (so decodeTransfer) stops at the first padding character; so does this.
    const pad = text.indexOf('=');
    if (pad !== -1) text = text.slice(0, pad);
    const whole = pad !== -1 ? text.length : text.length - (text.length % 4);
    if (whole > 0) yield Buffer.from(text.slice(0, whole), 'base64');
    carry = text.slice(whole);
    if (pad !== -1) return;
  }
  if (carry) yield Buffer.from(carry, 'base64');
}

/**
 * Whether decoding may stop after the line break at `lf` and start afresh
 * after it. After a soft break ("=" CRLF), which decodeTransfer removes, the
 * rest of the line runs on into the next one: a "=" or "=X" just before it
 * may pair with what follows ("a==\r\n41" decodes to "a=A"), so not there.
 */
function safeAfterLine(text: string, lf: number): boolean {
  let end = text[lf - 1] === '\r' ? lf - 1 : lf;
  // Trailing blanks are stripped before the soft break is seen ("== \n00" decodes to a NUL).
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  if (text[end - 1] !== '=') return true;
  return !/=[0-9A-Fa-f]?$/.test(text.slice(Math.max(0, end - 3), end - 1));
}

/** Whether decoding may stop at `at` inside a line: not in trailing blanks (stripped at line ends) nor within "=XX". */
const safeInLine = (text: string, at: number) => !/[=\t ]/.test(text[at - 1]) && text[at - 2] !== '=';

/** Where a piece of quoted-printable text may end; 0 when it must wait for more. */
function qpCut(text: string): number {
  for (let lf = text.lastIndexOf('\n'); lf !== -1; lf = lf > 0 ? text.lastIndexOf('\n', lf - 1) : -1) {
    if (safeAfterLine(text, lf)) return lf + 1;
  }
  // A line far longer than RFC 2045 allows: cut inside it rather than hold it whole
  // (and past four times that, anywhere: such a body is garbage anyway).
  if (text.length <= MAX_QP_CARRY) return 0;
  for (let at = text.length - 2; at > text.length - MAX_QP_CARRY; at--) if (safeInLine(text, at)) return at;
  return text.length > 4 * MAX_QP_CARRY ? text.length - 2 : 0;
}

async function* quotedPrintable(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry = '';
  for await (const piece of slices(chunks)) {
    // Latin-1: one character per byte, as decodeTransfer reads it.
    const text = carry + piece.toString('latin1');
    const cut = qpCut(text);
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
