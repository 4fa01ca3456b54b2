// Reads the DATA stream smtp-server hands over (dot-unstuffed, up to the
// <CRLF>.<CRLF> it recognises) and enforces what must hold for a message:
// - SMTP smuggling: every line ends in CRLF. A bare LF or bare CR is refused
//   (550 5.5.2) as Postfix and Haraka do, so "<LF>.<CR><LF>" and similar can
//   never be read as the end of data by us or by a server downstream.
// - line length (RFC 5321 §4.5.3.1.6: 1000 octets with CRLF) in the header,
//   and the total header size;
// - the size limit (552 5.3.4); bytes past it are counted, not kept.
import { Writable } from 'node:stream';
import { smtpError } from './enhanced-codes.ts';

export interface DataLimits {
  maxSize: number;
  /** Octets per line, without CRLF (RFC 5322 §2.1.1: 998). */
  maxHeaderLine: number;
  maxHeaderBytes: number;
}

export class DataGuard extends Writable {
  private chunks: Buffer[] = [];
  private size = 0;
  private prev = -1; // last byte seen
  private lineLength = 0;
  private inHeader = true;
  private emptyLine = true; // the current line has no content so far
  private problem: (Error & { responseCode: number }) | null = null;

  constructor(private readonly limits: DataLimits) {
    super();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.size += chunk.length;
    if (!this.problem) this.inspect(chunk);
    if (!this.problem && this.size <= this.limits.maxSize) this.chunks.push(chunk);
    else this.chunks = [];
    done();
  }

  private fail(code: number, enhanced: string, text: string): void {
    this.problem = smtpError(code, enhanced, text);
  }

  private inspect(chunk: Buffer): void {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.prev === 0x0d && b !== 0x0a) return this.fail(550, '5.5.2', 'Bare <CR> in message data is not allowed; lines end in <CR><LF>');
      if (b === 0x0a) {
        if (this.prev !== 0x0d) return this.fail(550, '5.5.2', 'Bare <LF> in message data is not allowed; lines end in <CR><LF>');
        if (this.inHeader && this.emptyLine) this.inHeader = false;
        this.lineLength = 0;
        this.emptyLine = true;
      } else if (b !== 0x0d) {
        this.lineLength++;
        this.emptyLine = false;
        if (this.inHeader && this.lineLength > this.limits.maxHeaderLine) {
          return this.fail(552, '5.6.0', `Header line longer than ${this.limits.maxHeaderLine} octets (RFC 5322 2.1.1)`);
        }
      }
      if (this.inHeader && this.size - chunk.length + i >= this.limits.maxHeaderBytes) {
        return this.fail(552, '5.3.4', `Message header larger than ${this.limits.maxHeaderBytes} octets`);
      }
      this.prev = b;
    }
  }

  /** The message, or the reply that refuses it. Call after 'finish'. */
  result(): { raw: Buffer } | { error: Error & { responseCode: number } } {
    if (this.size > this.limits.maxSize) {
      return { error: smtpError(552, '5.3.4', `Message exceeds the maximum size of ${this.limits.maxSize} octets`) };
    }
    if (this.problem) return { error: this.problem };
    // The stream ends with the CRLF that precedes ".": a trailing CR alone would have been caught above.
    if (this.prev === 0x0d) return { error: smtpError(550, '5.5.2', 'Bare <CR> in message data is not allowed') };
    return { raw: Buffer.concat(this.chunks, this.size) };
  }
}
