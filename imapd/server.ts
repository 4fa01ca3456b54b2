// The IMAP Service: the cleartext listener (STARTTLS) and the implicit-TLS
// listener (RFC 8314), TLS contexts by SNI from the certificate table, and
// connection accounting per account.
import net from 'node:net';
import tls from 'node:tls';
import type { TlsContexts } from '../certs/tls-contexts.ts';
import type { AuthThrottle, Store } from '../schema/index.ts';
import { listen } from '../server/listen.ts';
import type { Logger } from '../server/logger.ts';
import type { ListenerState, Service } from '../server/service.ts';
import { LoginCache } from './auth-cache.ts';
import { type ImapLimits, Session, type SessionDeps } from './session.ts';

export interface ImapServiceOptions {
  store: Store;
  tls: TlsContexts;
  throttle: AuthThrottle;
  log: Logger;
  hostname: string;
  bind: string;
  port: number;
  tlsPort: number;
  allowPlaintextAuth: boolean;
  limits?: Partial<ImapLimits>;
  stats?: SessionDeps['stats'];
}

export const DEFAULT_LIMITS: ImapLimits = {
  maxLineLength: 64 * 1024,
  maxLiteral: 64 * 1024,
  preAuthTimeoutMs: 60_000,
  authTimeoutMs: 30 * 60_000,
  idleKeepaliveMs: 2 * 60_000,
  maxBadCommands: 20,
  maxConnectionsPerUser: 50,
};

export function imapService(options: ImapServiceOptions): Service & { ports(): { imap: number; imaps: number } } {
  const limits: ImapLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const sessions = new Set<Session>();
  const perAccount = new Map<number, number>();
  const servers: net.Server[] = [];
  let bound = { imap: 0, imaps: 0 };

  const deps = {
    store: options.store,
    tls: options.tls,
    throttle: options.throttle,
    loginCache: new LoginCache(),
    log: options.log,
    stats: options.stats,
    hostname: options.hostname,
    allowPlaintextAuth: options.allowPlaintextAuth,
    limits,
    acquireAccount(accountId: number): boolean {
      const n = perAccount.get(accountId) ?? 0;
      if (n >= limits.maxConnectionsPerUser) return false;
      perAccount.set(accountId, n + 1);
      return true;
    },
    releaseAccount(accountId: number): void {
      const n = (perAccount.get(accountId) ?? 1) - 1;
      if (n <= 0) perAccount.delete(accountId);
      else perAccount.set(accountId, n);
    },
  };

  const track = (socket: net.Socket | tls.TLSSocket, remote: string) => {
    const session = new Session(deps, socket, remote);
    sessions.add(session);
    socket.once('close', () => {
      session.close();
      sessions.delete(session);
    });
    session.start();
  };

  const onPlain = (socket: net.Socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    track(socket, socket.remoteAddress ?? '');
  };

  const onImplicitTls = (socket: net.Socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    const remote = socket.remoteAddress ?? '';
    // The default context is fetched per connection, so a changed certificate applies at once.
    options.tls.contextFor(undefined).then(
      (secureContext) => {
        if (socket.destroyed) return;
        const secure = new tls.TLSSocket(socket, {
          isServer: true,
          secureContext,
          SNICallback: (name, cb) => options.tls.sniCallback(name, cb),
        });
        secure.on('error', () => secure.destroy());
        const handshake = setTimeout(() => secure.destroy(), limits.preAuthTimeoutMs);
        handshake.unref();
        secure.once('close', () => clearTimeout(handshake));
        secure.once('secure', () => {
          clearTimeout(handshake);
          track(secure, remote);
        });
      },
      (err: Error) => {
        options.log.error({ err }, 'imaps: no TLS certificate');
        socket.destroy();
      },
    );
  };

  return {
    name: 'imap',
    async start() {
      const plain = net.createServer(onPlain);
      const implicit = net.createServer((socket) => {
        onImplicitTls(socket);
      });
      servers.push(plain, implicit);
      bound = {
        imap: await listen(plain, options.port, options.bind, 'IMAP'),
        imaps: await listen(implicit, options.tlsPort, options.bind, 'IMAPS'),
      };
    },
    async stop() {
      const closing = servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
      for (const session of sessions) session.bye('Server shutting down');
      await Promise.all(closing);
      servers.length = 0;
    },
    describe: () => [`imap        ${options.bind}:${bound.imap} (STARTTLS)`, `imaps       ${options.bind}:${bound.imaps} (TLS)`],
    ports: () => bound,
    listeners: (): ListenerState[] => {
      const state = (name: string, port: number, tls: ListenerState['tls']): ListenerState => ({
        name,
        protocol: 'imap',
        address: options.bind,
        port,
        tls,
        hostname: options.hostname,
        listening: port > 0,
        error: port > 0 ? null : 'not started',
      });
      return [state('imap', bound.imap, 'starttls'), state('imaps', bound.imaps, 'implicit')];
    },
  };
}
