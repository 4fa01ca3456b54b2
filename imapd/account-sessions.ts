// The per-account cap on authenticated IMAP sessions. One process on SQLite
// counts in memory; nodes sharing a database count in it (schema/store/nodes.ts),
// so the cap holds for every node together: a login costs one round trip to
// the database, a logout one more.
import { closeImapSession, keepOnlyImapSessions, openImapSession, type Store } from '../schema/index.ts';
import type { Logger } from '../server/logger.ts';

export interface AccountSessions {
  /** Takes a slot for a session of the account; false when it has `max` sessions open already. */
  acquire(accountId: number): Promise<boolean>;
  /** Gives back a slot acquire() took. */
  release(accountId: number): void;
}

export class LocalAccountSessions implements AccountSessions {
  private readonly open = new Map<number, number>();

  constructor(private readonly max: number) {}

  async acquire(accountId: number): Promise<boolean> {
    const n = this.open.get(accountId) ?? 0;
    if (n >= this.max) return false;
    this.open.set(accountId, n + 1);
    return true;
  }

  release(accountId: number): void {
    const n = (this.open.get(accountId) ?? 1) - 1;
    if (n <= 0) this.open.delete(accountId);
    else this.open.set(accountId, n);
  }
}

/** How soon a release that failed (the database was away) is made good. */
const RECONCILE_MS = 5000;

export class SharedAccountSessions implements AccountSessions {
  /** Session rows this node holds, per account. */
  private readonly rows = new Map<number, number[]>();
  private reconcile: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly nodeId: string,
    private readonly max: number,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  async acquire(accountId: number): Promise<boolean> {
    const id = await openImapSession(this.store, this.nodeId, accountId, this.max);
    if (id === undefined) return false;
    this.rows.set(accountId, [...(this.rows.get(accountId) ?? []), id]);
    return true;
  }

  release(accountId: number): void {
    const ids = this.rows.get(accountId);
    const id = ids?.pop();
    if (id === undefined) return;
    if (ids!.length === 0) this.rows.delete(accountId);
    closeImapSession(this.store, id).catch(() => this.reconcileLater());
  }

  /** A row left behind would count against the account while this node runs: remove it once the database answers. */
  private reconcileLater(): void {
    if (this.reconcile) return;
    this.reconcile = setTimeout(() => {
      this.reconcile = null;
      const open = [...this.rows.values()].flat();
      keepOnlyImapSessions(this.store, this.nodeId, open).catch((err: unknown) => {
        this.log.warn({ err }, 'imap: could not release session slots yet; retrying');
        this.reconcileLater();
      });
    }, RECONCILE_MS);
    this.reconcile.unref();
  }

  stop(): void {
    if (this.reconcile) clearTimeout(this.reconcile);
    this.reconcile = null;
  }
}
