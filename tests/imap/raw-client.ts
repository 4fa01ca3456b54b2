// A raw IMAP client for transcripts: send bytes, read until a tagged reply.
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

  /** Everything received so far, cleared. */
  take(): string {
    const out = this.buffer;
    this.buffer = '';
    return out;
  }

  /** Sends `tag command` and returns everything up to and including the tagged line. */
  async command(tag: string, command: string, options: WaitOptions = {}): Promise<string> {
    this.write(`${tag} ${command}\r\n`);
    return this.waitTagged(tag, { what: `the reply to ${tag} ${command.slice(0, 100)}`, ...options });
  }

  async waitTagged(tag: string, options: WaitOptions = {}): Promise<string> {
    // Scan only what arrived since the last look (from the last line start), so a
    // multi-megabyte response is not re-scanned for every chunk.
    const re = new RegExp(`(^|\\r\\n)${tag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'g');
    let from = 0;
    let match: RegExpExecArray | null = null;
    await this.readUntil((b) => {
      re.lastIndex = from;
      match = re.exec(b);
      from = Math.max(0, b.lastIndexOf('\r\n'));
      return match !== null;
    }, { what: `the tagged reply ${tag}`, ...options });
    const m = match as RegExpExecArray | null;
    const end = m!.index + m![0].length;
    const out = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end);
    return out;
  }

  async startTls(): Promise<void> {
    await this.upgradeToTls();
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
