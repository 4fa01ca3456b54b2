// AUTH SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 7677, RFC 5802) for
// smtp-server, which has no way to add a SASL mechanism: its handler_AUTH
// looks mechanisms up in a table private to the package. Heron already makes
// its own SMTPConnection (prompt-greeting.ts), so this subclass answers the two
// SCRAM mechanisms itself and hands every other AUTH (PLAIN, LOGIN) to
// smtp-server unchanged. The exchange follows RFC 4954 §4: 334 challenges, the
// server-final-message in a last 334 that the client answers with an empty
// line, then 235.
import type tls from 'node:tls';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import {
  type AuthThrottle,
  channelBindingData,
  type MailAccountRow,
  parseSaslResponse,
  SCRAM_MECHANISMS,
  scramCredentials,
  ScramExchange,
  type ScramMechanism,
  ScramRefused,
  ScramSyntaxError,
  type Store,
} from '../schema/index.ts';
import type { Logger } from '../server/logger.ts';
import type { Stats } from '../server/stats.ts';
import type { SessionUser } from './session-state.ts';

export interface SmtpScramDeps {
  store: Store;
  throttle: AuthThrottle;
  stats?: Pick<Stats, 'authFailed'>;
  log: Logger;
  /** The listener's label, for the log. */
  listener: string;
}

type Reply = { code: number; text: string };
class Stop extends Error {
  constructor(readonly reply: Reply) {
    super(reply.text);
  }
}

const cancelled = (): Stop => new Stop({ code: 501, text: '5.7.0 Authentication cancelled' });
const undecodable = (detail: string): Stop => new Stop({ code: 501, text: `5.5.2 Cannot decode response: ${detail}` });
const invalid = (): Stop => new Stop({ code: 535, text: '5.7.8 Authentication credentials invalid' });

function decode(line: string): Buffer {
  const response = parseSaslResponse(line);
  if (response.kind === 'cancel') throw cancelled();
  if (response.kind === 'invalid') throw undecodable('invalid base64');
  return response.data;
}

function scramStep<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof ScramSyntaxError) throw undecodable(err.message);
    if (err instanceof ScramRefused) throw invalid();
    throw err;
  }
}

export class ScramSMTPConnection extends SMTPConnection {
  /** Set by the server that makes this connection; null leaves AUTH to smtp-server alone. */
  scram: SmtpScramDeps | null = null;
  /** The parser waits for this before it reads the next line. */
  private resume: (() => void) | null = null;

  private release(): void {
    const resume = this.resume;
    this.resume = null;
    resume?.();
  }

  /** -PLUS and SCRAM itself only over TLS: a plaintext EHLO (allowPlaintextAuth) lists PLAIN and LOGIN alone. */
  override handler_EHLO(command: Buffer, callback: () => void): void {
    const options = this._server.options;
    const methods = options.authMethods;
    if (this.secure) return super.handler_EHLO(command, callback);
    options.authMethods = methods.filter((m) => !(SCRAM_MECHANISMS as readonly string[]).includes(m));
    try {
      super.handler_EHLO(command, callback); // synchronous: the reply is built before it returns
    } finally {
      options.authMethods = methods;
    }
  }

  override handler_AUTH(command: Buffer, callback: () => void): void {
    const [, method = '', ...args] = command.toString().trim().split(/\s+/);
    const mechanism = method.toUpperCase();
    if (!this.scram || !(SCRAM_MECHANISMS as readonly string[]).includes(mechanism)) return super.handler_AUTH(command, callback);
    this.resume = callback;
    this.runScram(this.scram, mechanism as ScramMechanism, args).then(
      (reply) => {
        this.send(reply.code, reply.text);
        this.release();
      },
      (err: unknown) => {
        const reply = err instanceof Stop ? err.reply : { code: 454, text: '4.7.0 Temporary authentication failure; try again later' };
        this.send(reply.code, reply.text);
        this.release();
      },
    );
  }

  /** Sends a 334 challenge and waits for the client's next line. */
  private round(challenge: string): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this._nextHandler = (line: Buffer, next: () => void) => {
        this.resume = next;
        try {
          resolve(decode(line.toString().trim()));
        } catch (err) {
          reject(err);
        }
      };
      this.send(334, challenge);
      this.release();
    });
  }

  private async runScram(deps: SmtpScramDeps, mechanism: ScramMechanism, args: string[]): Promise<Reply> {
    const socket = this._socket as tls.TLSSocket;
    // RFC 4954 §6: 538 when the mechanism needs an encrypted connection.
    if (!this.secure) return { code: 538, text: '5.7.11 Encryption required for requested authentication mechanism' };
    if (this.session.user) return { code: 503, text: '5.5.1 Error: No identity changes permitted' };
    if (args.length > 1) return { code: 501, text: '5.5.4 Error: syntax: AUTH mechanism [initial-response]' };
    // Over TLS both mechanisms are advertised, so a "y" client was downgraded (RFC 5802 §6).
    const exchange = new ScramExchange<MailAccountRow>(mechanism, { plusAdvertised: true, bindingData: (type) => channelBindingData(socket, type) });
    const clientFirst = args.length ? decode(args[0]) : await this.round('');
    const username = scramStep(() => exchange.begin(clientFirst));
    const serverFirst = exchange.challenge(await scramCredentials(deps.store, username));
    const clientFinal = await this.round(Buffer.from(serverFirst).toString('base64'));
    scramStep(() => exchange.receiveFinal(clientFinal));
    // The proof is checked under the sign-in throttle, exactly where PLAIN checks its password.
    const outcome = await deps.throttle.attempt(this.remoteAddress, username, async () => exchange.verify());
    if (outcome.kind === 'refused') {
      deps.stats?.authFailed('smtp', this.remoteAddress, username, true);
      return { code: 454, text: '4.7.0 Too many failed authentication attempts; try again later' };
    }
    if (outcome.kind === 'failed') {
      deps.stats?.authFailed('smtp', this.remoteAddress, username);
      deps.log.info({ listener: deps.listener, client: this.remoteAddress, username, mechanism }, 'smtp auth failed');
      throw invalid();
    }
    const last = await this.round(Buffer.from(exchange.serverFinal()).toString('base64'));
    if (last.length !== 0) throw undecodable('expected an empty response after the server signature');
    const user: SessionUser = { accountId: outcome.value.id, username: outcome.value.username };
    this.session.user = user;
    this.session.transmissionType = this._transmissionType();
    return { code: 235, text: '2.7.0 Authentication successful' };
  }
}
