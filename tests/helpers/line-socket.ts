// The socket plumbing the raw protocol clients share (IMAP and SMTP
// transcripts): connect over TCP or TLS on loopback, buffer what arrives as
// latin1 text, wait until a condition holds, write exact bytes, upgrade in place
// to TLS. Certificates are self-signed in tests, so not verified. Every wait
// has a deadline: silence fails the test with what arrived so far.
import net from 'node:net';
import tls from 'node:tls';
import { DeadlineError, tail, WAIT_MS, within } from './deadline.ts';

/** Resolves once `socket` emits `event`; rejects on its error or after `ms`. */
function established(socket: net.Socket, event: 'connect' | 'secureConnect', what: string, ms = WAIT_MS): Promise<void> {
  const ready = new Promise<void>((resolve, reject) => {
    socket.once(event, () => resolve());
    socket.once('error', reject);
  });
  return within(ready, ms, what).catch((err: unknown) => {
    socket.destroy();
    throw err;
  });
}

/** `localAddress` (another 127.x.y.z) makes the server see a different client address. */
export async function connectSocket(port: number, implicitTls: boolean, servername = 'heron.test', localAddress?: string): Promise<net.Socket | tls.TLSSocket> {
  const plain = net.connect({ port, host: '127.0.0.1', localAddress });
  const socket = implicitTls ? tls.connect({ socket: plain, rejectUnauthorized: false, servername }) : plain;
  if (implicitTls) plain.on('error', (err) => socket.destroy(err));
  // A refused connection can be reported twice (the TCP socket's error, then the TLS socket's); only the first matters.
  socket.on('error', () => undefined);
  await established(socket, implicitTls ? 'secureConnect' : 'connect', `${implicitTls ? 'TLS handshake' : 'connection'} to port ${port}`);
  return socket;
}

/** The certificate an implicit-TLS listener presents for `servername` (the handshake has the silence deadline). */
export async function presentedCertificate(port: number, servername: string): Promise<tls.PeerCertificate> {
  const socket = (await connectSocket(port, true, servername)) as tls.TLSSocket;
  try {
    return socket.getPeerCertificate();
  } finally {
    socket.destroy();
  }
}

export interface WaitOptions {
  /** Longest silence allowed (ms); the socket's `waitMs` when absent. */
  ms?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

export class LineSocket {
  protected buffer = '';
  protected closed = false;
  private waiters: Array<() => void> = [];
  private lastArrival = 0;
  /** Longest silence a read waits for before it fails the test (ms). */
  waitMs = WAIT_MS;

  protected constructor(protected socket: net.Socket | tls.TLSSocket) {
    this.attach(socket);
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', (d: Buffer) => {
      this.buffer += d.toString('latin1');
      this.lastArrival = Date.now();
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

  /**
   * Resolves with the buffer once `done` holds for it; rejects if the server
   * closes first, or stays silent for `ms` (any arrival restarts the clock, so a
   * long response that keeps coming is not cut off).
   */
  async readUntil(done: (buffer: string) => boolean, options: WaitOptions = {}): Promise<string> {
    const ms = options.ms ?? this.waitMs;
    const started = Date.now();
    while (!done(this.buffer)) {
      if (this.closed) throw new Error(`connection closed; got: ${tail(this.buffer)}`);
      const silentFor = Date.now() - Math.max(started, this.lastArrival);
      if (silentFor >= ms) {
        const what = options.what ?? done.toString().slice(0, 200);
        throw new DeadlineError(`no reply for ${ms} ms waiting for ${what}; got: ${tail(this.buffer)}`);
      }
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        timer = setTimeout(resolve, ms - silentFor);
      });
      clearTimeout(timer);
    }
    return this.buffer;
  }

  /** Stops taking bytes off the socket (a client that does not read: the server's writes back up). */
  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    this.socket.resume();
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
    await established(secure, 'secureConnect', 'TLS handshake after STARTTLS', this.waitMs);
    this.socket = secure;
    this.attach(secure);
  }

  close(): void {
    this.socket.destroy();
  }
}
