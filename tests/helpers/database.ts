// Which engine the tests run on, and a database of its own for every data
// folder: the SQLite file inside it, or, when HERON_TEST_DATABASE_URL is set
// (postgres://user:pass@host:port/db of a role allowed to create databases), a
// fresh PostgreSQL database `heron_test_<hash of the folder>`, created on first
// use and dropped when the test process ends.
import crypto from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import type { Store } from '../../schema/index.ts';
import { SLOW_WAIT_MS } from './deadline.ts';

export const TEST_DATABASE_URL = process.env.HERON_TEST_DATABASE_URL || undefined;
export const TEST_ENGINE: 'sqlite' | 'postgres' = TEST_DATABASE_URL ? 'postgres' : 'sqlite';

const created = new Set<string>();
let queue: Promise<unknown> = Promise.resolve();

/** Runs one statement on the server's maintenance connection (the URL's own database). */
async function admin(sql: string, params: unknown[] = [], serverUrl = TEST_DATABASE_URL): Promise<pg.QueryResult> {
  // CREATE and DROP DATABASE copy or remove files: a slow disk's deadline, not a query's.
  const client = new pg.Client({ connectionString: serverUrl, application_name: 'heron-test-admin', connectionTimeoutMillis: SLOW_WAIT_MS, query_timeout: SLOW_WAIT_MS });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string, serverUrl = TEST_DATABASE_URL!): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function databaseName(dataDir: string): string {
  return `heron_test_${crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 20)}`;
}

/** The HERON_DATABASE_URL for a data folder on PostgreSQL (undefined on SQLite); see ensureTestDatabase. */
export function testDatabaseUrl(dataDir: string): string | undefined {
  return TEST_DATABASE_URL ? databaseUrl(databaseName(dataDir)) : undefined;
}

/** Creates the data folder's PostgreSQL database if it does not exist yet; returns its URL (undefined on SQLite). */
export async function ensureTestDatabase(dataDir: string): Promise<string | undefined> {
  if (!TEST_DATABASE_URL) return undefined;
  const name = databaseName(dataDir);
  if (!created.has(name)) {
    created.add(name);
    // CREATE DATABASE cannot run inside a transaction or two at a time from one template.
    queue = queue.then(async () => {
      const exists = await admin('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await admin(`CREATE DATABASE "${name}"`);
    });
    await queue;
  }
  return databaseUrl(name);
}

/** Where a store for this data folder keeps its data: the PostgreSQL URL or the SQLite file. */
export async function testStoreLocation(dataDir: string): Promise<string> {
  return (await ensureTestDatabase(dataDir)) ?? path.join(dataDir, 'heron.db');
}

/**
 * For benchmarks: a fresh database on the PostgreSQL server that `serverUrl`
 * (HERON_DATABASE_URL) points at, for one run; `drop()` removes it.
 */
export async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `heron_bench_${crypto.randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE "${name}"`, [], serverUrl);
  return { url: databaseUrl(name, serverUrl), drop: async () => void (await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`, [], serverUrl)) };
}

/** Drops this process's test databases (also done when the process ends). */
export async function dropTestDatabases(): Promise<void> {
  const names = [...created];
  created.clear();
  for (const name of names) await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
}

if (TEST_DATABASE_URL) {
  let dropping = false;
  process.on('beforeExit', () => {
    if (dropping || created.size === 0) return;
    dropping = true;
    void dropTestDatabases().finally(() => (dropping = false));
  });
}

/**
 * Registers a test only where it makes sense: `engine` names the engine it
 * is about. On the other engine the test is not registered at all (it is not
 * a skipped test counted as passed); a log line says so.
 */
export function engineTest(engine: 'sqlite' | 'postgres', name: string, fn: () => Promise<void>, options: { timeout?: number } = {}): void {
  if (TEST_ENGINE !== engine) {
    console.log(`# not registered on ${TEST_ENGINE}: ${name}`);
    return;
  }
  test(name, options, fn);
}

/** The tables Heron keeps rows in (not the text index, tokens or migration bookkeeping), by name. */
export async function dataTables(store: Store): Promise<string[]> {
  const names =
    store.dialect.name === 'sqlite'
      ? await store.column<string>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
      : await store.column<string>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  return names.filter((n) => !n.startsWith('mail_text') && n !== 'api_token' && !n.startsWith('__drizzle')).sort();
}

/**
 * Makes INSERTs into `table` fail where `condition` (SQL over the new row,
 * `NEW.column`) holds, as a disk or database failure would; returns the undo.
 */
export async function failInserts(store: Store, table: string, condition: string): Promise<() => Promise<void>> {
  if (store.dialect.name === 'sqlite') {
    await store.run(`CREATE TRIGGER heron_test_fail BEFORE INSERT ON ${table} WHEN ${condition} BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`);
    return async () => void (await store.run(`DROP TRIGGER heron_test_fail`));
  }
  await store.run(`CREATE FUNCTION heron_test_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk trouble'; END $$`);
  await store.run(`CREATE TRIGGER heron_test_fail BEFORE INSERT ON ${table} FOR EACH ROW WHEN (${condition}) EXECUTE FUNCTION heron_test_fail()`);
  return async () => {
    await store.run(`DROP TRIGGER heron_test_fail ON ${table}`);
    await store.run(`DROP FUNCTION heron_test_fail()`);
  };
}
