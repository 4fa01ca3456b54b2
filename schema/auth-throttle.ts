// Authentication-failure throttling shared by every listener (API, IMAP, SMTP).
// Failures are counted per client address and per account name in a sliding
// window; past the limit, further attempts are refused until the window clears,
// without even checking the password.
export interface ThrottleOptions {
  /** Failures allowed per key inside the window. */
  maxFailures: number;
  windowMs: number;
}

export class AuthThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: ThrottleOptions = { maxFailures: 10, windowMs: 15 * 60_000 }) {}

  private recent(key: string, at: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => at - t < this.options.windowMs);
    if (list.length) this.failures.set(key, list);
    else this.failures.delete(key);
    return list;
  }

  /** Whether another attempt from this address for this account may be checked now. */
  allowed(address: string, account: string, at = Date.now()): boolean {
    return (
      this.recent(`ip:${address}`, at).length < this.options.maxFailures &&
      this.recent(`user:${account.toLowerCase()}`, at).length < this.options.maxFailures
    );
  }

  fail(address: string, account: string, at = Date.now()): void {
    for (const key of [`ip:${address}`, `user:${account.toLowerCase()}`]) {
      const list = this.recent(key, at);
      list.push(at);
      this.failures.set(key, list);
    }
  }

  /** A success clears the address's record (not the account's: another address may be guessing). */
  succeed(address: string): void {
    this.failures.delete(`ip:${address}`);
  }
}
