// Responses to the client (RFC 3501 §7), written as Buffers with backpressure.
// Text is a binary string, one char per byte (see render/quote.ts), encoded
// with latin1 so 8-bit bytes pass unchanged. Lines written in one tick leave
// as one socket write (one TCP segment when small). A response with literals
// is written piece by piece: a literal's bytes as Buffers, a large one in
// chunks pulled from its source only when the socket has room (fewer than
// HIGH_WATER unsent bytes), so no response is ever assembled whole in memory.
import type { Duplex } from 'node:stream';
import { withoutNul } from './render/quote.ts';

/** Unsent bytes the socket may hold before a streamed response waits for 'drain'. */
export const HIGH_WATER = 256 * 1024;
/** Small output waiting for the end of the tick is written at once past this size. */
const COALESCE_LIMIT = 64 * 1024;
/** Largest single socket write of a literal's bytes. */
const WRITE_CHUNK = 64 * 1024;

/** A literal whose bytes are read elsewhere (the store) piece by piece. */
export interface LiteralSource {
  /** Announced in `{n}`; the source must yield exactly this many bytes. */
  readonly length: number;
  /** Pulled one piece at a time, when the socket can take more. */
  chunks(): AsyncIterable<Buffer>;
  /** Sent as literal8 `~{n}` (RFC 3516 §4.3), NUL bytes and all; otherwise NUL goes out as 0x80. */
  readonly literal8?: boolean;
}

export type Literal = Buffer | LiteralSource;

/**
 * One part of a response: text (a binary string), or a literal. A literal may
 * be given as a function, called only when the writer reaches it, so that a
 * response with many computed literals holds one of them at a time.
 */
export type ResponsePiece = string | { literal: Literal | (() => Literal | Promise<Literal>) };

/** The connection went away while a response was being written. */
export class WriterClosed extends Error {
  constructor() {
    super('connection closed');
  }
}

export class Writer {
  /** Output waiting for the end of the tick: text (binary strings) and literal bytes. */
  private pending: Array<string | Buffer> = [];
  private pendingBytes = 0;
  private scheduled = false;
  /** Lines written by others (a literal's "+", a BYE) while a response streams; they follow it. */
  private held: string[] | null = null;
  /** A response was cut in the middle: nothing more may be written on this connection. */
  private broken = false;

  constructor(private socket: Duplex) {}

  /** Lines written in one tick leave as one write (one TCP segment when small). Bound: it is also the end-of-tick callback (see Session.onSocketData on why not an arrow). */
  readonly flush = this.flushPending.bind(this);

  private flushPending(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const out = this.pending.length === 1 && Buffer.isBuffer(this.pending[0]) ? this.pending[0] : Buffer.allocUnsafe(this.pendingBytes);
    if (out !== this.pending[0]) {
      let at = 0;
      for (const piece of this.pending) at += typeof piece === 'string' ? out.write(piece, at, 'latin1') : piece.copy(out, at);
    }
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.closed) this.socket.write(out);
  }

  /** After STARTTLS the session writes to the TLS socket. */
  replace(socket: Duplex): void {
    this.flush();
    this.socket = socket;
  }

  get closed(): boolean {
    return this.broken || this.socket.destroyed || !this.socket.writable;
  }

  /** True while a response with literals is being written. */
  get streaming(): boolean {
    return this.held !== null;
  }

  /** Writes one response line (CRLF added). */
  line(text: string): void {
    if (this.closed) return;
    if (this.held) this.held.push(text);
    else this.push(text + '\r\n');
  }
  /** Writes one response line given as bytes (CRLF added): a long one made without a string. */
  lineBytes(bytes: Buffer): void {
    if (this.closed) return;
    if (this.held) this.held.push(bytes.toString('latin1'));
    else {
      this.push(bytes);
      this.push('\r\n');
    }
  }
  untagged(text: string): void {
    this.line('* ' + text);
  }
  tagged(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: string): void {
    this.line(`${tag} ${status} ${code ? `[${code}] ` : ''}${text}`);
  }
  continuation(text = 'Ready'): void {
    this.line('+ ' + text);
  }

  /**
   * Writes one response made of text and literals, then CRLF. Literal bytes
   * (and the next pieces, which may be produced lazily) are pulled only when
   * the socket has room. If the source
   * fails or the connection closes midway the response cannot be completed,
   * and the writer refuses all further output (the session must end).
   */
  async respond(pieces: Iterable<ResponsePiece>): Promise<void> {
    if (this.closed) throw new WriterClosed();
    this.held = [];
    try {
      for (const piece of pieces) {
        if (typeof piece === 'string') {
          this.push(piece);
          // A long line made of many pieces (SORT, THREAD) is made only as the socket takes it.
          const full = this.waitForRoom();
          if (full) await full;
        } else {
          // Small in-memory literals are written at once; only a source or a large literal waits.
          const waiting = this.literal(typeof piece.literal === 'function' ? piece.literal() : piece.literal);
          if (waiting) await waiting;
        }
      }
      this.push('\r\n');
      // The next response is prepared only when the socket can take it.
      const full = this.waitForRoom();
      if (full) await full;
    } catch (err) {
      this.broken = true;
      this.pending = [];
      this.pendingBytes = 0;
      throw err;
    } finally {
      const held = this.held;
      this.held = null;
      for (const line of held) this.line(line);
    }
  }

  /** Resolves once buffered output is small again (or the connection is gone). */
  async drain(): Promise<void> {
    this.flush();
    await this.waitForRoom();
  }

  /** Text counts one byte per char: it is a binary string (latin1). */
  private push(bytes: string | Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= COALESCE_LIMIT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
    }
  }

  private literal(literal: Literal | Promise<Literal>): Promise<void> | undefined {
    if (literal instanceof Promise) return literal.then((resolved) => this.literal(resolved));
    const literal8 = !Buffer.isBuffer(literal) && literal.literal8 === true;
    this.push(`${literal8 ? '~' : ''}{${literal.length}}\r\n`);
    return Buffer.isBuffer(literal) ? this.bytes(withoutNul(literal)) : this.stream(literal, literal8);
  }

  private async stream(literal: LiteralSource, literal8: boolean): Promise<void> {
    let sent = 0;
    for await (const chunk of literal.chunks()) {
      sent += chunk.length;
      if (sent > literal.length) throw new Error(`literal source gave more than the ${literal.length} bytes announced`);
      // Byte for byte, so each chunk is cleaned of NUL on its own (RFC 3501 §4.3).
      await this.bytes(literal8 ? chunk : withoutNul(chunk));
    }
    if (sent !== literal.length) throw new Error(`literal source ended after ${sent} of ${literal.length} bytes`);
  }

  /** Small bytes join the pending output at once; larger ones are written in chunks, each waiting for room. */
  private bytes(bytes: Buffer): Promise<void> | undefined {
    if (this.pendingBytes + bytes.length < COALESCE_LIMIT) {
      this.push(bytes);
      return undefined;
    }
    return this.chunked(bytes);
  }

  private async chunked(bytes: Buffer): Promise<void> {
    for (let at = 0; at < bytes.length; at += WRITE_CHUNK) {
      if (this.closed) throw new WriterClosed();
      const piece = bytes.subarray(at, at + WRITE_CHUNK);
      if (this.pendingBytes + piece.length < COALESCE_LIMIT) this.push(piece);
      else {
        this.flush();
        this.socket.write(piece);
      }
      await this.waitForRoom();
    }
  }

  /** Waits while the socket holds HIGH_WATER or more unsent bytes; undefined when there is room now. */
  waitForRoom(): Promise<void> | undefined {
    if (this.closed || this.socket.writableLength < HIGH_WATER) return undefined;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }
}
