// The PostgreSQL engine (node-postgres), selected by HERON_DATABASE_URL.
//
// - Reads take any pooled connection; a write checks one out of its own pool
//   for its whole transaction (BEGIN … COMMIT, READ COMMITTED). Those
//   connections pipeline: BEGIN goes out with the write's first query, and the
//   final statements (EngineTx.finish), the notifications and the COMMIT go
//   out together, so a write that ends with finish() holds the locks its
//   final statements take for no round trip through this process (a busy
//   event loop would otherwise stretch every lock on a mailbox row, and with
//   it the wait of every other writer of that mailbox, on any node).
//   Writers serialise where they must on row locks (the mailbox row allocates
//   UIDs and MODSEQs, so one mailbox's writers commit in MODSEQ order); a
//   deadlock or a serialization failure (heron_assert … 'RETRY' included) is
//   retried with the closure run again.
// - Notifications go out with pg_notify inside the transaction, so PostgreSQL
//   delivers them only on commit and in commit order to every process
//   LISTENing. This process delivers its own at once after the commit (no round
//   trip through the server) and ignores their echo; the LISTEN connection
//   reconnects by itself and then announces `resync` (notifications may have
//   been missed while it was down).
// - Integers (int8 and numeric results such as count(*) and sum()) come back
//   as JS numbers: every integer Heron stores fits in 2^53.
// - A lost connection, a server that is shutting down or refuses connections
//   becomes StoreError UNAVAILABLE (SMTP 451 4.3.0, IMAP NO [UNAVAILABLE]);
//   the pool replaces broken connections by itself.
import crypto from 'node:crypto';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { ConstraintError, StoreError, type StoreErrorCode } from '../store/errors.ts';
import type { Dialect, Engine, EngineTx, FinalStatement, Notification, OpenOptions, Param, Row, RunResult } from './engine.ts';
import { checkSchemaVersion, migrationsFolder } from './migrations.ts';
import { numberedPlaceholders } from './placeholders.ts';

/** LIKE needs its wildcards escaped to match literally (backslash is PostgreSQL's default LIKE escape). */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

export const postgresDialect: Dialect = {
  name: 'postgres',
  shared: true,
  intList: '(SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(? AS jsonb)))',
  textList: '(SELECT value FROM jsonb_array_elements_text(CAST(? AS jsonb)))',
  instr: 'strpos',
  likeNoCase: 'ILIKE',
  noLimit: null,
  forUpdate: ' FOR UPDATE',
  forUpdateSkipLocked: ' FOR UPDATE SKIP LOCKED',
  forNoKeyUpdate: ' FOR NO KEY UPDATE',
  jsonMember: (column, key) => `(CAST(${column} AS jsonb) ->> '${key}')`,
  jsonElements: (column, alias) => `jsonb_array_elements_text(CAST(${column} AS jsonb)) AS ${alias}(value)`,
  textIndex: {
    // pg_trgm GIN indexes over text stored lower-cased (by JavaScript, so the
    // folding does not depend on the database's locale), searched with LIKE on
    // a lower-cased needle: a case-insensitive substring, as FTS5's trigram
    // phrase is on SQLite.
    insert: 'INSERT INTO mail_text (raw_id, headers, body) VALUES (?, ?, ?)',
    deleteUnused:
      'DELETE FROM mail_text WHERE raw_id IN (SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(? AS jsonb))) AND NOT EXISTS (SELECT 1 FROM mail WHERE mail_raw_id = mail_text.raw_id)',
    prepare: (text) => text.toLowerCase(),
    match(field, text) {
      const pattern = `%${likeLiteral(text.toLowerCase())}%`;
      if (field === 'text') return { sql: '(SELECT raw_id FROM mail_text WHERE headers LIKE ? OR body LIKE ?)', params: [pattern, pattern] };
      return { sql: `(SELECT raw_id FROM mail_text WHERE ${field} LIKE ?)`, params: [pattern] };
    },
  },
};

const CHANNEL = 'heron_store';
// pg_notify payloads must stay under 8000 bytes.
const MAX_PAYLOAD = 7000;
// Key of the advisory lock held while migrating: nodes starting together migrate one at a time.
const MIGRATION_LOCK = 0x6865726f6e;
const RETRIES = 5;
// Connections per process: reads share READERS, writes take one of WRITERS each.
const READERS = 8;
const WRITERS = 14;

const numberTypes = new Set([20 /* int8 */, 1700 /* numeric */]);
const toNumber = (value: string) => Number(value);
const types = {
  getTypeParser: ((oid: number, format?: string) => (numberTypes.has(oid) ? toNumber : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser,
};

const UNAVAILABLE_CODES = /^(08|53|57P0|58)/;

/** Whether an error means the database (or the way to it) is unavailable rather than a bad query. */
function isUnavailable(err: unknown): boolean {
  if (err instanceof pg.DatabaseError) return UNAVAILABLE_CODES.test(err.code ?? '');
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return (
    (typeof code === 'string' && /^E[A-Z]+$/.test(code)) ||
    /connection|terminated|timeout|not queryable|ECONN/i.test(err.message)
  );
}

function mapError(err: unknown): unknown {
  if (err instanceof StoreError || err instanceof ConstraintError) return err;
  // heron_assert (see EngineTx.finish): the code travels in DETAIL.
  if (err instanceof pg.DatabaseError && err.code === 'HE001') return new StoreError((err.detail ?? 'CANNOT') as StoreErrorCode, err.message);
  if (err instanceof pg.DatabaseError && err.code?.startsWith('23')) return new ConstraintError(err.code === '23505', err.message, err);
  if (isUnavailable(err)) return new StoreError('UNAVAILABLE', 'the database is not available; try again later', err);
  return err;
}

const retryable = (err: unknown) => err instanceof pg.DatabaseError && (err.code === '40P01' || err.code === '40001');

// PostgreSQL text cannot hold NUL; SQLite's can. A decoded header may contain one.
const clean = (params: Param[]) => params.map((p) => (typeof p === 'string' && p.includes('\0') ? p.replaceAll('\0', '\uFFFD') : p));

interface Prepared {
  text: string;
  /** Named statements are parsed once per connection; generated one-off SQL stays unnamed. */
  name: string | undefined;
}

class StatementNames {
  private readonly byText = new Map<string, Prepared>();
  private named = 0;

  of(sql: string): Prepared {
    let p = this.byText.get(sql);
    if (!p) {
      p = { text: numberedPlaceholders(sql), name: this.named < 2000 ? `heron_${++this.named}` : undefined };
      if (this.byText.size < 10_000) this.byText.set(sql, p);
    }
    return p;
  }
}

type Runner = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

class PgQueries {
  readonly dialect = postgresDialect;
  constructor(
    protected readonly runner: Runner,
    protected readonly names: StatementNames,
  ) {}

  protected live(): void {}

  /** Whether a query that failed because its connection was lost may simply run again (reads outside a transaction). */
  protected readonly retryLost: boolean = false;

  protected config(sql: string, params: Param[], rowMode?: 'array'): pg.QueryConfig {
    const p = this.names.of(sql);
    return { text: p.text, name: p.name, values: clean(params), ...(rowMode ? { rowMode } : {}) };
  }

  protected async query(sql: string, params: Param[], rowMode?: 'array'): Promise<pg.QueryResult> {
    this.live();
    const config = this.config(sql, params, rowMode);
    try {
      return await this.runner.query(config);
    } catch (err) {
      // A pooled connection that died while idle is noticed only when used: one more try on a fresh one.
      if (!(this.retryLost && isUnavailable(err))) throw mapError(err);
      try {
        return await this.runner.query(config);
      } catch (again) {
        throw mapError(again);
      }
    }
  }

  async get<T = Row>(sql: string, ...params: Param[]): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async all<T = Row>(sql: string, ...params: Param[]): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async column<T = unknown>(sql: string, ...params: Param[]): Promise<T[]> {
    return (await this.query(sql, params, 'array')).rows.map((r: unknown[]) => r[0] as T);
  }

  async run(sql: string, ...params: Param[]): Promise<RunResult> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }
}

/** The socket under a pooled connection: corked, the queries sent meanwhile leave in one write. */
const socketOf = (client: pg.PoolClient) => (client as unknown as { connection: { stream: Pick<import('node:net').Socket, 'cork' | 'uncork'> } }).connection.stream;

/**
 * notifyFrom queries as one statement, so that PostgreSQL sends the
 * notification itself (inside the transaction, so only on commit) and hands
 * the rows back for this process's own delivery: their rows in order (args
 * NULL where a query found none), and one pg_notify carrying those found.
 * Parameters: each query's event then its parameters, then channel and node id.
 */
const notifyFromSql = (sqls: readonly string[]) =>
  `WITH d AS (${sqls.map((sql, i) => `SELECT ${i} AS i, CAST(? AS text) AS event, (SELECT row_to_json(q) FROM (${sql}) q LIMIT 1) AS args`).join(' UNION ALL ')}),
   sent AS (SELECT pg_notify(CAST(? AS text), json_build_object('n', CAST(? AS text), 'e', json_agg(json_build_array(event, json_build_array(args)) ORDER BY i))::text)
            FROM d WHERE args IS NOT NULL HAVING count(*) > 0)
   SELECT i, args::text AS args FROM d WHERE (SELECT count(*) FROM sent) >= 0 ORDER BY i`;
/** notifyFrom queries combined into one statement at most. */
const MAX_COMBINED = 16;

interface Deferred {
  event: string;
  sql: string;
  params: Param[];
}

/**
 * What a deferred notification adds to a payload at most: its parameters (a
 * carried change detail; JSON escaping at most doubles a text) and the row's
 * other columns.
 */
const payloadEstimate = (d: Deferred) => 300 + d.params.reduce<number>((n, p) => n + (typeof p === 'string' ? 2 * Buffer.byteLength(p) : 24), 0);

/** The deferred notifications in runs that each go out as one statement with one payload under MAX_PAYLOAD. */
function payloadRuns(deferred: readonly Deferred[]): Deferred[][] {
  const runs: Deferred[][] = [];
  let size = Infinity;
  for (const d of deferred) {
    const estimate = payloadEstimate(d);
    const last = runs.at(-1);
    if (!last || last.length >= MAX_COMBINED || size + estimate > MAX_PAYLOAD) {
      runs.push([d]);
      size = estimate;
    } else {
      last.push(d);
      size += estimate;
    }
  }
  return runs;
}

class PgTx extends PgQueries implements EngineTx {
  readonly notes: Notification[] = [];
  private readonly deferred: Deferred[] = [];
  over = false;
  /** The COMMIT has been sent (finish, or the write's end); resolves once it is through. */
  committing: Promise<pg.QueryResult[]> | null = null;
  /** BEGIN, sent with the write's first query; whether it went through. */
  private begun: Promise<boolean> | null = null;
  /** The socket is corked until the next tick. */
  private corked = false;

  constructor(
    private readonly client: pg.PoolClient,
    names: StatementNames,
    private readonly nodeId: string,
  ) {
    super(client, names);
  }

  protected override live(): void {
    if (this.over || this.committing) throw new Error('write transaction is over: a write closure used its handle after it returned or finished');
  }

  /** Whether BEGIN went through (false when it failed or was never sent). */
  began(): Promise<boolean> {
    return this.begun ?? Promise.resolve(false);
  }

  /**
   * Sends queries, BEGIN first if not yet sent, coalescing what is sent
   * within one tick into one socket write: every write to a loopback socket
   * costs a system call that also runs the receiving side's TCP stack and
   * wakes the backend, so fewer writes is less CPU on both sides.
   */
  private send<T>(queries: () => T): T {
    if (!this.corked) {
      // Until the promise jobs queued now have run: queries a closure starts together
      // (Promise.all) leave in one write too.
      const socket = socketOf(this.client);
      socket.cork();
      this.corked = true;
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    this.begun ??= this.client.query('BEGIN').then(
      () => true,
      () => false,
    );
    return queries();
  }

  protected override async query(sql: string, params: Param[], rowMode?: 'array'): Promise<pg.QueryResult> {
    this.live();
    const config = this.config(sql, params, rowMode);
    try {
      return await this.send(() => this.client.query(config));
    } catch (err) {
      throw mapError(err);
    }
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
    this.live();
    return (await this.commitWith(statements)).map((r) => r.rows as Row[]);
  }

  /**
   * Sends `statements`, the notifyFrom queries and pg_notify + COMMIT without
   * waiting in between (the connection pipelines), then waits for all of them.
   * The first failure is the one thrown (the statements after it only report
   * the aborted transaction, and its COMMIT becomes a rollback).
   */
  commitWith(statements: FinalStatement[]): Promise<pg.QueryResult[]> {
    this.committing ??= (async () => {
      const runs = payloadRuns(this.deferred);
      const [sent, reads, commit] = this.send(() => [
        statements.map((s) => this.client.query(this.config(s.sql, s.params))),
        runs.map((run) =>
          this.client.query(this.config(notifyFromSql(run.map((d) => d.sql)), [...run.flatMap((d) => [d.event, ...d.params]), CHANNEL, this.nodeId])),
        ),
        this.client.query(this.commitText()),
      ] as const);
      const settled = await Promise.allSettled([...sent, ...reads, commit]);
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw mapError(failed.reason);
      const results = settled.map((r) => (r as PromiseFulfilledResult<pg.QueryResult>).value);
      // The reply the client waits for (a 250, a tagged OK) follows only a COMMIT that went through.
      const committed = [results[results.length - 1]].flat().pop() as pg.QueryResult | undefined;
      if (committed?.command !== 'COMMIT') throw new StoreError('UNAVAILABLE', 'the write was rolled back; try again');
      // One row per deferred notification, in order (args NULL where its query found none).
      const readRows = results.slice(sent.length, sent.length + reads.length).flatMap((read) => read.rows as Array<{ args: string | null }>);
      readRows.forEach((row, i) => {
        if (row.args !== null) this.notes.push({ event: this.deferred[i].event, args: [JSON.parse(row.args) as unknown] });
      });
      return results.slice(0, sent.length);
    })();
    return this.committing;
  }

  /** pg_notify for the queued notifications (in as few payloads as fit), then COMMIT: one simple query. */
  private commitText(): string {
    const payloads: string[] = [];
    let batch: Array<[string, unknown[]]> = [];
    let size = 0;
    const flush = () => {
      if (batch.length > 0) payloads.push(JSON.stringify({ n: this.nodeId, e: batch }));
      batch = [];
      size = 0;
    };
    for (const note of this.notes) {
      const entry: [string, unknown[]] = [note.event, note.args];
      const length = Buffer.byteLength(JSON.stringify(entry));
      if (size + length > MAX_PAYLOAD) flush();
      batch.push(entry);
      size += length + 1;
    }
    flush();
    return payloads.map((p) => `SELECT pg_notify('${CHANNEL}', ${this.client.escapeLiteral(p)}); `).join('') + 'COMMIT';
  }
}

export class PostgresEngine extends PgQueries implements Engine {
  readonly name = 'postgres';
  /** Tells this process's notifications from other nodes' echoes. */
  private readonly nodeId = crypto.randomUUID();
  private active = 0;
  private writers = 0;
  /** Writes waiting for a writer slot, first come first served (a burst waits here, not in the pool's timeout). */
  private readonly queued: Array<() => void> = [];
  private closed = false;
  private idle: (() => void) | null = null;
  private feed: ChangeFeed | null = null;

  protected override readonly retryLost = true;

  private constructor(
    private readonly pool: pg.Pool,
    /** Connections for writes: pipelined, one write at a time each. */
    private readonly writePool: pg.Pool,
    private readonly options: OpenOptions,
  ) {
    super(pool, new StatementNames());
  }

  /** A statement outside a write: autocommit in one round trip, and never repeated (it may have taken effect). */
  override async run(sql: string, ...params: Param[]): Promise<RunResult> {
    const [result] = await this.write((tx) => (tx as PgTx).commitWith([{ sql, params }]));
    return { changes: result.rowCount ?? 0 };
  }

  static async open(url: string, options: OpenOptions): Promise<PostgresEngine> {
    const config = (max: number, pipeline: boolean): pg.PoolConfig & { pipeline: boolean } => ({
      connectionString: url,
      max,
      pipeline,
      application_name: 'heron',
      keepAlive: true,
      // Also the longest a query waits for a free connection: past it the database counts as unavailable.
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      types,
      ...(options.lockTimeoutMs !== undefined ? { options: `-c lock_timeout=${options.lockTimeoutMs}` } : {}),
    });
    const pools = [new pg.Pool(config(READERS, false)), new pg.Pool(config(WRITERS, true))];
    for (const pool of pools) {
      // A connection that dies (server restart, terminated backend) is dropped and
      // replaced; never a crash. Its query, if one was running, fails with the error.
      pool.on('error', () => undefined);
      pool.on('connect', (client) => client.on('error', () => undefined));
    }
    const engine = new PostgresEngine(pools[0], pools[1], options);
    try {
      await migratePostgres(pools[0]);
      engine.feed = new ChangeFeed(url, (payload) => engine.onPayload(payload), () => options.deliver({ event: 'resync', args: [] }));
      await engine.feed.start();
    } catch (err) {
      await engine.feed?.stop();
      for (const pool of pools) await pool.end().catch(() => undefined);
      throw mapError(err);
    }
    return engine;
  }

  private onPayload(payload: string): void {
    let message: { n?: unknown; e?: unknown };
    try {
      message = JSON.parse(payload) as { n?: unknown; e?: unknown };
    } catch {
      return;
    }
    if (message.n === this.nodeId || !Array.isArray(message.e)) return;
    for (const entry of message.e as unknown[]) {
      if (Array.isArray(entry) && typeof entry[0] === 'string' && Array.isArray(entry[1])) this.options.deliver({ event: entry[0], args: entry[1] as unknown[] });
    }
  }

  private async writerSlot(): Promise<void> {
    if (this.writers < WRITERS) {
      this.writers++;
      return;
    }
    await new Promise<void>((resolve) => this.queued.push(resolve));
  }

  private releaseWriterSlot(): void {
    const next = this.queued.shift();
    if (next) next();
    else this.writers--;
  }

  async write<T>(fn: (tx: EngineTx) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('store is closed');
    this.active++;
    await this.writerSlot();
    try {
      for (let attempt = 1; ; attempt++) {
        let client: pg.PoolClient;
        try {
          client = await this.writePool.connect();
        } catch (err) {
          throw mapError(err);
        }
        const started = performance.now();
        const tx = new PgTx(client, this.names, this.nodeId);
        try {
          const value = await fn(tx);
          tx.over = true;
          await tx.commitWith([]);
          client.release();
          this.options.onCommit?.((performance.now() - started) / 1000, 1);
          for (const note of tx.notes) this.options.deliver(note);
          return value;
        } catch (err) {
          tx.over = true;
          let broken = isUnavailable(err);
          if (!broken && (await tx.began())) await client.query('ROLLBACK').catch(() => (broken = true));
          // A broken connection is destroyed rather than returned to the pool.
          client.release(broken ? true : undefined);
          // Deadlock or serialization failure: run the closure again. A connection found dead before
          // BEGIN went through did nothing: take another.
          if ((retryable(err) || (!(await tx.began()) && broken)) && attempt < RETRIES) {
            this.options.onRetry?.(retryable(err) ? 'conflict' : 'connection');
            await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20 * attempt));
            continue;
          }
          if (retryable(err)) throw new StoreError('UNAVAILABLE', 'the write kept meeting others on the same rows; try again', err);
          throw mapError(err);
        }
      }
    } finally {
      this.releaseWriterSlot();
      this.active--;
      if (this.active === 0) this.idle?.();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.active > 0) await new Promise<void>((r) => (this.idle = r));
    await this.feed?.stop();
    await this.pool.end();
    await this.writePool.end();
  }
}

async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const { rows } = await client.query<{ t: string | null }>(`SELECT to_regclass('drizzle.__drizzle_migrations') AS t`);
      if (rows[0].t) {
        const applied = await client.query<{ count: number; newest: number | null }>(
          'SELECT count(*) AS count, max(created_at) AS newest FROM drizzle.__drizzle_migrations',
        );
        checkSchemaVersion('postgres', applied.rows[0]);
      }
      await migrate(drizzle(client), { migrationsFolder: migrationsFolder('postgres') });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/**
 * The LISTEN connection: one per process. Reconnects by itself (backing off up
 * to 5 s) and calls `resynced` after every reconnection.
 */
class ChangeFeed {
  private client: pg.Client | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private delay = 100;

  constructor(
    private readonly url: string,
    private readonly onPayload: (payload: string) => void,
    private readonly resynced: () => void,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'heron-listen', keepAlive: true, connectionTimeoutMillis: 5000 });
    client.on('notification', (msg) => {
      if (msg.channel === CHANNEL && msg.payload) this.onPayload(msg.payload);
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delay = 100;
  }

  private lost(client: pg.Client): void {
    if (this.stopped || this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.retry();
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect().then(
        () => {
          if (!this.stopped) this.resynced();
        },
        () => {
          this.delay = Math.min(this.delay * 2, 5000);
          this.retry();
        },
      );
    }, this.delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
