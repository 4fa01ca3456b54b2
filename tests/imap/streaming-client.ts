// An IMAP client for very large responses: it parses the server's output as it
// arrives and keeps each literal only as its size and SHA-256 (optionally its
// bytes, for small ones), so a 576 MB FETCH never sits in the test's memory.
// Every wait has a silence deadline: no bytes for `silenceMs` fails the wait.
// After `compress()` (RFC 4978) it deflates what it sends and inflates what it reads.
import crypto from 'node:crypto';
import type net from 'node:net';
import zlib from 'node:zlib';
import { connectSocket } from '../helpers/line-socket.ts';

export interface LiteralSummary {
  size: number;
  sha256: string;
  /** The bytes, when the client was asked to keep literals. */
  bytes?: Buffer;
}

/** One complete response: its text with each literal shown as `{n}`, and the literals. */
export interface ParsedResponse {
  text: string;
  literals: LiteralSummary[];
  /** When its last byte arrived (performance.now()). */
  at: number;
}

export class StreamingClient {
  readonly responses: ParsedResponse[] = [];
  /** Bytes received so far (inflated, once compressed). */
  received = 0;
  /** Bytes that came over the wire (compressed, once compressed). */
  wireBytes = 0;
  closed = false;
  private line: Buffer[] = [];
  private text = '';
  private literals: LiteralSummary[] = [];
  private literalLeft = 0;
  private hash: crypto.Hash | null = null;
  private kept: Buffer[] = [];
  private waiters: Array<() => void> = [];
  /** While COMPRESS runs: its tag, so the bytes after its tagged OK go to the inflater. */
  private compressTag: string | null = null;
  private inflate: zlib.InflateRaw | null = null;
  private deflate: zlib.DeflateRaw | null = null;

  private constructor(
    readonly socket: net.Socket,
    private keepLiterals: boolean,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.wireBytes += chunk.length;
      if (this.inflate) this.inflate.write(chunk);
      else this.take(chunk);
    });
    // Once compressed, the connection counts as closed only when the inflater has given out every byte.
    socket.on('close', () => (this.inflate ? this.inflate.end() : this.markClosed()));
    socket.on('error', () => undefined);
  }

  /** Connects (over implicit TLS unless `tls` is false) and reads the greeting. */
  static async connect(port: number, options: { keepLiterals?: boolean; tls?: boolean } = {}): Promise<StreamingClient> {
    const socket = await connectSocket(port, options.tls ?? true);
    const client = new StreamingClient(socket, options.keepLiterals ?? false);
    await client.nextResponse();
    return client;
  }

  /** Sends bytes as one burst (deflated and flushed at once when compressed). */
  send(text: string | Buffer): void {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    if (this.deflate) this.deflate.write(bytes);
    else this.socket.write(bytes);
  }

  /**
   * RFC 4978: `COMPRESS DEFLATE`; on OK both directions are raw DEFLATE from the
   * byte after the tagged line. Returns the tagged response.
   */
  async compress(tag = 'Z'): Promise<ParsedResponse> {
    this.compressTag = tag;
    const r = await this.command(tag, 'COMPRESS DEFLATE');
    this.compressTag = null;
    return r.at(-1)!;
  }

  /** The deflater the client writes through (null before COMPRESS): a test may write into it unflushed. */
  get deflater(): zlib.DeflateRaw | null {
    return this.deflate;
  }

  private startCompression(rest: Buffer): void {
    // Z_SYNC_FLUSH on every write: each command leaves at once, as a real client's does.
    this.deflate = zlib.createDeflateRaw({ flush: zlib.constants.Z_SYNC_FLUSH });
    this.deflate.pipe(this.socket);
    this.deflate.on('error', () => undefined);
    this.inflate = zlib.createInflateRaw();
    this.inflate.on('data', (chunk: Buffer) => this.take(chunk));
    this.inflate.on('error', () => this.socket.destroy());
    this.inflate.on('close', () => this.markClosed());
    if (rest.length > 0) this.inflate.write(rest);
  }

  /** Sends a command and returns every response up to its tagged one; the tagged one is last. */
  async command(tag: string, command: string, silenceMs?: number): Promise<ParsedResponse[]> {
    this.send(`${tag} ${command}\r\n`);
    return this.untilTagged(tag, silenceMs);
  }

  async untilTagged(tag: string, silenceMs?: number): Promise<ParsedResponse[]> {
    const out: ParsedResponse[] = [];
    for (;;) {
      const r = await this.nextResponse(silenceMs);
      out.push(r);
      if (r.text.startsWith(`${tag} `)) return out;
    }
  }

  /** The next complete response; rejects after `silenceMs` without a byte, or if the connection closes first. */
  async nextResponse(silenceMs = 30_000): Promise<ParsedResponse> {
    await this.waitFor(() => this.responses.length > 0, silenceMs, true);
    return this.responses.shift()!;
  }

  /** Waits until `count` bytes in all have arrived (a response has started). */
  private async waitForBytes(count: number, silenceMs: number): Promise<void> {
    await this.waitFor(() => this.received >= count, silenceMs, true);
  }

  /**
   * Sends `text` and stops reading once the answer has begun: for a large
   * literal the server is left waiting with most of it unsent (more than the
   * socket buffers between the two can hold). `socket.resume()` reads on.
   */
  async sendThenStopReading(text: string): Promise<void> {
    const before = this.received;
    this.send(text);
    await this.waitForBytes(before + 1, 60_000);
    this.socket.pause();
  }

  /** Waits until the server closes the connection; rejects after `silenceMs` without a byte. */
  async waitClosed(silenceMs = 30_000): Promise<void> {
    await this.waitFor(() => this.closed, silenceMs, false);
  }

  private async waitFor(done: () => boolean, silenceMs: number, failOnClose: boolean): Promise<void> {
    let lastReceived = this.received;
    let lastProgress = performance.now();
    while (!done()) {
      if (this.closed && failOnClose) throw new Error(`connection closed after ${this.received} bytes; partial response: ${this.text.slice(0, 200)}`);
      const woke = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Math.max(0, silenceMs - (performance.now() - lastProgress)));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (this.received !== lastReceived) {
        lastReceived = this.received;
        lastProgress = performance.now();
      } else if (!woke) {
        throw new Error(`no data from the server for ${silenceMs} ms (after ${this.received} bytes)`);
      }
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private markClosed(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  private take(chunk: Buffer): void {
    this.received += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      if (this.literalLeft > 0) {
        const piece = chunk.subarray(at, at + this.literalLeft);
        this.hash!.update(piece);
        if (this.keepLiterals) this.kept.push(Buffer.from(piece));
        this.literalLeft -= piece.length;
        at += piece.length;
        if (this.literalLeft === 0) this.endLiteral();
        continue;
      }
      const lf = chunk.indexOf(0x0a, at);
      if (lf === -1) {
        this.line.push(chunk.subarray(at));
        break;
      }
      this.line.push(chunk.subarray(at, lf + 1));
      at = lf + 1;
      const line = Buffer.concat(this.line).toString('latin1');
      this.line = [];
      this.text += line.replace(/\r\n$/, '');
      const literal = /\{(\d+)\}$/.exec(line.replace(/\r\n$/, ''));
      if (literal) {
        this.literalLeft = Number(literal[1]);
        this.hash = crypto.createHash('sha256');
        this.kept = [];
        if (this.literalLeft === 0) this.endLiteral();
      } else {
        this.responses.push({ text: this.text, literals: this.literals, at: performance.now() });
        const switching = this.compressTag !== null && this.text.startsWith(`${this.compressTag} OK`);
        this.text = '';
        this.literals = [];
        if (switching) {
          this.compressTag = null;
          this.startCompression(chunk.subarray(at));
          break;
        }
      }
    }
    this.wake();
  }

  private endLiteral(): void {
    const size = Number(/\{(\d+)\}$/.exec(this.text)![1]);
    this.literals.push({ size, sha256: this.hash!.digest('hex'), ...(this.keepLiterals ? { bytes: Buffer.concat(this.kept) } : {}) });
    this.hash = null;
    this.kept = [];
  }
}

export const sha256 = (bytes: Buffer): string => crypto.createHash('sha256').update(bytes).digest('hex');

/** NOOPs one after another until `stop()` holds: each one's latency and when its OK arrived. */
export async function noopsUntil(client: StreamingClient, stop: () => boolean): Promise<Array<{ ms: number; at: number }>> {
  const out: Array<{ ms: number; at: number }> = [];
  for (let i = 0; !stop(); i++) {
    const sent = performance.now();
    const tagged = (await client.command(`n${i}`, 'NOOP')).at(-1)!;
    if (!tagged.text.startsWith(`n${i} OK`)) throw new Error(`NOOP answered ${tagged.text}`);
    out.push({ ms: tagged.at - sent, at: tagged.at });
  }
  return out;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
