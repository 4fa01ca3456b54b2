// Authentication throttling shared by every protocol that checks a password
// (IMAP LOGIN/AUTHENTICATE, SMTP AUTH, the API's sign-in). Rules:
//
// - Hard refusals are per client address: an address with `maxFailures`
//   failures in the window (against any accounts) is refused without a check.
//   A success forgives only that address's failures against the account it
//   just proved it owns, so logging in to one's own account between guesses
//   at others does not reset anything.
// - An account's failures never refuse anyone. They slow every address that
//   has not proved it owns the account, like Dovecot's auth penalty: the
//   delay doubles per failure (2 s, 4, 8, up to 15 by default) and is waited
//   before the password is checked, so an answer that comes quickly says
//   nothing about the password. An address that logged in to the account
//   recently (a trusted pair) is neither slowed by others' failures nor
//   refused for failures against other accounts; it is refused only after
//   `maxFailures` failures of its own against that account.
// - A delay holds the connection (a timer), never CPU or memory: at most
//   `maxPendingPerAddress` delayed attempts per address and `maxPending` in
//   all wait at once; more are refused at once.
// - Checks in flight from an address count as failures until they finish,
//   so a burst of parallel attempts cannot overshoot the limit.
//
// IPv6 clients are counted per /64 (one subscriber's network), so rotating
// addresses inside it gains nothing. The records live behind ThrottleState:
// Heron keeps them in the store, so every node sharing a database counts
// every node's failures (the in-flight and pending counts are per process).
import crypto from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { addressKey } from './address.ts';
import { MemoryThrottleState, type ThrottleSnapshot, type ThrottleState } from './auth-throttle-state.ts';

export interface AuthThrottleSettings {
  /** Failures from one address (any accounts) within the window before it is refused. */
  maxFailures: number;
  windowMs: number;
  /** First delay; it doubles with each failure on record, up to `maxDelayMs`. */
  delayMs: number;
  maxDelayMs: number;
  /** Delayed attempts from one address waiting at once. */
  maxPendingPerAddress: number;
}

export const DEFAULT_THROTTLE_SETTINGS: AuthThrottleSettings = {
  maxFailures: 10,
  windowMs: 15 * 60_000,
  delayMs: 2000,
  maxDelayMs: 15_000,
  maxPendingPerAddress: 5,
};

/** How long a successful login makes an address trusted for that account. */
const TRUST_MS = 7 * 24 * 3600_000;
/** A trust this fresh is not written again on the next success (a login writes nothing then). */
const TRUST_REFRESH_MS = 24 * 3600_000;
/** Delayed attempts waiting in the whole process. */
const MAX_PENDING = 10_000;

export type AuthAttempt<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'failed' }
  /** Not checked: the address is over its limit, or too many of its attempts are already waiting. */
  | { kind: 'refused'; retryAfterMs: number };

export interface ThrottleVerdict {
  refused: boolean;
  /** When refused: how long until the address may try again. */
  retryAfterMs: number;
  /** When not refused: how long to wait before checking the password. */
  delayMs: number;
}

export interface AuthThrottleOptions {
  settings?: Partial<AuthThrottleSettings>;
  state?: ThrottleState;
  now?: () => number;
  /** How a delay is waited (tests pass one they control). */
  wait?: (ms: number) => Promise<unknown>;
}

/** The key a client address is counted under: IPv4 as is, IPv6 by its /64. */
export function clientKey(remoteAddress: string): string {
  const address = remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (!net.isIPv6(address)) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 forms) takes two groups; only the first four groups matter here.
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** Account names are attacker-chosen and may be long: they are kept as a short hash of the stored form. */
function accountKey(account: string): string {
  const name = addressKey(account) ?? account.trim().toLowerCase();
  return crypto.createHash('sha256').update(name).digest('base64url').slice(0, 22);
}

export class AuthThrottle {
  readonly settings: AuthThrottleSettings;
  private readonly state: ThrottleState;
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<unknown>;
  /** Checks running now, per address (this process only). */
  private readonly inFlight = new Map<string, number>();
  /** Attempts waiting out a delay, per address (this process only). */
  private readonly pending = new Map<string, number>();
  private pendingTotal = 0;

  constructor(options: AuthThrottleOptions = {}) {
    this.settings = { ...DEFAULT_THROTTLE_SETTINGS, ...options.settings };
    this.state = options.state ?? new MemoryThrottleState();
    this.now = options.now ?? Date.now;
    this.wait = options.wait ?? ((ms) => sleep(ms, undefined, { ref: false }));
  }

  /** Dovecot's penalty curve: none without failures, then the first delay doubling per failure, capped. */
  penaltyFor(failures: number): number {
    if (failures <= 0) return 0;
    return Math.min(this.settings.maxDelayMs, this.settings.delayMs * 2 ** Math.min(failures - 1, 30));
  }

  /** What would happen to an attempt now (nothing is recorded or reserved). */
  async assess(remoteAddress: string, account: string): Promise<ThrottleVerdict> {
    return (await this.verdict(clientKey(remoteAddress), accountKey(account), false)).verdict;
  }

  /**
   * The verdict for an attempt. With `reserve`, an admitted attempt is counted
   * in flight in the same synchronous step as the check, so parallel attempts
   * see each other.
   */
  private async verdict(address: string, account: string, reserve: boolean): Promise<{ verdict: ThrottleVerdict; seen: ThrottleSnapshot }> {
    const { windowMs, maxFailures } = this.settings;
    const now = this.now();
    const seen = await this.state.look(address, account, now - windowMs, now);
    const refuse = (oldest: number | null) => ({ verdict: { refused: true, retryAfterMs: Math.max(1000, (oldest ?? now) + windowMs - now), delayMs: 0 }, seen });
    let verdict: ThrottleVerdict;
    if (seen.trusted) {
      if (seen.pairFailures >= maxFailures) return refuse(seen.pairOldest);
      verdict = { refused: false, retryAfterMs: 0, delayMs: this.penaltyFor(seen.pairFailures) };
    } else {
      if (seen.addressFailures + (this.inFlight.get(address) ?? 0) >= maxFailures) return refuse(seen.addressOldest);
      verdict = { refused: false, retryAfterMs: 0, delayMs: this.penaltyFor(Math.max(seen.addressFailures, seen.accountFailures)) };
    }
    if (reserve) AuthThrottle.bump(this.inFlight, address, 1);
    return { verdict, seen };
  }

  private static bump(map: Map<string, number>, key: string, by: number): void {
    const next = (map.get(key) ?? 0) + by;
    if (next > 0) map.set(key, next);
    else map.delete(key);
  }

  /**
   * One password check under the throttle: waits the delay, runs `check`
   * (null means wrong credentials) and records the outcome.
   */
  async attempt<T>(remoteAddress: string, account: string, check: () => Promise<T | null>): Promise<AuthAttempt<T>> {
    const address = clientKey(remoteAddress);
    const key = accountKey(account);
    const { verdict, seen } = await this.verdict(address, key, true);
    if (verdict.refused) return { kind: 'refused', retryAfterMs: verdict.retryAfterMs };
    try {
      if (verdict.delayMs > 0) {
        if ((this.pending.get(address) ?? 0) >= this.settings.maxPendingPerAddress || this.pendingTotal >= MAX_PENDING) {
          return { kind: 'refused', retryAfterMs: verdict.delayMs };
        }
        AuthThrottle.bump(this.pending, address, 1);
        this.pendingTotal++;
        try {
          await this.wait(verdict.delayMs);
        } finally {
          AuthThrottle.bump(this.pending, address, -1);
          this.pendingTotal--;
        }
      }
      const value = await check();
      if (value === null) {
        await this.state.fail(address, key, this.now());
        return { kind: 'failed' };
      }
      const trustedUntil = this.now() + TRUST_MS;
      // Nothing to forgive and trusted recently: the usual login writes nothing.
      const settled = seen.pairFailures === 0 && seen.trustedUntil !== null && seen.trustedUntil > trustedUntil - TRUST_REFRESH_MS;
      if (!settled) await this.state.succeed(address, key, trustedUntil);
      return { kind: 'ok', value };
    } finally {
      AuthThrottle.bump(this.inFlight, address, -1);
    }
  }
}
