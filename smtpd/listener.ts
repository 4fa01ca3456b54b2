// One smtp-server instance: a default role (MX, submission, submissions) or a
// mail_server row's listen_interface. Session rules live in policy/, message
// checks in data-guard.ts, storage in delivery.ts; this file connects them to
// smtp-server's hooks.
import type { TLSSocket } from 'node:tls';
import type { SMTPServer, SMTPServerAuthentication, SMTPServerSession } from 'smtp-server';
import { type AuthThrottle, SCRAM_MECHANISMS, verifyMailAccountLogin, type Store } from '../schema/index.ts';
import type { Logger } from '../server/logger.ts';
import { listen } from '../server/listen.ts';
import type { Stats } from '../server/stats.ts';
import type { TlsContexts } from '../certs/tls-contexts.ts';
import { DataGuard } from './data-guard.ts';
import { PromptGreetingSMTPServer } from './prompt-greeting.ts';
import { deliver, type DeliveryDeps } from './delivery.ts';
import { smtpError } from './enhanced-codes.ts';
import { applyErrorLimits, type SmtpErrorLimits } from './error-limits.ts';
import { admit, ConnectionCounter } from './policy/concurrency.ts';
import { acceptRecipient } from './policy/recipients.ts';
import { checkSender } from './policy/sender.ts';
import { declaredSize, newTransaction, sessionUser, type SessionUser, type Transaction } from './session-state.ts';

export interface ListenerSpec {
  /** "smtp", "submission", "submissions" or "mail_server <hostname>". */
  label: string;
  host: string;
  port: number;
  hostname: string;
  /** TLS from the first byte (port 465 style); otherwise STARTTLS is offered. */
  implicitTls: boolean;
  authRequired: boolean;
  maxSize: number;
  maxClients: number;
}

export interface ListenerDeps {
  store: Store;
  log: Logger;
  tls: TlsContexts;
  throttle: AuthThrottle;
  /** Sessions per client address, across every listener. */
  clients: ConnectionCounter;
  delivery: DeliveryDeps;
  allowPlaintextAuth: boolean;
  maxRecipients: number;
  maxPerClient: number;
  /** Sessions on all SMTP listeners together (the descriptor budget's SMTP part). */
  maxConnections: number;
  commandTimeoutMs: number;
  errorLimits: SmtpErrorLimits;
  /** Receptions, refusals and failed AUTH are counted here (the console's overview, metrics). */
  stats?: Pick<Stats, 'messageReceived' | 'messageRejected' | 'authFailed'>;
}

const MAX_HEADER_LINE = 998;
const MAX_HEADER_BYTES = 256 * 1024;
const CLOSE_TIMEOUT_MS = 5000;

export class Listener {
  private server: SMTPServer | null = null;
  private boundPort = 0;
  private readonly sessions = new ConnectionCounter();
  private readonly transactions = new Map<string, Transaction>();

  constructor(
    readonly spec: ListenerSpec,
    private readonly deps: ListenerDeps,
  ) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<void> {
    const { spec, deps } = this;
    const material = await deps.tls.defaultMaterial();
    const server = new PromptGreetingSMTPServer({
      name: spec.hostname,
      banner: 'Heron',
      secure: spec.implicitTls,
      key: material.key,
      cert: material.cert,
      SNICallback: (name, cb) => deps.tls.sniCallback(name, cb),
      size: spec.maxSize,
      // Bounds implicit-TLS handshakes in progress, which onConnect does not see yet. One above
      // ours, so that onConnect refuses first, with the enhanced code smtp-server's 421 lacks.
      maxClients: spec.maxClients + 1,
      // SCRAM is answered by scram-auth.ts, and offered over TLS only.
      authMethods: ['PLAIN', 'LOGIN', ...SCRAM_MECHANISMS],
      // MAIL/RCPT are checked by policy/sender.ts so that the reply says why.
      authOptional: true,
      allowInsecureAuth: deps.allowPlaintextAuth,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: true,
      hideREQUIRETLS: true,
      disableReverseLookup: true,
      socketTimeout: deps.commandTimeoutMs,
      maxCommandLength: 4096,
      logger: false,
      closeTimeout: CLOSE_TIMEOUT_MS,
      onConnect: (session, cb) => this.onConnect(session).then(() => cb(), this.refuse(session, cb)),
      onSecure: (_socket: TLSSocket, session, cb) => {
        // AUTH is offered once the session is encrypted.
        delete session.disabledCommands;
        cb();
      },
      onAuth: (auth, session, cb) =>
        this.onAuth(auth, session).then(
          (user) => cb(null, { user }),
          // RFC 4954 §6: a check that could not be made (the database is away) is a temporary failure.
          (err: Error) => cb(hasReply(err) ? err : smtpError(454, '4.7.0', 'Temporary authentication failure; try again later')),
        ),
      onMailFrom: (address, session, cb) =>
        this.onMailFrom(address.address, session).then(() => cb(), this.refuse(session, cb)),
      onRcptTo: (address, session, cb) =>
        this.onRcptTo(address.address, session).then(() => cb(), this.refuse(session, cb)),
      onData: (stream, session, cb) => {
        this.onData(stream, session).then((message) => cb(null, message), this.refuse(session, cb));
      },
      onClose: (session) => {
        this.sessions.remove(session.id);
        deps.clients.remove(session.id);
        this.transactions.delete(session.id);
      },
    });
    server.scram = { store: deps.store, throttle: deps.throttle, stats: deps.stats, log: deps.log, listener: spec.label };
    applyErrorLimits(server, deps.errorLimits);
    server.on('error', (err) => deps.log.warn({ err, listener: spec.label }, 'smtp connection error'));
    this.boundPort = await listen(server.server, spec.port, spec.host, `SMTP ${spec.label}`);
    this.server = server;
  }

  /**
   * Stops accepting at once. With `drain`, waits for open sessions (up to
   * CLOSE_TIMEOUT_MS, then they get 421); without, they finish in the background
   * while a replacement listener may already be bound to the same port.
   */
  async stop(options: { drain: boolean } = { drain: true }): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (options.drain) await closed;
    else await new Promise((r) => setImmediate(r));
  }

  /** max_size and max_clients change without a restart. */
  updateLimits(maxSize: number, maxClients: number): void {
    this.spec.maxSize = maxSize;
    this.spec.maxClients = maxClients;
    if (this.server) Object.assign(this.server.options, { size: maxSize, maxClients: maxClients + 1 });
  }

  /**
   * Passes a refusal to smtp-server, counting it when it is a reply of ours (4xx/5xx).
   * An error without a reply of its own (the database is away) is temporary, never smtp-server's default 550.
   */
  private refuse(session: SMTPServerSession, cb: (err: Error) => void): (err: Error) => void {
    return (failure) => {
      let err = failure;
      if (!hasReply(err)) {
        this.deps.log.warn({ err, listener: this.spec.label }, 'smtp command failed');
        err = smtpError(451, '4.3.0', 'Local error in processing; try again later');
      }
      const code = (err as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number' && code >= 400) {
        const enhanced = /^[245]\.\d{1,3}\.\d{1,3}/.exec(err.message)?.[0] ?? '';
        const reason = enhanced ? err.message.slice(enhanced.length).trim() : err.message;
        this.deps.stats?.messageRejected({ listener: this.spec.label, client: session.remoteAddress, code, enhanced, reason });
      }
      cb(err);
    };
  }

  private async onConnect(session: SMTPServerSession): Promise<void> {
    admit(this.sessions, this.deps.clients, { maxClients: this.spec.maxClients, maxPerClient: this.deps.maxPerClient, maxTotal: this.deps.maxConnections }, session.id, session.remoteAddress);
    // AUTH is neither advertised nor accepted before TLS unless the operator allows it (loopback is not special).
    if (!session.secure && !this.deps.allowPlaintextAuth) session.disabledCommands = ['AUTH'];
  }

  private async onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession): Promise<SessionUser> {
    const { throttle, store, log } = this.deps;
    const username = (auth.username ?? '').trim().toLowerCase();
    const outcome = await throttle.attempt(session.remoteAddress, username, () => verifyMailAccountLogin(store, username, auth.password ?? ''));
    if (outcome.kind === 'refused') {
      this.deps.stats?.authFailed('smtp', session.remoteAddress, username, true);
      throw smtpError(454, '4.7.0', 'Too many failed authentication attempts; try again later');
    }
    if (outcome.kind === 'failed') {
      this.deps.stats?.authFailed('smtp', session.remoteAddress, username);
      log.info({ listener: this.spec.label, client: session.remoteAddress, username }, 'smtp auth failed');
      throw smtpError(535, '5.7.8', 'Authentication credentials invalid');
    }
    return { accountId: outcome.value.id, username: outcome.value.username };
  }

  private async onMailFrom(address: string, session: SMTPServerSession): Promise<void> {
    await checkSender(this.deps.store, sessionUser(session), this.spec.authRequired, address, session.envelope.smtpUtf8 === true);
    this.transactions.set(session.id, newTransaction());
  }

  private async onRcptTo(address: string, session: SMTPServerSession): Promise<void> {
    const tx = this.transactions.get(session.id) ?? newTransaction();
    this.transactions.set(session.id, tx);
    await acceptRecipient(
      {
        store: this.deps.store,
        user: sessionUser(session),
        relayAvailable: !!this.deps.delivery.relay,
        maxRecipients: this.deps.maxRecipients,
        hostname: this.spec.hostname,
        smtpUtf8: session.envelope.smtpUtf8 === true,
        declaredSize: declaredSize(session),
      },
      tx,
      address,
    );
  }

  private async onData(stream: NodeJS.ReadableStream, session: SMTPServerSession): Promise<string> {
    const guard = new DataGuard({ maxSize: this.spec.maxSize, maxHeaderLine: MAX_HEADER_LINE, maxHeaderBytes: MAX_HEADER_BYTES });
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject); // client went away mid-DATA: nothing is stored
      guard.on('finish', () => resolve());
      stream.pipe(guard);
    });
    const checked = guard.result();
    if ('error' in checked) throw checked.error;
    const tx = this.transactions.get(session.id);
    if (!tx || tx.local.size + tx.relay.length === 0) throw smtpError(503, '5.5.1', 'No valid recipients');
    this.transactions.delete(session.id);
    const received = performance.now();
    const tlsInfo = session.tlsOptions ? `${session.tlsOptions.version ?? ''} cipher=${session.tlsOptions.name}`.trim() : null;
    try {
      const outcome = await deliver(this.deps.delivery, {
        raw: checked.raw,
        tx,
        user: sessionUser(session),
        envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        clientAddress: session.remoteAddress,
        helo: session.hostNameAppearsAs,
        secure: session.secure,
        tlsProtocol: tlsInfo,
      });
      this.deps.stats?.messageReceived({
        listener: this.spec.label,
        client: session.remoteAddress,
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        recipients: tx.local.size + tx.relay.length,
        seconds: (performance.now() - received) / 1000,
      });
      this.deps.log.info({ listener: this.spec.label, id: outcome.id, score: outcome.spamScore, copies: outcome.localCopies, relay: outcome.relayQueueIds }, 'smtp message accepted');
      return `Ok: queued as ${outcome.id}`;
    } catch (err) {
      this.deps.log.warn({ err, listener: this.spec.label }, 'smtp message refused');
      // Anything without a reply of its own is our fault and temporary; its text stays in the log.
      if (hasReply(err)) throw err;
      throw smtpError(451, '4.3.0', 'Local error in processing; nothing was stored, try again later');
    }
  }
}

/** Whether an error carries an SMTP reply of ours (smtpError), rather than being a failure underneath. */
function hasReply(err: unknown): boolean {
  return typeof (err as { responseCode?: unknown }).responseCode === 'number';
}
