// A raw SMTP client for transcript tests: send exact bytes, read whole replies,
// upgrade with STARTTLS. Certificates are self-signed in tests, so not verified.
import type tls from 'node:tls';
import { connectSocket, LineSocket, type WaitOptions } from '../helpers/line-socket.ts';

export interface Reply {
  code: number;
  lines: string[];
  /** Every line joined with "\n", e.g. "250-PIPELINING\n250 SIZE 100". */
  text: string;
}

/** One whole reply: any "nnn-" continuation lines, then the "nnn " line. */
const REPLY = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/;

export class RawSmtp extends LineSocket {
  static async connect(port: number, options: { implicitTls?: boolean; localAddress?: string } = {}): Promise<RawSmtp> {
    return new RawSmtp(await connectSocket(port, options.implicitTls ?? false, undefined, options.localAddress));
  }

  /** The next complete reply (possibly multi-line). Rejects when the server closes first or stays silent. */
  async reply(options: WaitOptions = {}): Promise<Reply> {
    await this.readUntil((b) => REPLY.test(b), { what: 'an SMTP reply', ...options });
    const [whole] = REPLY.exec(this.buffer)!;
    this.buffer = this.buffer.slice(whole.length);
    const lines = whole.split('\r\n').filter(Boolean);
    return { code: Number(lines[lines.length - 1].slice(0, 3)), lines, text: lines.join('\n') };
  }

  async cmd(line: string, options: WaitOptions = {}): Promise<Reply> {
    this.write(line + '\r\n');
    return this.reply({ what: `the reply to ${line.slice(0, 100)}`, ...options });
  }

  async starttls(): Promise<Reply> {
    const r = await this.cmd('STARTTLS');
    if (r.code !== 220) return r;
    await this.upgradeToTls();
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

  /** The TLS connection (after STARTTLS or on an implicit-TLS port), for channel binding. */
  get tlsSocket(): tls.TLSSocket {
    return this.socket as tls.TLSSocket;
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
