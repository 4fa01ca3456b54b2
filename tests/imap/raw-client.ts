// A raw IMAP client for transcripts: send bytes, read until a tagged reply.
import net from 'node:net';
import tls from 'node:tls';

export class RawClient {
  private buffer = '';
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(private socket: net.Socket | tls.TLSSocket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', (d: Buffer) => {
      this.buffer += d.toString('latin1');
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  static async connect(port: number, options: { tls?: boolean; servername?: string } = {}): Promise<RawClient> {
    const socket = options.tls
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, servername: options.servername ?? 'heron.test' })
      : net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once(options.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const client = new RawClient(socket);
    await client.readUntil((b) => b.includes('\r\n'));
    client.greeting = client.take();
    return client;
  }

  greeting = '';

  /** Everything received so far, cleared. */
  take(): string {
    const out = this.buffer;
    this.buffer = '';
    return out;
  }

  async readUntil(done: (buffer: string) => boolean): Promise<string> {
    while (!done(this.buffer)) {
      if (this.closed) throw new Error(`connection closed; got: ${this.buffer}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.buffer;
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends `tag command` and returns everything up to and including the tagged line. */
  async command(tag: string, command: string): Promise<string> {
    this.write(`${tag} ${command}\r\n`);
    return this.waitTagged(tag);
  }

  async waitTagged(tag: string): Promise<string> {
    const re = new RegExp(`(^|\\r\\n)${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (OK|NO|BAD)[^\\r\\n]*\\r\\n`);
    await this.readUntil((b) => re.test(b));
    const m = re.exec(this.buffer)!;
    const end = m.index + m[0].length;
    const out = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end);
    return out;
  }

  async startTls(): Promise<void> {
    const raw = this.socket as net.Socket;
    raw.removeAllListeners('data');
    const secure = tls.connect({ socket: raw, rejectUnauthorized: false, servername: 'heron.test' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  get tlsSocket(): tls.TLSSocket {
    return this.socket as tls.TLSSocket;
  }

  async waitClosed(): Promise<void> {
    await this.readUntil(() => this.closed);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Connects over implicit TLS and logs in. */
export async function loggedIn(port: number, user: string, password: string): Promise<RawClient> {
  const c = await RawClient.connect(port, { tls: true });
  const r = await c.command('L0', `LOGIN ${user} "${password}"`);
  if (!/L0 OK/.test(r)) throw new Error(`login failed: ${r}`);
  return c;
}
