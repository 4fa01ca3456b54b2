// Transfer decoding piece by piece (schema/mime/transfer-stream.ts) gives the
// same bytes as decoding the whole body (decodeTransfer), however the body is
// cut into chunks: base64 with any line breaks and stray characters, padding
// inside the body, quoted-printable with soft breaks, encoded bytes and
// whitespace split across chunks, and lines far longer than RFC 2045 allows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeTransfer, decodeTransferChunks, type MimePart } from '../../schema/index.ts';

const part = (body: Buffer, encoding: string) => ({ bodyStart: 0, bodyEnd: body.length, encoding }) as MimePart;

async function streamed(body: Buffer, cuts: number[], encoding: string): Promise<Buffer> {
  const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  async function* chunks() {
    let from = 0;
    for (const at of [...points, body.length]) {
      if (at > from) yield body.subarray(from, at);
      from = Math.max(from, at);
    }
  }
  const out: Buffer[] = [];
  for await (const piece of decodeTransferChunks(chunks(), encoding)) out.push(piece);
  return Buffer.concat(out);
}

const qpText = fc.array(
  fc.oneof(
    fc.constantFrom('=\r\n', '=3D', '=C3=BC', '=0D=0A', ' \r\n', '\t=\r\n', '\r\n', '\n', '=', '==', '=4', '=zz', 'abc', ' ', '\t'),
    fc.string({ maxLength: 20 }),
  ),
  { maxLength: 60 },
);
const base64Text = fc
  .tuple(fc.uint8Array({ maxLength: 400 }), fc.array(fc.constantFrom('\r\n', ' ', '\t', '!', '='), { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }))
  .map(([bytes, junk, where]) => {
    let text = Buffer.from(bytes).toString('base64').replace(/.{1,76}/g, '$&\r\n');
    junk.forEach((j, i) => {
      const at = (where[i] ?? 0) % (text.length + 1);
      text = text.slice(0, at) + j + text.slice(at);
    });
    return text;
  });

describe('transfer decoding in pieces', () => {
  test('quoted-printable: a soft break after trailing blanks joins the lines (found by the property below)', async () => {
    for (const text of ['== \n00', '== \t\r\n00', 'a==\t\n41']) {
      const body = Buffer.from(text, 'latin1');
      const whole = decodeTransfer(body, part(body, 'QUOTED-PRINTABLE'));
      for (const cut of [0, 1, 2, 3, 4, 5]) assert.ok((await streamed(body, [cut], 'QUOTED-PRINTABLE')).equals(whole), `${JSON.stringify(text)} cut at ${cut}`);
    }
  });

  test('base64: the same bytes as decoding the whole body, for any cuts', async () => {
    await fc.assert(
      fc.asyncProperty(base64Text, fc.array(fc.nat(), { maxLength: 12 }), async (text, cuts) => {
        const body = Buffer.from(text, 'latin1');
        assert.ok((await streamed(body, cuts, 'BASE64')).equals(decodeTransfer(body, part(body, 'BASE64'))));
      }),
      { numRuns: 300 },
    );
  });

  test('quoted-printable: the same bytes as decoding the whole body, for any cuts', async () => {
    await fc.assert(
      fc.asyncProperty(qpText, fc.array(fc.nat(), { maxLength: 12 }), async (pieces, cuts) => {
        const body = Buffer.from(pieces.join(''), 'latin1');
        assert.ok((await streamed(body, cuts, 'QUOTED-PRINTABLE')).equals(decodeTransfer(body, part(body, 'QUOTED-PRINTABLE'))));
      }),
      { numRuns: 300 },
    );
  });

  test('large bodies and overlong lines, cut where the store cuts them', async () => {
    const binary = Buffer.alloc(3_000_000);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919) % 256;
    const b64 = Buffer.from(binary.toString('base64').replace(/.{1,76}/g, '$&\r\n'), 'latin1');
    assert.ok((await streamed(b64, [1_000_001, 2_000_003], 'BASE64')).equals(binary));
    // One 200 KB quoted-printable line with no break at all.
    const line = Buffer.from('=41b'.repeat(50_000) + '=\r\nend', 'latin1');
    assert.ok((await streamed(line, [65_535, 65_536, 131_073], 'QUOTED-PRINTABLE')).equals(decodeTransfer(line, part(line, 'QUOTED-PRINTABLE'))));
    // Identity encodings pass through.
    assert.ok((await streamed(binary, [5, 1_000_000], '8BIT')).equals(binary));
  });
});
