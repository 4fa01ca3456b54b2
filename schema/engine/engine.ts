// The database engine behind the store: SQLite (one file, the default) or
// PostgreSQL (HERON_DATABASE_URL). Store modules speak only this interface and
// write one SQL text for both engines, with `?` placeholders; what differs
// between the engines' SQL is in the Dialect, never in `if (engine === …)`.
//
// Rules for code that runs inside `write(fn)`:
// - do every query through the `tx` handed to `fn` (a read through the store
//   sees only committed rows, not the transaction's own);
// - await nothing but `tx` calls (no timers, network, file or password
//   hashing): do that work before `write()`. On SQLite every write of one
//   event-loop turn shares one transaction, and a closure that waits for
//   anything else is cut off and rolled back; on PostgreSQL it would hold its
//   row locks while it waits;
// - the closure may run more than once on PostgreSQL (a deadlock or a
//   serialization failure is retried), so it must not have side effects other
//   than its queries and `tx.notify`;
// - a write that takes a lock many writers wait for (a mailbox's row, which
//   orders UIDs and MODSEQs) takes it in its last statements, through
//   `tx.finish`: reads before it need no lock, and a final statement checks
//   (heron_assert … 'RETRY') that what they read is still so.

/** What a query parameter may be: integers and epoch milliseconds are numbers, booleans are 0/1. */
export type Param = string | number | bigint | Buffer | null;

export type Row = Record<string, unknown>;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/** Parameterised queries; `?` placeholders in the SQL text. */
export interface Queryable {
  readonly dialect: Dialect;
  /** The first row, or undefined. */
  get<T = Row>(sql: string, ...params: Param[]): Promise<T | undefined>;
  all<T = Row>(sql: string, ...params: Param[]): Promise<T[]>;
  /** The first column of every row. */
  column<T = unknown>(sql: string, ...params: Param[]): Promise<T[]>;
  /** A statement that changes rows; on an engine (not a tx) it commits on its own. */
  run(sql: string, ...params: Param[]): Promise<RunResult>;
}

/** A change notification: an event name and JSON-serialisable arguments. */
export interface Notification {
  event: string;
  args: unknown[];
}

/** One statement of a write's last batch (see EngineTx.finish). */
export interface FinalStatement {
  sql: string;
  params: Param[];
}

/** The handle a write closure gets: its queries run inside the transaction. */
export interface EngineTx extends Queryable {
  /** Queues a notification, delivered (in this process and, on PostgreSQL, in every other one) after the commit. */
  notify(event: string, ...args: unknown[]): void;
  /**
   * Queues a notification whose one argument is read at commit time: the
   * first row of `sql` (run inside the transaction, after everything else),
   * as an object. No row, no notification. For values the write's last
   * statements produce (a MODSEQ): on PostgreSQL the query goes out with the
   * COMMIT, in the same round trip.
   */
  notifyFrom(event: string, sql: string, ...params: Param[]): void;
  /**
   * The write's last statements, run in order and committed with them: on
   * PostgreSQL they, the notifications and the COMMIT go out together in one
   * round trip, so a row lock they take is held for no round trip through
   * this process (the mailbox lock that orders UIDs, above all). Returns each
   * statement's rows. The handle is over afterwards: the closure may only
   * return. Because the commit is already on its way when the rows come back,
   * a statement that finds that the write cannot go on must fail itself:
   * `heron_assert(condition, code, message)` (both engines) raises
   * StoreError(code) — or, with code 'RETRY', has the write run again from
   * the start (rows it read earlier without a lock changed under it).
   */
  finish(statements: FinalStatement[]): Promise<Row[][]>;
}

export interface Engine extends Queryable {
  readonly name: 'sqlite' | 'postgres';
  /**
   * Runs `fn` in a write transaction. The promise settles after the commit
   * (or rollback); notifications are delivered only after a commit.
   */
  write<T>(fn: (tx: EngineTx) => Promise<T>): Promise<T>;
  /** Waits for writes under way, then closes every connection. */
  close(): Promise<void>;
}

export interface EngineOptions {
  /**
   * Called for every committed notification: at once after a local commit, and
   * for other processes' commits as they arrive. After a lost change feed it is
   * called with `{ event: 'resync' }`: notifications may have been missed.
   */
  deliver(note: Notification): void;
  /** Called after each COMMIT with its duration (BEGIN to durable) and how many write() calls it carried (metrics). */
  onCommit?(seconds: number, writes: number): void;
  /**
   * Called each time a write is run again (PostgreSQL): after a deadlock or a
   * serialization failure ('conflict'), or a connection lost before BEGIN ('connection').
   */
  onRetry?(reason: WriteRetryReason): void;
}

export type WriteRetryReason = 'conflict' | 'connection';

/**
 * The SQL that differs between the engines. Store code builds its SQL text
 * from these pieces, e.g. `uid IN ${d.intList}` with one JSON array parameter.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * Other processes may share the database: a row another process has claimed
   * is really in use (SQLite is one process's file).
   */
  readonly shared: boolean;
  /** A subquery yielding the integers of a JSON array bound as one parameter. */
  readonly intList: string;
  /** A subquery yielding the strings of a JSON array bound as one parameter. */
  readonly textList: string;
  /** `instr(haystack, needle)`: position of a substring, 0 when absent. */
  readonly instr: string;
  /** LIKE that ignores ASCII case (SQLite's LIKE does; PostgreSQL needs ILIKE). */
  readonly likeNoCase: string;
  /** The LIMIT parameter meaning "no limit". */
  readonly noLimit: number | null;
  /** Appended to a SELECT that reads rows it is about to change: locks them until commit. */
  readonly forUpdate: string;
  /** Appended to a claiming SELECT: rows another transaction holds are skipped, not waited for. */
  readonly forUpdateSkipLocked: string;
  /** Like forUpdate, but rows of other tables that refer to the locked one may still be inserted meanwhile. */
  readonly forNoKeyUpdate: string;
  readonly textIndex: TextIndexSql;
  /** A top-level string member of a JSON text column (`$.key`), NULL when absent. */
  jsonMember(column: string, key: string): string;
  /** A FROM item over the strings of a JSON array text column, as `alias(value)`. */
  jsonElements(column: string, alias: string): string;
}

/** The text index SEARCH uses: decoded header lines and body text per mail_raw row. */
export interface TextIndexSql {
  /** Parameters: raw id, headers, body (each passed through `prepare`). */
  readonly insert: string;
  /** Parameter: a JSON array of raw ids; deletes the rows of those no `mail` row refers to. */
  readonly deleteUnused: string;
  /** What is stored for a text (PostgreSQL stores it lower-cased). */
  prepare(text: string): string;
  /**
   * A subquery yielding the raw ids (column `raw_id`) whose field contains
   * `text` as a case-insensitive substring, and its parameters.
   */
  match(field: 'headers' | 'body' | 'text', text: string): { sql: string; params: Param[] };
}

/** Options both engines accept; the defaults suit production. */
export interface OpenOptions extends EngineOptions {
  /** Milliseconds a write waits for a lock held by another connection before giving up. */
  lockTimeoutMs?: number;
}
