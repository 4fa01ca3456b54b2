// Opening the database and running writes. Every write goes through `write()`:
// writes requested in the same turn of the event loop share one transaction and
// so one fsync (group commit), each in its own savepoint so that one failing
// write rolls back alone. Promises resolve, and notifications fire, only after
// the commit is durable.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as tables from '../tables.ts';
import { StoreEvents, type StoreEventMap } from './events.ts';

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

type Notification = { [K in keyof StoreEventMap]: { event: K; args: StoreEventMap[K] } }[keyof StoreEventMap];

/** Handed to a write; notifications queued here are emitted after commit. */
export interface WriteContext {
  notify<K extends keyof StoreEventMap>(event: K, ...args: StoreEventMap[K]): void;
}

interface PendingWrite {
  run: (ctx: WriteContext) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface Store {
  readonly sqlite: Database.Database;
  readonly db: BetterSQLite3Database<typeof tables>;
  readonly events: StoreEvents;
  /** Prepared-statement cache keyed by SQL text. */
  readonly statements: Map<string, Database.Statement>;
  pending: PendingWrite[];
  flushScheduled: boolean;
  closed: boolean;
}

export function openStore(file: string): Store {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a commit is fsynced before it returns, so an acknowledged message survives power loss.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema: tables });
  migrate(db, { migrationsFolder: MIGRATIONS });
  return {
    sqlite,
    db,
    events: new StoreEvents(),
    statements: new Map(),
    pending: [],
    flushScheduled: false,
    closed: false,
  };
}

/** A cached prepared statement. */
export function stmt(store: Store, sql: string): Database.Statement {
  let s = store.statements.get(sql);
  if (!s) {
    s = store.sqlite.prepare(sql);
    store.statements.set(sql, s);
  }
  return s;
}

/**
 * Runs `run` inside a write transaction shared with other writes of the same
 * tick. `run` must be synchronous and must throw to abort its own changes.
 */
export function write<T>(store: Store, run: (ctx: WriteContext) => T): Promise<T> {
  if (store.closed) return Promise.reject(new Error('store is closed'));
  return new Promise<T>((resolve, reject) => {
    store.pending.push({ run, resolve: resolve as (v: unknown) => void, reject });
    if (!store.flushScheduled) {
      store.flushScheduled = true;
      setImmediate(() => flush(store));
    }
  });
}

function flush(store: Store): void {
  store.flushScheduled = false;
  const batch = store.pending;
  store.pending = [];
  if (batch.length === 0) return;
  const outcomes: Array<{ ok: true; value: unknown; notes: Notification[] } | { ok: false; error: unknown }> = [];
  const savepoint = store.sqlite.transaction((item: PendingWrite, notes: Notification[]) =>
    item.run({ notify: (event, ...args) => notes.push({ event, args } as Notification) }),
  );
  const all = store.sqlite.transaction(() => {
    for (const item of batch) {
      const notes: Notification[] = [];
      try {
        // Nested transaction = SAVEPOINT: a throw rolls back this write only.
        outcomes.push({ ok: true, value: savepoint(item, notes), notes });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
  });
  try {
    all.immediate();
  } catch (error) {
    for (const item of batch) item.reject(error);
    return;
  }
  batch.forEach((item, i) => {
    const outcome = outcomes[i];
    if (outcome.ok) item.resolve(outcome.value);
    else item.reject(outcome.error);
  });
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    for (const note of outcome.notes) emit(store, note);
  }
}

function emit(store: Store, note: Notification): void {
  (store.events.emit as (event: string, ...args: unknown[]) => boolean)(note.event, ...note.args);
}

/** Waits for queued writes, then closes the database. */
export async function closeStore(store: Store): Promise<void> {
  if (store.closed) return;
  while (store.pending.length > 0 || store.flushScheduled) {
    await new Promise((r) => setImmediate(r));
  }
  store.closed = true;
  store.statements.clear();
  store.sqlite.close();
}

export const now = (): number => Date.now();

/** A database round trip, for health checks. */
export function pingStore(store: Store): void {
  stmt(store, 'SELECT 1').get();
}
