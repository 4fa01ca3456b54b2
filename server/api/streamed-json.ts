// JSON bodies with values too large to hold as one string (a message's raw
// bytes as base64): the document is serialized around them, and each such
// value is written in pieces read from the store as the client takes them
// (the Readable is pulled by Koa's pipeline, so backpressure holds).
import crypto from 'node:crypto';
import { Readable } from 'node:stream';

/** Bytes read in pieces and written as a base64 JSON string by jsonBody(). */
export class StreamedBase64 {
  constructor(readonly chunks: () => AsyncIterable<Buffer>) {}
}

/** A JSON document as one string, or as a stream when it holds StreamedBase64 values. */
export function jsonBody(value: unknown): string | Readable {
  const streamed: StreamedBase64[] = [];
  const marker = `\u0000stream-${crypto.randomUUID()}-`;
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof StreamedBase64)) return v;
    streamed.push(v);
    return `${marker}${streamed.length - 1}`;
  });
  if (streamed.length === 0) return text;
  // The marker holds a random UUID (and a NUL, which JSON.stringify writes as \u0000): no string in the data can match it.
  const pattern = new RegExp(`"${JSON.stringify(marker).slice(1, -1).replace(/\\/g, '\\\\')}(\\d+)"`, 'g');
  return Readable.from(pieces(text, pattern, streamed), { objectMode: false });
}

async function* pieces(text: string, pattern: RegExp, streamed: StreamedBase64[]): AsyncGenerator<Buffer> {
  let from = 0;
  for (const m of text.matchAll(pattern)) {
    yield Buffer.from(text.slice(from, m.index) + '"');
    yield* base64(streamed[Number(m[1])].chunks());
    yield Buffer.from('"');
    from = m.index + m[0].length;
  }
  yield Buffer.from(text.slice(from));
}

/** Input bytes per base64 piece: 64 KiB out, a string small enough to be collected young. */
const BASE64_SLICE = 48 * 1024;

/** Base64 of a byte stream, in 64 KiB pieces; bytes past a multiple of 3 wait for the next chunk. */
async function* base64(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let carry = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % 3);
    for (let at = 0; at < whole; at += BASE64_SLICE) yield Buffer.from(bytes.subarray(at, Math.min(at + BASE64_SLICE, whole)).toString('base64'), 'latin1');
    carry = Buffer.from(bytes.subarray(whole));
  }
  if (carry.length) yield Buffer.from(carry.toString('base64'), 'latin1');
}
