// Responses to the client (RFC 3501 §7). Text is a binary string, one char per
// byte (see render/quote.ts), sent as latin1 so literal bytes pass unchanged.
import type { Duplex } from 'node:stream';

const HIGH_WATER = 1 << 20;

export class Writer {
  constructor(private socket: Duplex) {}

  /** After STARTTLS the session writes to the TLS socket. */
  replace(socket: Duplex): void {
    this.socket = socket;
  }

  get closed(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }

  /** Writes one response line (CRLF added). */
  line(text: string): void {
    if (this.closed) return;
    this.socket.write(Buffer.from(text + '\r\n', 'latin1'));
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

  /** Resolves once buffered output is small again (large FETCH responses). */
  async drain(): Promise<void> {
    if (this.closed || this.socket.writableLength < HIGH_WATER) return;
    await new Promise<void>((resolve) => {
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
