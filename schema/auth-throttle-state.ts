// Where the authentication throttle keeps its records. A record is one failed
// check: (client address, account, time). A success deletes that address's
// records for that account and remembers the pair as trusted for a while.
// This is small on purpose so that a database can hold it for several nodes:
// Heron keeps it in the store (StoredThrottleState in
// ./store/auth-failures.ts: one table of failures, one of trusted pairs). The
// in-memory one here is for a throttle without a store (tests), bounded: every
// map is capped and evicts its least recently touched keys, so an attacker
// rotating addresses or account names cannot grow it without end.
// Keys arrive already reduced (an address prefix, a hash of the account name).

export interface ThrottleSnapshot {
  /** Failures from this address (any account) since the window start. */
  addressFailures: number;
  /** Time of the oldest of them (when the count next drops); null when none. */
  addressOldest: number | null;
  /** Failures against this account (from any address) since the window start. */
  accountFailures: number;
  /** Failures from this address against this account. */
  pairFailures: number;
  pairOldest: number | null;
  /** This address logged in to this account successfully, recently enough. */
  trusted: boolean;
  /** Until when it is trusted; null when it is not. */
  trustedUntil: number | null;
}

export interface ThrottleState {
  /** What is on record for `address` and `account`; records made at or before `since` do not count. */
  look(address: string, account: string, since: number, now: number): Promise<ThrottleSnapshot>;
  fail(address: string, account: string, at: number): Promise<void>;
  /** Forgets this address's failures against this account; the pair is trusted until `trustedUntil`. */
  succeed(address: string, account: string, trustedUntil: number): Promise<void>;
}

export interface MemoryThrottleLimits {
  /** Keys (addresses, accounts, trusted pairs) kept in each map. */
  maxKeys: number;
  /** Records kept per address and per account (the newest). */
  maxRecordsPerKey: number;
}

interface FailureRecord {
  address: string;
  account: string;
  at: number;
}

/** A Map that keeps at most `limit` keys, dropping the least recently set. */
class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key); // re-insert: Map order is the recency order
    this.map.set(key, value);
    while (this.map.size > this.limit) this.map.delete(this.map.keys().next().value!);
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}

export class MemoryThrottleState implements ThrottleState {
  private readonly byAddress: BoundedMap<FailureRecord[]>;
  private readonly byAccount: BoundedMap<FailureRecord[]>;
  private readonly trustedUntil: BoundedMap<number>;

  constructor(private readonly limits: MemoryThrottleLimits = { maxKeys: 20_000, maxRecordsPerKey: 32 }) {
    this.byAddress = new BoundedMap(limits.maxKeys);
    this.byAccount = new BoundedMap(limits.maxKeys);
    this.trustedUntil = new BoundedMap(limits.maxKeys);
  }

  /** Keys held, for tests and metrics: every map stays within `maxKeys`. */
  get sizes(): { addresses: number; accounts: number; trusted: number } {
    return { addresses: this.byAddress.size, accounts: this.byAccount.size, trusted: this.trustedUntil.size };
  }

  private recent(map: BoundedMap<FailureRecord[]>, key: string, since: number): FailureRecord[] {
    const list = map.get(key);
    if (!list) return [];
    const kept = list.filter((r) => r.at > since);
    if (kept.length === 0) map.delete(key);
    else if (kept.length !== list.length) map.set(key, kept);
    return kept;
  }

  async look(address: string, account: string, since: number, now: number): Promise<ThrottleSnapshot> {
    const fromAddress = this.recent(this.byAddress, address, since);
    const pair = fromAddress.filter((r) => r.account === account);
    const trustKey = `${address}\0${account}`;
    const until = this.trustedUntil.get(trustKey);
    if (until !== undefined && until <= now) this.trustedUntil.delete(trustKey);
    return {
      addressFailures: fromAddress.length,
      addressOldest: fromAddress[0]?.at ?? null,
      accountFailures: this.recent(this.byAccount, account, since).length,
      pairFailures: pair.length,
      pairOldest: pair[0]?.at ?? null,
      trusted: until !== undefined && until > now,
      trustedUntil: until !== undefined && until > now ? until : null,
    };
  }

  private append(map: BoundedMap<FailureRecord[]>, key: string, record: FailureRecord): void {
    const list = map.get(key) ?? [];
    list.push(record);
    if (list.length > this.limits.maxRecordsPerKey) list.splice(0, list.length - this.limits.maxRecordsPerKey);
    map.set(key, list);
  }

  async fail(address: string, account: string, at: number): Promise<void> {
    const record = { address, account, at };
    this.append(this.byAddress, address, record);
    this.append(this.byAccount, account, record);
  }

  async succeed(address: string, account: string, trustedUntil: number): Promise<void> {
    const fromAddress = this.byAddress.get(address);
    if (fromAddress) {
      const rest = fromAddress.filter((r) => r.account !== account);
      if (rest.length) this.byAddress.set(address, rest);
      else this.byAddress.delete(address);
    }
    const against = this.byAccount.get(account);
    if (against) {
      const rest = against.filter((r) => r.address !== address);
      if (rest.length) this.byAccount.set(account, rest);
      else this.byAccount.delete(account);
    }
    this.trustedUntil.set(`${address}\0${account}`, trustedUntil);
  }
}
