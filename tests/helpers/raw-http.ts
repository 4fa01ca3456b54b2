// HTTP/1.1 by hand, for what fetch hides: a declared length that is never
// sent, chunked bodies of any size, the answer that arrives while the body is
// still going out, the connection the server closes, a chosen source address
// on 127/8.
import net from 'node:net';
import { WAIT_MS } from './deadline.ts';

export interface RawExchange {
  /** Everything the server sent (latin1). */
  received: string;
  /** Whether the server closed the connection. */
  closed: boolean;
  /** Body bytes the client wrote before the answer came or the connection closed. */
  sent: number;
}

const PIECE = Buffer.alloc(1024 * 1024, 0x61);
/** Once an answer has arrived, the client waits this long for the server to close, then closes. */
const CLOSE_WAIT_MS = 3000;

/**
 * Sends `head` as given, then up to `body` bytes (chunked when asked) with
 * backpressure, and stops sending as soon as an answer has arrived, as
 * RFC 9112 §9.3 asks of a client. Resolves when the connection is closed, by
 * the server or, after a silence (see `quiet`), by the client.
 */
export function rawRequest(port: number, head: string, body = 0, options: { localAddress?: string; chunked?: boolean; silenceMs?: number } = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: options.localAddress });
    const out: RawExchange = { received: '', closed: false, sent: 0 };
    let answered = false;
    let giveUp: NodeJS.Timeout | undefined;
    // Closes the connection when nothing moves: a short wait once the server has
    // answered, the silence deadline before that (while connecting, while a body
    // the server does not read waits for `drain`, while the answer has not come).
    // A busy server may take seconds; any progress restarts the clock.
    const quiet = () => {
      clearTimeout(giveUp);
      giveUp = setTimeout(() => socket.destroy(), answered ? CLOSE_WAIT_MS : (options.silenceMs ?? WAIT_MS)).unref();
    };
    quiet();
    socket.on('data', (d: Buffer) => {
      out.received += d.toString('latin1');
      if (out.received.includes('\r\n\r\n')) answered = true;
      quiet();
    });
    socket.on('drain', quiet);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      out.closed = true;
      resolve(out);
    });
    socket.on('connect', async () => {
      quiet();
      socket.write(head);
      while (out.sent < body && !answered && !out.closed) {
        const n = Math.min(PIECE.length, body - out.sent);
        const data = PIECE.subarray(0, n);
        const chunk = options.chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), data, Buffer.from('\r\n')]) : data;
        out.sent += n;
        if (!socket.write(chunk)) {
          await new Promise<void>((r) => {
            socket.once('drain', r);
            socket.once('close', r);
          });
        }
      }
    });
  });
}

/** The status code of a raw answer, 0 when there is none. */
export function statusOf(received: string): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(received);
  return m ? Number(m[1]) : 0;
}

/** GET /health from `localAddress`: status and milliseconds. */
export async function healthProbe(port: number, localAddress?: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const r = await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: heron\r\nConnection: close\r\n\r\n', 0, { localAddress });
  return { status: statusOf(r.received), ms: performance.now() - started };
}

/** `n` concurrent sign-ins of `bytes` each, half with a declared length, half chunked (counted while read). */
export function signinFlood(port: number, n: number, bytes: number) {
  const sized = `POST /action/user_account/signin HTTP/1.1\r\nHost: heron\r\nContent-Type: application/json\r\nContent-Length: ${bytes}\r\n\r\n`;
  const chunked = 'POST /action/user_account/signin HTTP/1.1\r\nHost: heron\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
  return Promise.all(Array.from({ length: n }, (_, i) => rawRequest(port, i % 2 ? sized : chunked, bytes, { chunked: i % 2 === 0 })));
}
