// A raw SMTP client for transcript tests: send exact bytes, read whole replies,
// upgrade with STARTTLS. Certificates are self-signed in tests, so not verified.
import net from 'node:net';
import tls from 'node:tls';

export interface Reply {
  code: number;
  lines: string[];
  /** Every line joined with "\n", e.g. "250-PIPELINING\n250 SIZE 100". */
  text: string;
}

export class RawSmtp {
  private buffer = '';
  private waiting: Array<() => void> = [];
  private closed = false;

  private constructor(private socket: net.Socket | tls.TLSSocket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = [];
    w.forEach((f) => f());
  }

  static async connect(port: number, options: { implicitTls?: boolean } = {}): Promise<RawSmtp> {
    const socket = options.implicitTls
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, servername: 'heron.test' })
      : net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.implicitTls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawSmtp(socket);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The next complete reply (possibly multi-line). Rejects when the server closes first. */
  async reply(): Promise<Reply> {
    for (;;) {
      const m = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(this.buffer);
      if (m) {
        this.buffer = this.buffer.slice(m[0].length);
        const lines = m[0].split('\r\n').filter(Boolean);
        return { code: Number(lines[lines.length - 1].slice(0, 3)), lines, text: lines.join('\n') };
      }
      if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async cmd(line: string): Promise<Reply> {
    this.write(line + '\r\n');
    return this.reply();
  }

  async starttls(): Promise<Reply> {
    const r = await this.cmd('STARTTLS');
    if (r.code !== 220) return r;
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, servername: 'heron.test' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
    return r;
  }

  /** Greeting, then EHLO. */
  async hello(name = 'client.test'): Promise<Reply> {
    await this.reply();
    return this.cmd(`EHLO ${name}`);
  }

  async authPlain(user: string, password: string): Promise<Reply> {
    return this.cmd(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString('base64')}`);
  }

  close(): void {
    this.socket.destroy();
  }

  async quit(): Promise<void> {
    if (!this.closed) await this.cmd('QUIT').catch(() => undefined);
    this.socket.destroy();
  }
}

export function message(opts: { from?: string; to?: string; subject?: string; body?: string; extra?: string } = {}): string {
  return (
    `From: ${opts.from ?? 'bob@remote.test'}\r\nTo: ${opts.to ?? 'postmaster@heron.test'}\r\nSubject: ${opts.subject ?? 'hello'}\r\n` +
    `Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@remote.test>\r\n${opts.extra ?? ''}\r\n` +
    `${opts.body ?? 'Hello there.\r\n'}`
  );
}
