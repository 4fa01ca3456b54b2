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
//   than its queries and `tx.notify`.

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

/** The handle a write closure gets: its queries run inside the transaction. */
export interface EngineTx extends Queryable {
  /** Queues a notification, delivered (in this process and, on PostgreSQL, in every other one) after the commit. */
  notify(event: string, ...args: unknown[]): void;
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
}

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
  /** Parameter: raw id. */
  readonly delete: string;
  /** What is stored for a text (PostgreSQL stores it lower-cased). */
  prepare(text: string): string;
  /**
   * A subquery yielding the raw ids whose field contains `text` as a
   * case-insensitive substring, and its parameters.
   */
  match(field: 'headers' | 'body' | 'text', text: string): { sql: string; params: Param[] };
}

/** Options both engines accept; the defaults suit production. */
export interface OpenOptions extends EngineOptions {
  /** Milliseconds a write waits for a lock held by another connection before giving up. */
  lockTimeoutMs?: number;
}
