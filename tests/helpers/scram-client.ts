// A SCRAM-SHA-256 client written from RFC 5802 §3/§7 and RFC 7677 with
// node:crypto alone (nothing from Heron's own SCRAM code), for the IMAP and
// SMTP tests, plus the channel binding data a TLS client sees.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type tls from 'node:tls';
import { presentedCertificate } from './line-socket.ts';

const hmac = (key: Buffer, data: string): Buffer => crypto.createHmac('sha256', key).update(data).digest();
const sha256 = (data: Buffer): Buffer => crypto.createHash('sha256').update(data).digest();
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

/** The client's side of tls-exporter (RFC 9266) or tls-server-end-point (RFC 5929; the test certificate is signed with SHA-256). */
export function clientBinding(socket: tls.TLSSocket, type: 'tls-exporter' | 'tls-server-end-point'): Buffer {
  if (type === 'tls-exporter') return socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
  return sha256(socket.getPeerCertificate().raw);
}

export interface ScramClientOptions {
  /** "n" (no binding), "y" (client could, thinks the server cannot) or p= with its data. */
  binding?: { flag: 'n' } | { flag: 'y' } | { flag: 'p'; type: string; data: Buffer };
  authzid?: string;
  nonce?: string;
}

export class ScramClient {
  readonly gs2Header: string;
  readonly nonce: string;
  private readonly bare: string;
  private authMessage = '';
  private saltedPassword = Buffer.alloc(0);

  constructor(
    readonly username: string,
    private readonly password: string,
    private readonly options: ScramClientOptions = {},
  ) {
    const binding = options.binding ?? { flag: 'n' };
    const flag = binding.flag === 'p' ? `p=${binding.type}` : binding.flag;
    const saslname = (s: string) => s.replace(/=/g, '=3D').replace(/,/g, '=2C');
    this.gs2Header = `${flag},${options.authzid ? `a=${saslname(options.authzid)}` : ''},`;
    this.nonce = options.nonce ?? crypto.randomBytes(18).toString('base64');
    this.bare = `n=${saslname(username)},r=${this.nonce}`;
  }

  /** client-first-message. */
  first(): string {
    return this.gs2Header + this.bare;
  }

  /** client-final-message for `serverFirst`; `tamper` changes a part on the way (for the edge cases). */
  final(serverFirst: string, tamper: { nonce?: string; binding?: Buffer } = {}): string {
    const attrs = new Map(serverFirst.split(',').map((a) => [a[0], a.slice(2)] as const));
    const serverNonce = attrs.get('r')!;
    if (!serverNonce.startsWith(this.nonce)) throw new Error('server nonce does not extend the client nonce');
    this.saltedPassword = crypto.pbkdf2Sync(this.password, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')), 32, 'sha256');
    const binding = this.options.binding;
    const cbData = tamper.binding ?? (binding?.flag === 'p' ? binding.data : Buffer.alloc(0));
    const withoutProof = `c=${b64(Buffer.concat([Buffer.from(this.gs2Header), cbData]))},r=${tamper.nonce ?? serverNonce}`;
    this.authMessage = `${this.bare},${serverFirst},${withoutProof}`;
    const clientKey = hmac(this.saltedPassword, 'Client Key');
    const signature = hmac(sha256(clientKey), this.authMessage);
    const proof = Buffer.alloc(32);
    for (let i = 0; i < 32; i++) proof[i] = clientKey[i] ^ signature[i];
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** Whether the server-final-message proves the server knew ServerKey (RFC 5802 §3). */
  serverValid(serverFinal: string): boolean {
    const expected = hmac(hmac(this.saltedPassword, 'Server Key'), this.authMessage).toString('base64');
    return serverFinal === `v=${expected}`;
  }
}

export const base64 = b64;
export const unbase64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** The certificate Heron presents on `port`, as a PEM file gsasl can trust (--x509-ca-file); `remove` deletes it. */
export async function trustedCertificateFile(port: number): Promise<{ file: string; remove(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heron-gsasl-'));
  const file = path.join(dir, 'ca.pem');
  const cert = await presentedCertificate(port, 'heron.test');
  fs.writeFileSync(file, `-----BEGIN CERTIFICATE-----\n${cert.raw.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Runs gsasl with its stdin closed (after authenticating it reads application data until EOF); never rejects. */
export function gsasl(args: string[]): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    const child = execFile('gsasl', args, { timeout: 30_000 }, (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}${stderr}` }));
    child.stdin?.end();
  });
}
