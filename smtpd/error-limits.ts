// Per-session error limits, as Postfix's smtpd_soft_error_limit,
// smtpd_hard_error_limit and smtpd_error_sleep_time: every 4xx/5xx reply a
// session earns (a refused RCPT, MAIL or AUTH, an unknown command, bad
// syntax, a refused message) is one error. Past the soft limit each further
// error reply is delayed, longer each time (delay × errors over the soft
// limit, as Postfix 2.0 did); at the hard limit the session gets
// `421 4.7.0 … Error: too many errors` and is closed. A delivered message
// resets the count ("errors … without delivering mail"). Recipients past the
// per-message limit (452 4.5.3) are not errors: RFC 5321 §4.5.3.1.10 tells
// the client to send them in another transaction (Postfix's
// smtpd_recipient_overshoot_limit spares them likewise).
//
// smtp-server has no hook for its own replies, so this wraps
// SMTPConnection#send (to count) and #_onCommand (to hold the next command
// until a delayed reply is out, which keeps replies in order under
// PIPELINING). A delayed reply costs a timer on an open connection, nothing
// else; the connection limits bound how many there are.
import type { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

export interface SmtpErrorLimits {
  /** Errors answered at once; later ones are delayed. */
  soft: number;
  /** Errors after which the session is closed with 421 4.7.0. */
  hard: number;
  /** Delay of the first error past the soft limit; the n-th one past it waits n times as long. */
  delayMs: number;
}

/** No single reply waits longer than this, whatever the limits say (the idle timeout must not fire first). */
const MAX_DELAY_MS = 30_000;
const TOO_MANY_RECIPIENTS = /^4\.5\.3 /;

interface Tally {
  errors: number;
  /** A command is being handled: its reply may be delayed, holding the next command. */
  inCommand: boolean;
  /** A delayed reply not yet sent. */
  hold: Promise<void> | null;
}

const limitsByServer = new WeakMap<SMTPServer, SmtpErrorLimits>();
const tallies = new WeakMap<SMTPConnection, Tally>();
let installed = false;

function tallyOf(connection: SMTPConnection): Tally {
  let tally = tallies.get(connection);
  if (!tally) {
    tally = { errors: 0, inCommand: false, hold: null };
    tallies.set(connection, tally);
  }
  return tally;
}

/** The delay for the reply to a session's `errors`-th error (0 up to the soft limit). */
export function errorDelay(limits: SmtpErrorLimits, errors: number): number {
  return errors > limits.soft ? Math.min(MAX_DELAY_MS, limits.delayMs * (errors - limits.soft)) : 0;
}

/** Applies `limits` to every session of `server`. */
export function applyErrorLimits(server: SMTPServer, limits: SmtpErrorLimits): void {
  install();
  limitsByServer.set(server, limits);
}

function install(): void {
  if (installed) return;
  installed = true;
  const send = SMTPConnection.prototype.send;
  const onCommand = SMTPConnection.prototype._onCommand;

  SMTPConnection.prototype.send = function limitedSend(this: SMTPConnection, code, data, context) {
    const limits = limitsByServer.get(this._server);
    if (!limits) return send.call(this, code, data, context);
    const tally = tallyOf(this);
    if (code === 250 && context === 'DATA_OK') tally.errors = 0;
    if (code < 400 || code === 421 || (typeof data === 'string' && TOO_MANY_RECIPIENTS.test(data))) return send.call(this, code, data, context);
    tally.errors++;
    const closing = tally.errors >= limits.hard;
    const reply = () => {
      send.call(this, code, data, context);
      // The explicit code keeps smtp-server from adding a generic one (enhanced-codes.ts).
      if (closing) this.send(421, `4.7.0 ${this.name} Error: too many errors`);
    };
    const delay = tally.inCommand ? errorDelay(limits, tally.errors) : 0;
    if (delay === 0) return reply();
    tally.hold = new Promise<void>((resolve) => {
      setTimeout(() => {
        tally.hold = null;
        reply();
        resolve();
      }, delay).unref();
    });
  };

  SMTPConnection.prototype._onCommand = function limitedOnCommand(this: SMTPConnection, command, callback) {
    if (!limitsByServer.has(this._server)) return onCommand.call(this, command, callback);
    const tally = tallyOf(this);
    tally.inCommand = true;
    const next = () => {
      tally.inCommand = false;
      if (tally.hold) void tally.hold.then(() => callback?.());
      else callback?.();
    };
    return onCommand.call(this, command, next);
  };
}
