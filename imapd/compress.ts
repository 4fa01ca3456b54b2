// COMPRESS=DEFLATE (RFC 4978) as a layer between the session and its socket,
// the way STARTTLS puts TLS between them: raw DEFLATE (no zlib header, §3)
// inflates what the client sends and deflates what the server writes.
//
// Output: every write the response writer makes (one per tick of small lines,
// or one literal chunk) is deflated with Z_SYNC_FLUSH, so a response leaves
// at once (IDLE updates, pipelined replies) instead of waiting for a full
// window (§4). The deflater is piped into the socket: when the socket is slow
// the deflater stops, its unread input grows, and the writer (which watches
// the deflater's writableLength and 'drain') waits, so memory stays bounded.
//
// Input: the socket is piped into the inflater, which yields at most
// INFLATE_CHUNK bytes per read and stops inflating while the session is not
// reading (backpressure reaches the socket), so a small "decompression bomb"
// can never be inflated ahead of the framer, whose line and literal limits
// then apply to the inflated bytes exactly as to plain ones.
import type { Duplex, Readable } from 'node:stream';
import zlib from 'node:zlib';

/** Most inflated bytes handed to the session per read, and what the inflater may hold unread. */
export const INFLATE_CHUNK = 16 * 1024;

export class DeflateLayer {
  /** The client's commands, inflated. */
  readonly input: Readable;
  /** The server's responses: written here, deflated into the socket. */
  readonly output: Duplex;

  /** `onError` hears of invalid compressed input (the session ends). */
  constructor(socket: Duplex, onError: (err: Error) => void) {
    const inflate = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK });
    const deflate = zlib.createDeflateRaw({ flush: zlib.constants.Z_SYNC_FLUSH });
    this.input = inflate;
    this.output = deflate;
    socket.pipe(inflate);
    // The session ends the deflater (LOGOUT, BYE); its last bytes are flushed, then the socket ends.
    deflate.pipe(socket);
    inflate.on('error', onError);
    deflate.on('error', () => socket.destroy());
    // zlib keeps native memory until destroyed: free it when the connection goes.
    socket.once('close', () => {
      inflate.destroy();
      deflate.destroy();
    });
  }
}
