// The IMAP Service: the cleartext listener (STARTTLS) and the implicit-TLS
// listener (RFC 8314), TLS contexts by SNI from the certificate table, and
// connection accounting: per client address (both listeners), per listener,
// per account, and a login deadline that counts from the accept.
import net from 'node:net';
import tls from 'node:tls';
import type { SecretBox } from '../certs/secret.ts';
import type { TlsContexts } from '../certs/tls-contexts.ts';
import { type AuthThrottle, MailboxViews, type Store } from '../schema/index.ts';
import { clientAddress, listen } from '../server/listen.ts';
import type { Logger } from '../server/logger.ts';
import type { ListenerState, Service, SessionCount } from '../server/service.ts';
import { LocalAccountSessions, SharedAccountSessions } from './account-sessions.ts';
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
  /** The server's /shared METADATA entries by name ("/shared/admin", "/shared/comment"). */
  serverMetadata?: ReadonlyMap<string, string>;
  connections?: Partial<ConnectionLimits>;
  stats?: SessionDeps['stats'];
  /** This node's row (schema/store/nodes.ts) when the database is shared: the per-account cap then counts every node's sessions. */
  nodeId?: string;
  /** Seals URLAUTH mailbox access keys (RFC 4467) at rest. */
  secret: SecretBox;
}

export interface ConnectionLimits {
  /** Connections from one address, both listeners together. */
  maxPerClient: number;
  /** Connections on each listener. */
  maxPerListener: number;
}

/**
 * What a connection's end undoes: its address and listener counts, its
 * timers, its session. One 'close' listener on the TCP socket does it all
 * (it fires before the TLS socket's): with 10,000 idle sessions every
 * listener, `once` wrapper and timer kept per connection counts (issue 11 §3).
 */
interface Connection {
  session: Session | null;
  /** The login deadline: counts from the accept, so neither a slow TLS handshake nor a NOOP every few seconds keeps an unauthenticated connection open. */
  deadline: NodeJS.Timeout | null;
  handshake: NodeJS.Timeout | null;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxPerClient: 50, maxPerListener: 10_000 };

/** A TLS handshake gets this long at most (less when the login deadline is shorter). */
const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;
/** A refused client that does not close after our BYE is cut off after this. */
const REFUSED_LINGER_MS = 2_000;

export const DEFAULT_LIMITS: ImapLimits = {
  maxLineLength: 64 * 1024,
  maxLiteral: 64 * 1024,
  preAuthTimeoutMs: 60_000,
  authTimeoutMs: 30 * 60_000,
  idleKeepaliveMs: 2 * 60_000,
  maxBadCommands: 20,
  maxConnectionsPerUser: 50,
  metadataMaxValueBytes: 32 * 1024,
  metadataMaxEntries: 100,
  metadataMaxEntriesPerAccount: 1000,
};

export function imapService(options: ImapServiceOptions): Service & { ports(): { imap: number; imaps: number } } {
  const limits: ImapLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const connections: ConnectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connections };
  const sessions = new Set<Session>();
  const perAccount =
    options.nodeId !== undefined
      ? new SharedAccountSessions(options.store, options.nodeId, limits.maxConnectionsPerUser, options.log)
      : new LocalAccountSessions(limits.maxConnectionsPerUser);
  const perAddress = new Map<string, number>();
  const servers: net.Server[] = [];
  let bound = { imap: 0, imaps: 0 };

  const deps = {
    store: options.store,
    views: new MailboxViews(options.store),
    tls: options.tls,
    throttle: options.throttle,
    loginCache: new LoginCache(),
    log: options.log,
    stats: options.stats,
    hostname: options.hostname,
    allowPlaintextAuth: options.allowPlaintextAuth,
    secret: options.secret,
    limits,
    serverMetadata: new Map([...(options.serverMetadata ?? [])].map(([name, value]) => [name.toLowerCase(), Buffer.from(value, 'utf8')])),
    acquireAccount: (accountId: number) => perAccount.acquire(accountId),
    releaseAccount: (accountId: number) => perAccount.release(accountId),
  };

  /** Counts a new connection against its address and listener; returns why it is refused, or the connection. */
  const admit = (socket: net.Socket, listener: { open: number }): Connection | string => {
    const address = clientAddress(socket);
    const fromAddress = perAddress.get(address) ?? 0;
    if (fromAddress >= connections.maxPerClient) return 'Too many connections from your address';
    if (listener.open >= connections.maxPerListener) return 'Too many connections; try again later';
    perAddress.set(address, fromAddress + 1);
    listener.open++;
    const connection: Connection = { session: null, deadline: null, handshake: null };
    connection.deadline = setTimeout(() => {
      connection.deadline = null;
      const current = connection.session;
      if (!current) socket.destroy(); // still in the TLS handshake
      else if (current.state === 'notauth') current.bye(`Autologout; no login within ${Math.round(limits.preAuthTimeoutMs / 1000)} seconds`);
    }, limits.preAuthTimeoutMs);
    connection.deadline.unref();
    socket.on('close', () => {
      listener.open--;
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left > 0) perAddress.set(address, left);
      else perAddress.delete(address);
      if (connection.deadline) clearTimeout(connection.deadline);
      if (connection.handshake) clearTimeout(connection.handshake);
      const session = connection.session;
      if (session) {
        connection.session = null;
        session.close();
        sessions.delete(session);
      }
    });
    return connection;
  };

  const track = (connection: Connection, socket: net.Socket | tls.TLSSocket, remote: string): void => {
    const session = new Session(deps, socket, remote);
    connection.session = session;
    sessions.add(session);
    session.start();
  };

  const plainListener = { open: 0 };
  const implicitListener = { open: 0 };

  const onPlain = (socket: net.Socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    const connection = admit(socket, plainListener);
    if (typeof connection === 'string') {
      options.log.debug({ client: socket.remoteAddress, reason: connection }, 'imap connection refused');
      socket.end(`* BYE [UNAVAILABLE] ${connection}\r\n`);
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
      return;
    }
    track(connection, socket, socket.remoteAddress ?? '');
  };

  const onImplicitTls = (socket: net.Socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    const connection = admit(socket, implicitListener);
    if (typeof connection === 'string') {
      // A BYE would only reach the client after a handshake, the very cost a flood should not get.
      options.log.debug({ client: socket.remoteAddress, reason: connection }, 'imaps connection refused before TLS');
      socket.destroy();
      return;
    }
    const remote = socket.remoteAddress ?? '';
    // The default context is fetched per connection, so a changed certificate applies at once.
    options.tls.contextFor(undefined).then(
      (secureContext) => {
        if (socket.destroyed) return;
        const secure = new tls.TLSSocket(socket, {
          isServer: true,
          secureContext,
          SNICallback: options.tls.sniCallback,
        });
        secure.on('error', () => secure.destroy());
        connection.handshake = setTimeout(() => secure.destroy(), Math.min(TLS_HANDSHAKE_TIMEOUT_MS, limits.preAuthTimeoutMs));
        connection.handshake.unref();
        secure.once('secure', () => {
          if (connection.handshake) clearTimeout(connection.handshake);
          connection.handshake = null;
          track(connection, secure, remote);
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
      if (perAccount instanceof SharedAccountSessions) perAccount.stop();
      deps.views.close();
    },
    describe: () => [`imap        ${options.bind}:${bound.imap} (STARTTLS)`, `imaps       ${options.bind}:${bound.imaps} (TLS)`],
    ports: () => bound,
    sessions: (): SessionCount[] => {
      const counts = new Map<string, number>();
      for (const session of sessions) {
        const state = session.idleNotify ? 'idle' : session.state;
        counts.set(state, (counts.get(state) ?? 0) + 1);
      }
      return [...counts].map(([state, count]) => ({ protocol: 'imap', state, count }));
    },
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

