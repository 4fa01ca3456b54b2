// Opening the store and running writes, on either engine (schema/engine/):
// SQLite (a file path, the default) or PostgreSQL (a postgres:// URL).
//
// How a store function is written (the same for both engines):
//
//   // a read: the store itself runs queries, `?` placeholders, rows as objects
//   const row = await store.get<{ uid: number }>(`SELECT uid FROM mail WHERE id = ?`, id);
//   const rows = await store.all<Row>(`SELECT … WHERE mail_box_id = ? AND uid IN ${store.dialect.intList}`, boxId, JSON.stringify(uids));
//   const uids = await store.column<number>(`SELECT uid FROM mail WHERE mail_box_id = ?`, boxId);
//
//   // a write: an async closure; every query through `tx`, awaiting nothing else
//   return write(store, async (tx) => {
//     const { changes } = await tx.run(`UPDATE … WHERE id = ?`, id);
//     if (changes === 0) throw new StoreError('NONEXISTENT', '…');   // rolls back this write only
//     tx.notify('mailbox', { accountId, mailboxId, highestModseq });  // delivered after the commit
//     return …;
//   });
//
// - Helpers used both inside and outside writes take a `Queryable` (the store or a tx).
// - SQL that differs between engines comes from `store.dialect` / `tx.dialect`.
// - Integers are numbers, booleans are stored as 0/1 (decode rows with rowOf()
//   from ./row-codec.ts), raw bytes are Buffers.
// - A write that reads rows and then changes them locks the mailbox first
//   (lockMailboxes in ./messages.ts): on PostgreSQL other nodes write at the same time.
//   The hot writes (delivery, APPEND, STORE, EXPUNGE) instead read without the
//   lock and take it in their final statements (tx.finish), which check that
//   what was read is still so: see schema/engine/engine.ts.
import type { Engine, EngineTx, FinalStatement, Param, Queryable, Row, RunResult, WriteRetryReason } from '../engine/engine.ts';
import { openEngine } from '../engine/open.ts';
import { StoreEvents, type StoreEventMap } from './events.ts';

export type { FinalStatement, Param, Queryable, Row, RunResult, WriteRetryReason } from '../engine/engine.ts';
export { SchemaVersionError } from '../engine/migrations.ts';
export { isPostgresUrl } from '../engine/open.ts';

/** The handle a write closure gets: queries inside the transaction, and notifications sent after commit. */
export interface WriteContext extends Queryable {
  notify<K extends keyof StoreEventMap>(event: K, ...args: StoreEventMap[K]): void;
  /** A notification whose one argument is the first row of `sql`, read at commit (EngineTx.notifyFrom). */
  notifyFrom<K extends keyof StoreEventMap>(event: K, sql: string, ...params: Param[]): void;
  /** The write's last statements, committed with them in one round trip (EngineTx.finish). */
  finish(statements: FinalStatement[]): Promise<Row[][]>;
}

export interface Store extends Queryable {
  readonly engine: Engine;
  readonly events: StoreEvents;
}

export interface StoreOptions {
  /** Milliseconds a write waits for a lock another connection holds (default 5000 on SQLite, none on PostgreSQL). */
  lockTimeoutMs?: number;
  /** Each commit's duration and number of writes it carried (server/stats.ts exports them as metrics). */
  onCommit?(seconds: number, writes: number): void;
  /** Each time a write runs again after meeting another on the same rows or losing its connection (PostgreSQL). */
  onRetry?(reason: WriteRetryReason): void;
}

/**
 * Opens the store at `location`: a postgres:// (or postgresql://) URL, or the
 * path of the SQLite file. Migrations run first; a database migrated by a
 * newer Heron is refused (SchemaVersionError).
 */
export async function openStore(location: string, options: StoreOptions = {}): Promise<Store> {
  const events = new StoreEvents();
  const emit = events.emit.bind(events) as (event: string, ...args: unknown[]) => boolean;
  const engine = await openEngine(location, {
    ...options,
    deliver(note) {
      emit(note.event, ...note.args);
      // Missed notifications: listeners reload, the delivery worker rescans, TLS contexts are rebuilt.
      if (note.event === 'resync') {
        emit('mail_server');
        emit('outbox');
        emit('webhook');
        emit('certificate', { hostname: '*' });
      }
    },
  });
  return {
    engine,
    events,
    dialect: engine.dialect,
    get: <T = Row>(sql: string, ...params: Param[]) => engine.get<T>(sql, ...params),
    all: <T = Row>(sql: string, ...params: Param[]) => engine.all<T>(sql, ...params),
    column: <T = unknown>(sql: string, ...params: Param[]) => engine.column<T>(sql, ...params),
    run: (sql: string, ...params: Param[]): Promise<RunResult> => engine.run(sql, ...params),
  };
}

/**
 * Runs `run` in a write transaction (on SQLite shared with the other writes of
 * the same tick). The closure throws to roll back its own changes; it must do
 * its queries through its `tx` and await nothing else (see schema/engine/engine.ts).
 */
export function write<T>(store: Store, run: (tx: WriteContext) => Promise<T>): Promise<T> {
  return store.engine.write((tx: EngineTx) => run(tx as unknown as WriteContext));
}

/** Waits for queued writes, then closes the database. */
export async function closeStore(store: Store): Promise<void> {
  await store.engine.close();
}

export const now = (): number => Date.now();

/** A database round trip, for health checks. */
export async function pingStore(store: Store): Promise<void> {
  await store.get('SELECT 1');
}
