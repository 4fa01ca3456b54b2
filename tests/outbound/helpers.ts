// Loopback stand-ins for the rest of the Internet: a DNS server (dns2) that
// answers from a zone the test controls, and an SMTP sink (smtp-server) whose
// replies per recipient the test decides.
import { Resolver } from 'node:dns/promises';
import net from 'node:net';
import dns2 from 'dns2';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { dkimTxtValue, ensureDkimKey } from '../../certs/dkim.ts';
import type { SecretBox } from '../../certs/secret.ts';
import { createMailAccount, createUserAccount, findMailServerByHostname, type MailAccountRow, type Store, type UserAccountRow } from '../../schema/index.ts';
import { fetchWithDeadline } from '../helpers/deadline.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';

const { Packet } = dns2;

export interface ZoneEntry {
  mx?: Array<{ exchange: string; priority: number }>;
  a?: string[];
  aaaa?: string[];
  txt?: string[];
}
export type Zone = Map<string, ZoneEntry>;

export interface LoopbackDns {
  port: number;
  zone: Zone;
  /** "127.0.0.1:port", for HERON_DNS. */
  server: string;
  resolver: Resolver;
  close(): Promise<void>;
}

/** Names not in the zone get NXDOMAIN; names in it get their records (or an empty answer). */
export async function startDns(zone: Zone = new Map()): Promise<LoopbackDns> {
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = question.name.toLowerCase().replace(/\.$/, '');
      const entry = zone.get(name);
      if (!entry) {
        response.header.rcode = 3; // NXDOMAIN
        send(response);
        return;
      }
      const add = (record: Parameters<typeof Packet.createResourceFromQuestion>[1]) =>
        response.answers.push(Packet.createResourceFromQuestion(question, { ttl: 1, ...record }));
      if (question.type === Packet.TYPE.MX) {
        for (const mx of entry.mx ?? []) add({ type: Packet.TYPE.MX, exchange: mx.exchange, priority: mx.priority });
      } else if (question.type === Packet.TYPE.A) {
        for (const address of entry.a ?? []) add({ type: Packet.TYPE.A, address });
      } else if (question.type === Packet.TYPE.AAAA) {
        for (const address of entry.aaaa ?? []) add({ type: Packet.TYPE.AAAA, address });
      } else if (question.type === Packet.TYPE.TXT) {
        for (const text of entry.txt ?? []) add({ type: Packet.TYPE.TXT, data: text.match(/.{1,255}/g) ?? [''] });
      }
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = (addresses as unknown as { udp: { port: number } }).udp.port;
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return { port, zone, server: `127.0.0.1:${port}`, resolver, close: () => server.close() };
}

export interface SinkMessage {
  from: string;
  to: string[];
  raw: Buffer;
  secure: boolean;
  helo: string;
}

export interface SmtpSink {
  port: number;
  messages: SinkMessage[];
  /** Decides the reply to RCPT TO; null accepts. `attempt` counts RCPTs for that address, from 1. */
  rcptPolicy: (address: string, attempt: number) => { code: number; message: string } | null;
  /** Most SMTP sessions that were open at the same time. */
  maxSessions: number;
  close(): Promise<void>;
}

export async function startSink(
  options: { host?: string; port?: number; hide8BitMime?: boolean; hideSmtpUtf8?: boolean; dataDelayMs?: number } = {},
): Promise<SmtpSink> {
  const seen = new Map<string, number>();
  let open = 0;
  const sink: SmtpSink = {
    port: 0,
    messages: [],
    rcptPolicy: () => null,
    maxSessions: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    logger: false,
    hide8BITMIME: options.hide8BitMime ?? false,
    hideSMTPUTF8: options.hideSmtpUtf8 ?? false,
    onConnect(_session, callback) {
      open += 1;
      sink.maxSessions = Math.max(sink.maxSessions, open);
      callback();
    },
    onClose() {
      open -= 1;
    },
    onRcptTo(address, _session, callback) {
      const key = address.address.toLowerCase();
      const attempt = (seen.get(key) ?? 0) + 1;
      seen.set(key, attempt);
      const verdict = sink.rcptPolicy(key, attempt);
      if (!verdict) return callback();
      const err = new Error(verdict.message) as Error & { responseCode: number };
      err.responseCode = verdict.code;
      callback(err);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        sink.messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
          secure: session.secure,
          helo: session.hostNameAppearsAs,
        });
        // A slow destination keeps the session open, so overlapping deliveries would show in maxSessions.
        setTimeout(() => callback(), options.dataDelayMs ?? 0);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve()));
  sink.port = (server.server.address() as net.AddressInfo).port;
  return sink;
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export { eventually } from '../helpers/deadline.ts';

/** Heron settings for loopback delivery: the sink's port, the loopback DNS, fast retries. */
export function outboundEnv(dns: LoopbackDns, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HERON_DNS: dns.server,
    HERON_OUTBOUND_PORT: String(port),
    HERON_OUTBOUND_RETRY_MIN_SECONDS: '0.3',
    HERON_OUTBOUND_RETRY_MAX_SECONDS: '1',
    ...extra,
  };
}

/** A user_account with one mail account on the default server. */
export async function userWithMailbox(store: Store, local: string, options: { admin?: boolean } = {}): Promise<{ user: UserAccountRow; account: MailAccountRow }> {
  const server = await findMailServerByHostname(store, TEST_HOSTNAME);
  const user = await createUserAccount(store, { email: `${local}-user@${TEST_HOSTNAME}`, password: `${local}-password`, isAdmin: options.admin });
  const account = await createMailAccount(store, { username: `${local}@${TEST_HOSTNAME}`, password: `${local}-password`, mailServerId: server!.id, userAccountId: user.id });
  return { user, account };
}

export async function signIn(apiPort: number, email: string, password: string): Promise<string> {
  const res = await fetchWithDeadline(`http://127.0.0.1:${apiPort}/action/user_account/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ attributes: { email, password } }),
  });
  const body = (await res.json()) as Array<{ ResponseType: string; Attributes: { key?: string; value?: string } }>;
  const token = body.find((r) => r.ResponseType === 'client.store.set')?.Attributes.value;
  if (!token) throw new Error(`sign-in failed for ${email}`);
  return token;
}

export const adminSignIn = (apiPort: number) => signIn(apiPort, ADMIN_EMAIL, ADMIN_PASSWORD);

export async function post(apiPort: number, path: string, token: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetchWithDeadline(`http://127.0.0.1:${apiPort}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Creates heron.test's signing key and publishes it in the loopback zone, so receivers can verify DKIM. */
export async function publishDkimKey(heron: { store: Store; secret: SecretBox }, dns: LoopbackDns): Promise<void> {
  const key = await ensureDkimKey(heron.store, heron.secret, TEST_HOSTNAME);
  dns.zone.set(`${key.selector}._domainkey.${TEST_HOSTNAME}`, { txt: [dkimTxtValue(key)] });
}

export interface RelayWorld {
  dns: LoopbackDns;
  sink: SmtpSink;
  heron: Awaited<ReturnType<typeof startTestHeron>>;
  /** alice@heron.test (password "alice-password"). */
  alice: MailAccountRow;
  stop(): Promise<void>;
}

/** A Heron relaying to a loopback sink that `zone` points at, with heron.test's DKIM key published and one account, alice. */
export async function startRelayWorld(zone: Zone): Promise<RelayWorld> {
  const dns = await startDns(zone);
  const sink = await startSink();
  const heron = await startTestHeron({ env: outboundEnv(dns, sink.port) });
  const alice = (await userWithMailbox(heron.store, 'alice')).account;
  await publishDkimKey(heron, dns);
  return {
    dns,
    sink,
    heron,
    alice,
    async stop() {
      await heron.stop();
      await sink.close();
      await dns.close();
      removeDir(heron.dataDir);
    },
  };
}
