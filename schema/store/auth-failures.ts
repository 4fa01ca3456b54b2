// The authentication throttle's records in the database (tables auth_failure
// and auth_trust), so that every node sharing it counts every node's failures.
// Bounded: rows older than the window are pruned, and past `maxRows` the
// oldest go first, so an attacker rotating addresses or account names cannot
// grow the tables without end. A look is one indexed read; a failure is one
// insert; a success writes only when it has something to forgive or the trust
// is getting old (see AuthThrottle.attempt).
import type { ThrottleSnapshot, ThrottleState } from '../auth-throttle-state.ts';
import { type Store, type WriteContext, write } from './store.ts';

export interface StoredThrottleOptions {
  /** How long a failure counts (the throttle's window): older rows are pruned. */
  keepMs: number;
  /** Rows kept in each table at most (the newest). */
  maxRows?: number;
  /** Milliseconds between prunes, per process. */
  pruneEveryMs?: number;
  now?: () => number;
}

/** Counts above this are not needed (the refusal limit and the longest delay are reached far below it). */
const COUNT_CAP = 256;

interface LookRow {
  addressFailures: number;
  addressOldest: number | null;
  accountFailures: number;
  pairFailures: number;
  pairOldest: number | null;
  trustedUntil: number | null;
}

const capped = (where: string) => `(SELECT count(*) FROM (SELECT 1 FROM auth_failure WHERE ${where} LIMIT ${COUNT_CAP}) capped)`;

const LOOK = `SELECT
  ${capped('address = ? AND at > ?')} AS "addressFailures",
  (SELECT min(at) FROM auth_failure WHERE address = ? AND at > ?) AS "addressOldest",
  ${capped('account = ? AND at > ?')} AS "accountFailures",
  ${capped('address = ? AND account = ? AND at > ?')} AS "pairFailures",
  (SELECT min(at) FROM auth_failure WHERE address = ? AND account = ? AND at > ?) AS "pairOldest",
  (SELECT trusted_until FROM auth_trust WHERE address = ? AND account = ? AND trusted_until > ?) AS "trustedUntil"`;

export class StoredThrottleState implements ThrottleState {
  private readonly maxRows: number;
  private readonly pruneEveryMs: number;
  private readonly now: () => number;
  private lastPrune = 0;

  constructor(
    private readonly store: Store,
    private readonly options: StoredThrottleOptions,
  ) {
    this.maxRows = options.maxRows ?? 100_000;
    this.pruneEveryMs = options.pruneEveryMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  async look(address: string, account: string, since: number, now: number): Promise<ThrottleSnapshot> {
    const row = (await this.store.get<LookRow>(
      LOOK,
      address,
      since,
      address,
      since,
      account,
      since,
      address,
      account,
      since,
      address,
      account,
      since,
      address,
      account,
      now,
    ))!;
    return {
      addressFailures: row.addressFailures,
      addressOldest: row.addressOldest,
      accountFailures: row.accountFailures,
      pairFailures: row.pairFailures,
      pairOldest: row.pairOldest,
      trusted: row.trustedUntil !== null,
      trustedUntil: row.trustedUntil,
    };
  }

  async fail(address: string, account: string, at: number): Promise<void> {
    const prune = this.pruneDue();
    await write(this.store, async (tx) => {
      await tx.run(`INSERT INTO auth_failure (address, account, at) VALUES (?, ?, ?)`, address, account, at);
      if (prune) await this.prune(tx);
    });
  }

  async succeed(address: string, account: string, trustedUntil: number): Promise<void> {
    const prune = this.pruneDue();
    await write(this.store, async (tx) => {
      await tx.run(`DELETE FROM auth_failure WHERE address = ? AND account = ?`, address, account);
      await tx.run(
        `INSERT INTO auth_trust (address, account, trusted_until) VALUES (?, ?, ?)
         ON CONFLICT (address, account) DO UPDATE SET trusted_until = excluded.trusted_until`,
        address,
        account,
        trustedUntil,
      );
      if (prune) await this.prune(tx);
    });
  }

  /** Whether this process should prune now (at most once per `pruneEveryMs`). */
  private pruneDue(): boolean {
    const t = this.now();
    if (t - this.lastPrune < this.pruneEveryMs) return false;
    this.lastPrune = t;
    return true;
  }

  /** Drops failures that no longer count and trusts that ended, then the oldest rows past `maxRows`. */
  private async prune(tx: WriteContext): Promise<void> {
    const t = this.now();
    await tx.run(`DELETE FROM auth_failure WHERE at <= ?`, t - this.options.keepMs);
    await tx.run(`DELETE FROM auth_failure WHERE id <= (SELECT id FROM auth_failure ORDER BY id DESC LIMIT 1 OFFSET ?)`, this.maxRows);
    await tx.run(`DELETE FROM auth_trust WHERE trusted_until <= ?`, t);
    await tx.run(`DELETE FROM auth_trust WHERE trusted_until < (SELECT trusted_until FROM auth_trust ORDER BY trusted_until DESC LIMIT 1 OFFSET ?)`, this.maxRows);
  }
}
