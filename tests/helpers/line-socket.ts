// The socket plumbing the raw protocol clients share (IMAP and SMTP
// transcripts): connect over TCP or TLS on loopback, buffer what arrives as
// latin1 text, wait until a condition holds, write exact bytes, upgrade in place
// to TLS. Certificates are self-signed in tests, so not verified. A read that
// hears nothing for SILENCE_MS fails: silence fails a test, never hangs it.
import net from 'node:net';
import tls from 'node:tls';

const SILENCE_MS = 15_000;

/** `localAddress` (another 127.x.y.z) makes the server see a different client address. */
export async function connectSocket(port: number, implicitTls: boolean, servername = 'heron.test', localAddress?: string): Promise<net.Socket | tls.TLSSocket> {
  const plain = net.connect({ port, host: '127.0.0.1', localAddress });
  const socket = implicitTls ? tls.connect({ socket: plain, rejectUnauthorized: false, servername }) : plain;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no connection within ${SILENCE_MS} ms`)), SILENCE_MS);
    socket.once(implicitTls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', reject);
    plain.once('error', reject);
  });
  return socket;
}

export class LineSocket {
  protected buffer = '';
  protected closed = false;
  private waiters: Array<() => void> = [];

  protected constructor(protected socket: net.Socket | tls.TLSSocket) {
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

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves with the buffer once `done` holds for it; rejects if the server closes first or says nothing for `silenceMs`. */
  async readUntil(done: (buffer: string) => boolean, silenceMs = SILENCE_MS): Promise<string> {
    while (!done(this.buffer)) {
      if (this.closed) throw new Error(`connection closed; got: ${JSON.stringify(this.buffer)}`);
      let timer: NodeJS.Timeout | undefined;
      const woke = await new Promise<boolean>((resolve) => {
        this.waiters.push(() => resolve(true));
        timer = setTimeout(() => resolve(false), silenceMs);
      });
      clearTimeout(timer);
      if (!woke) throw new Error(`no answer within ${silenceMs} ms; got: ${JSON.stringify(this.buffer.slice(-500))}`);
    }
    return this.buffer;
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Upgrades the connection to TLS in place (after STARTTLS was accepted). */
  protected async upgradeToTls(servername = 'heron.test'): Promise<void> {
    const plain = this.socket as net.Socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, servername });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }
}
