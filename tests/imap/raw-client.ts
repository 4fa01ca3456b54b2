// A raw IMAP client for transcripts: send bytes, read until a tagged reply.
import type net from 'node:net';
import type tls from 'node:tls';
import { connectSocket, LineSocket, type WaitOptions } from '../helpers/line-socket.ts';

export class RawClient extends LineSocket {
  static async connect(port: number, options: { tls?: boolean; servername?: string; localAddress?: string; waitMs?: number } = {}): Promise<RawClient> {
    const client = new RawClient(await connectSocket(port, options.tls ?? false, options.servername, options.localAddress));
    if (options.waitMs) client.waitMs = options.waitMs;
    await client.readUntil((b) => b.includes('\r\n'), { what: 'the greeting' });
    client.greeting = client.take();
    return client;
  }

  greeting = '';
  /** What arrived since waitTagged last looked, chunk by chunk (see waitTagged). */
  private fresh: string[] = [];

  protected constructor(socket: net.Socket | tls.TLSSocket) {
    super(socket);
    this.collectFresh();
  }

  private collectFresh(): void {
    this.socket.on('data', (d: Buffer) => this.fresh.push(d.toString('latin1')));
  }

  /** Everything received so far, cleared. */
  take(): string {
    const out = this.buffer;
    this.buffer = '';
    this.fresh = [];
    return out;
  }

  /** Sends `tag command` and returns everything up to and including the tagged line. */
  async command(tag: string, command: string, options: WaitOptions = {}): Promise<string> {
    this.write(`${tag} ${command}\r\n`);
    return this.waitTagged(tag, { what: `the reply to ${tag} ${command.slice(0, 100)}`, ...options });
  }

  /** `options.ms`: how long the server may say nothing (default: the tests' read deadline). */
  async waitTagged(tag: string, options: WaitOptions = {}): Promise<string> {
    // Scan only the new chunks (after the last line start seen), never the whole
    // buffer: the buffer grows by concatenation, and reading it flattens it, so a
    // multi-megabyte response arriving in many small TLS records would cost
    // quadratic time (seconds for 100,000 FETCH lines).
    const tagged = new RegExp(`(^|\\r\\n)${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (OK|NO|BAD)[^\\r\\n]*\\r\\n`);
    let text = this.buffer; // unscanned text; starts at a line start (or at the CRLF before one)
    let base = 0; // where `text` starts in the buffer
    let end = -1;
    this.fresh = [];
    await this.readUntil(() => {
      if (this.fresh.length) text += this.fresh.splice(0).join('');
      const m = tagged.exec(text);
      if (m) {
        end = base + m.index + m[0].length;
        return true;
      }
      const cut = text.lastIndexOf('\r\n');
      if (cut > 0) {
        base += cut;
        text = text.slice(cut);
      }
      return false;
    }, { what: `the tagged reply ${tag}`, ...options });
    const out = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end);
    return out;
  }

  async startTls(): Promise<void> {
    await this.upgradeToTls();
    this.collectFresh();
  }

  get tlsSocket(): tls.TLSSocket {
    return this.socket as tls.TLSSocket;
  }

  /** Waits until the server closes the connection (after a BYE); fails if it stays open. */
  async waitClosed(options: WaitOptions = {}): Promise<void> {
    await this.readUntil(() => this.closed, { what: 'the server to close the connection', ...options });
  }

}

/** Connects over implicit TLS and logs in. */
export async function loggedIn(port: number, user: string, password: string): Promise<RawClient> {
  const c = await RawClient.connect(port, { tls: true });
  const r = await c.command('L0', `LOGIN ${user} "${password}"`);
  if (!/L0 OK/.test(r)) throw new Error(`login failed: ${r}`);
  return c;
}
