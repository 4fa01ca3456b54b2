// Responses to the client (RFC 3501 §7). Text is a binary string, one char per
// byte (see render/quote.ts), sent as latin1 so literal bytes pass unchanged.
import type { Duplex } from 'node:stream';

const HIGH_WATER = 1 << 20;

export class Writer {
  private pending: string[] = [];
  private scheduled = false;

  constructor(private socket: Duplex) {}

  /** Lines written in one tick leave as one write (one TCP segment when small). */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    if (!this.closed) this.socket.write(Buffer.from(text, 'latin1'));
  };

  /** After STARTTLS the session writes to the TLS socket. */
  replace(socket: Duplex): void {
    this.flush();
    this.socket = socket;
  }

  get closed(): boolean {
    return this.socket.destroyed || !this.socket.writable;
  }

  /** Writes one response line (CRLF added). */
  line(text: string): void {
    if (this.closed) return;
    this.pending.push(text, '\r\n');
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flush);
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

  /** Resolves once buffered output is small again (large FETCH responses). */
  async drain(): Promise<void> {
    this.flush();
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
