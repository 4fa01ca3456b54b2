// The SQLite engine (better-sqlite3, WAL, synchronous=FULL): one file, no set-up.
//
// Writes: every write requested in the same turn of the event loop shares one
// transaction and so one fsync (group commit), each in its own SAVEPOINT so that
// one failing write rolls back alone. Promises settle, and notifications are
// delivered, only after the commit is durable.
//
// The closures are async, but better-sqlite3 answers synchronously, so a
// batch runs entirely in microtasks of one macrotask. Other code's microtasks
// can interleave with it, though, so reads outside a write go to a second
// connection: in WAL mode it sees only committed rows, never a batch's
// uncommitted ones. A closure that awaits anything else (a timer, the network)
// would hold the batch open; it is cut off when the event loop turns, and
// its savepoint rolled back.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { ConstraintError, StoreError, type StoreErrorCode } from '../store/errors.ts';
import type { Dialect, Engine, EngineTx, FinalStatement, Notification, OpenOptions, Param, Row, RunResult } from './engine.ts';
import { checkSchemaVersion, migrationsFolder } from './migrations.ts';

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  shared: false,
  intList: '(SELECT value FROM json_each(?))',
  textList: '(SELECT value FROM json_each(?))',
  instr: 'instr',
  likeNoCase: 'LIKE',
  noLimit: -1,
  forUpdate: '',
  forUpdateSkipLocked: '',
  forNoKeyUpdate: '',
  jsonMember: (column, key) => `json_extract(${column}, '$.${key}')`,
  jsonElements: (column, alias) => `json_each(${column}) ${alias}`,
  textIndex: {
    // FTS5 with the trigram tokenizer, contentless: rowid = mail_raw.id.
    insert: 'INSERT INTO mail_text (rowid, headers, body) VALUES (?, ?, ?)',
    deleteUnused: 'DELETE FROM mail_text WHERE rowid IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM mail WHERE mail_raw_id = mail_text.rowid)',
    prepare: (text) => text,
    match(field, text) {
      // A quoted phrase is an exact case-insensitive substring for the trigram tokenizer.
      const phrase = '"' + text.replace(/"/g, '""') + '"';
      return { sql: '(SELECT rowid AS raw_id FROM mail_text WHERE mail_text MATCH ?)', params: [field === 'text' ? phrase : `${field} : ${phrase}`] };
    },
  },
};

/** Driver errors as the store reports them: constraint violations, and "try again later" for a busy or failing file. */
function mapError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new ConstraintError(code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY', (err as Error).message, err);
  }
  if (/^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|NOMEM|PROTOCOL)/.test(code)) {
    return new StoreError('UNAVAILABLE', 'the database is not available; try again later', err);
  }
  return err;
}

class Connection {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly plucked = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  pluck(sql: string): Database.Statement {
    let s = this.plucked.get(sql);
    if (!s) {
      s = this.db.prepare(sql).pluck();
      this.plucked.set(sql, s);
    }
    return s;
  }

  close(): void {
    this.statements.clear();
    this.plucked.clear();
    this.db.close();
  }
}

/** Queries on one connection; `live()` guards a write's handle once its closure is over. */
class SqliteQueries {
  readonly dialect = sqliteDialect;
  constructor(protected readonly conn: Connection) {}

  protected live(): void {}

  async get<T>(sql: string, ...params: Param[]): Promise<T | undefined> {
    this.live();
    try {
      return this.conn.statement(sql).get(...params) as T | undefined;
    } catch (err) {
      throw mapError(err);
    }
  }

  async all<T>(sql: string, ...params: Param[]): Promise<T[]> {
    this.live();
    try {
      const statement = this.conn.statement(sql);
      // A statement without rows to return (an UPDATE without RETURNING) yields none, as on PostgreSQL.
      if (!statement.reader) {
        statement.run(...params);
        return [];
      }
      return statement.all(...params) as T[];
    } catch (err) {
      throw mapError(err);
    }
  }

  async column<T>(sql: string, ...params: Param[]): Promise<T[]> {
    this.live();
    try {
      return this.conn.pluck(sql).all(...params) as T[];
    } catch (err) {
      throw mapError(err);
    }
  }

  async run(sql: string, ...params: Param[]): Promise<RunResult> {
    this.live();
    try {
      return { changes: this.conn.statement(sql).run(...params).changes };
    } catch (err) {
      throw mapError(err);
    }
  }
}

class SqliteTx extends SqliteQueries implements EngineTx {
  readonly notes: Notification[] = [];
  private readonly deferred: Array<{ event: string; sql: string; params: Param[] }> = [];
  over = false;
  private finished = false;

  protected override live(): void {
    if (this.over || this.finished) throw new Error('write transaction is over: a write closure used its handle after it returned, finished or was cut off');
  }

  notify(event: string, ...args: unknown[]): void {
    this.live();
    this.notes.push({ event, args });
  }

  notifyFrom(event: string, sql: string, ...params: Param[]): void {
    this.live();
    this.deferred.push({ event, sql, params });
  }

  async finish(statements: FinalStatement[]): Promise<Row[][]> {
    const rows: Row[][] = [];
    for (const s of statements) rows.push(await this.all<Row>(s.sql, ...s.params));
    this.finished = true;
    return rows;
  }

  /** Runs the notifyFrom queries: the closure is done, its savepoint not yet released. */
  readDeferredNotes(): void {
    for (const d of this.deferred) {
      const row = this.conn.statement(d.sql).get(...d.params) as Row | undefined;
      if (row) this.notes.push({ event: d.event, args: [{ ...row }] });
    }
  }
}

/**
 * heron_assert(ok, code, message): true, or the write fails with
 * StoreError(code) (see EngineTx.finish). 'RETRY' cannot happen here: one
 * writer at a time, so what a write read is still so when it finishes.
 */
function heronAssert(ok: unknown, code: unknown, message: unknown): 1 {
  if (ok) return 1;
  if (code === 'RETRY') throw new Error(`write conflict on SQLite, which has one writer: ${String(message)}`);
  throw new StoreError(String(code) as StoreErrorCode, String(message));
}

interface PendingWrite {
  fn: (tx: EngineTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const CUT_OFF = 'a write closure awaited something other than its transaction; its changes were rolled back';

export class SqliteEngine extends SqliteQueries implements Engine {
  readonly name = 'sqlite';
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly writer: Connection,
    reader: Connection,
    private readonly options: OpenOptions,
  ) {
    super(reader);
  }

  static open(file: string, options: OpenOptions): SqliteEngine {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const busyMs = options.lockTimeoutMs ?? 5000;
    const writer = new Database(file);
    try {
      writer.pragma('journal_mode = WAL');
      // FULL: a commit is fsynced before it returns, so an acknowledged message survives power loss.
      writer.pragma('synchronous = FULL');
      writer.pragma('foreign_keys = ON');
      writer.pragma(`busy_timeout = ${busyMs}`);
      writer.function('heron_assert', { deterministic: false }, heronAssert);
      migrateSqlite(writer);
    } catch (err) {
      writer.close();
      throw err;
    }
    const reader = new Database(file);
    reader.pragma(`busy_timeout = ${busyMs}`);
    reader.pragma('query_only = ON');
    reader.function('heron_assert', { deterministic: false }, heronAssert);
    return new SqliteEngine(new Connection(writer), new Connection(reader), options);
  }

  /** A statement that changes rows, outside any write closure: it runs as a write of its own (the read connection cannot write). */
  override run(sql: string, ...params: Param[]): Promise<RunResult> {
    return this.write((tx) => tx.run(sql, ...params));
  }

  write<T>(fn: (tx: EngineTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = null;
        if (this.pending.length > 0) this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const db = this.writer;
    const began = performance.now();
    const outcomes: Array<{ ok: true; value: unknown; notes: Notification[] } | { ok: false; error: unknown }> = [];
    try {
      db.statement('BEGIN IMMEDIATE').run();
    } catch (err) {
      const error = mapError(err);
      for (const item of batch) item.reject(error);
      return;
    }
    let cutOff = tripwire();
    for (const item of batch) {
      if (cutOff.tripped) cutOff = tripwire();
      const tx = new SqliteTx(db);
      db.statement('SAVEPOINT heron_write').run();
      try {
        const running = Promise.resolve().then(() => item.fn(tx));
        running.catch(() => undefined);
        const value = await Promise.race([running, cutOff.promise]);
        tx.readDeferredNotes();
        tx.over = true;
        db.statement('RELEASE heron_write').run();
        outcomes.push({ ok: true, value, notes: tx.notes });
      } catch (error) {
        tx.over = true;
        try {
          db.statement('ROLLBACK TO heron_write').run();
          db.statement('RELEASE heron_write').run();
        } catch {
          // The whole transaction is gone (e.g. the disk failed): the COMMIT below reports it.
        }
        outcomes.push({ ok: false, error: mapError(error) });
      }
    }
    cutOff.disarm();
    try {
      db.statement('COMMIT').run();
    } catch (err) {
      try {
        if (db.db.inTransaction) db.statement('ROLLBACK').run();
      } catch {
        // Nothing more to undo.
      }
      const error = mapError(err);
      for (const item of batch) item.reject(error);
      return;
    }
    this.options.onCommit?.((performance.now() - began) / 1000, batch.length);
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
    for (const outcome of outcomes) {
      if (outcome.ok) for (const note of outcome.notes) this.options.deliver(note);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    while (this.pending.length > 0 || this.scheduled || this.flushing) {
      await (this.flushing ?? new Promise((r) => setImmediate(r)));
    }
    this.closed = true;
    this.writer.close();
    this.conn.close();
  }
}

/**
 * A promise that rejects when the event loop next turns: a closure that has
 * not settled by then is waiting for something other than SQLite.
 */
function tripwire(): { promise: Promise<never>; tripped: boolean; disarm(): void } {
  let handle: NodeJS.Immediate | undefined;
  const wire = {
    tripped: false,
    promise: new Promise<never>((_, reject) => {
      handle = setImmediate(() => {
        wire.tripped = true;
        reject(new Error(CUT_OFF));
      });
    }),
    disarm: () => clearImmediate(handle),
  };
  wire.promise.catch(() => undefined);
  return wire;
}

function migrateSqlite(db: Database.Database): void {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`).get();
  if (table) {
    const applied = db.prepare(`SELECT count(*) AS count, max(created_at) AS newest FROM __drizzle_migrations`).get() as {
      count: number;
      newest: number | null;
    };
    checkSchemaVersion('sqlite', { count: applied.count, newest: applied.newest === null ? null : Number(applied.newest) });
  }
  migrate(drizzle(db), { migrationsFolder: migrationsFolder('sqlite') });
}
