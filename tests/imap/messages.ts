// Large test messages with known byte positions, for FETCH streaming tests and
// the large-FETCH benchmark.
import crypto from 'node:crypto';

const CRLF = '\r\n';

/**
 * A multipart/mixed message of exactly `size` bytes: a short text part and a
 * base64 attachment of random data that fills the rest (a realistic 24 MB mail).
 */
export function largeMessage(size: number, subject = 'Large message'): Buffer {
  const head =
    `From: Alice <alice@example.org>${CRLF}To: big@heron.test${CRLF}Subject: ${subject}${CRLF}` +
    `Date: Mon, 7 Feb 1994 21:52:25 -0800${CRLF}Message-ID: <large-${size}@example.org>${CRLF}MIME-Version: 1.0${CRLF}` +
    `Content-Type: multipart/mixed; boundary="=_large_boundary"${CRLF}${CRLF}` +
    `--=_large_boundary${CRLF}Content-Type: text/plain; charset=us-ascii${CRLF}${CRLF}Here is the file.${CRLF}` +
    `--=_large_boundary${CRLF}Content-Type: application/octet-stream; name="data.bin"${CRLF}Content-Transfer-Encoding: base64${CRLF}` +
    `Content-Disposition: attachment; filename="data.bin"${CRLF}${CRLF}`;
  const tail = `${CRLF}--=_large_boundary--${CRLF}`;
  const bodySize = size - head.length - tail.length;
  if (bodySize < 0) throw new Error('message too small for its headers');
  // Lines of 76 base64 characters; the last one shorter so the total is exact.
  const base64 = crypto.randomBytes(Math.ceil((bodySize * 3) / 4) + 3).toString('base64');
  const body = Buffer.alloc(bodySize);
  let at = 0;
  let from = 0;
  while (at < bodySize) {
    const take = Math.min(76, bodySize - at);
    at += body.write(base64.slice(from, from + take), at, 'latin1');
    from += take;
    if (at + 2 <= bodySize && bodySize - at > 2) at += body.write(CRLF, at, 'latin1');
  }
  return Buffer.concat([Buffer.from(head, 'latin1'), body, Buffer.from(tail, 'latin1')]);
}

/** A three-part message whose parts' bytes are known: text, raw binary with NUL bytes, HTML. */
export function sectionedMessage(textSize: number, binarySize: number): { raw: Buffer; header: Buffer; text: Buffer; binaryMime: Buffer; binary: Buffer; html: Buffer } {
  const boundary = `=_sections_${crypto.randomBytes(12).toString('hex')}`;
  const header = Buffer.from(
    `From: Alice <alice@example.org>${CRLF}To: big@heron.test${CRLF}Subject: Sections${CRLF}Date: Mon, 7 Feb 1994 21:52:25 -0800${CRLF}` +
      `MIME-Version: 1.0${CRLF}Content-Type: multipart/mixed; boundary="${boundary}"${CRLF}${CRLF}`,
    'latin1',
  );
  const line = 'The quick brown fox jumps over the lazy dog, again and again. 0123456789\r\n';
  const text = Buffer.from(line.repeat(Math.ceil(textSize / line.length)).slice(0, textSize - 2) + CRLF, 'latin1');
  // Random bytes hold NUL at about one byte in 256, at every offset a chunk boundary could fall on.
  const binary = crypto.randomBytes(binarySize);
  for (let i = 0; i < binary.length; i += 65536) binary[i] = 0; // and at each 64 KiB write boundary
  // A boundary-like line cannot occur: the boundary is random and 35 characters long.
  const binaryMime = Buffer.from(`Content-Type: application/octet-stream${CRLF}Content-Transfer-Encoding: binary${CRLF}${CRLF}`, 'latin1');
  const html = Buffer.from(`<p>${'Hello <b>world</b>. '.repeat(200)}</p>${CRLF}`, 'latin1');
  const raw = Buffer.concat([
    header,
    Buffer.from(`--${boundary}${CRLF}Content-Type: text/plain; charset=us-ascii${CRLF}${CRLF}`, 'latin1'),
    text,
    Buffer.from(`${CRLF}--${boundary}${CRLF}`, 'latin1'),
    binaryMime,
    binary,
    Buffer.from(`${CRLF}--${boundary}${CRLF}Content-Type: text/html; charset=us-ascii${CRLF}${CRLF}`, 'latin1'),
    html,
    Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1'),
  ]);
  return { raw, header, text, binaryMime, binary, html };
}

/** What a literal carries on the wire: NUL is sent as 0x80 (RFC 3501 §4.3). */
export function onTheWire(bytes: Buffer): Buffer {
  return Buffer.from(bytes.map((b) => (b === 0 ? 0x80 : b)));
}
