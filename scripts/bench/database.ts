// Which engine a benchmark's Heron runs on: SQLite in its data folder, or,
// with HERON_DATABASE_URL set (a role allowed to create databases), a fresh
// database on that PostgreSQL server, dropped at the end (on Ctrl-C too).
import pg from 'pg';
import { scratchDatabase } from '../../tests/helpers/database.ts';
import { onCleanup } from './cleanup.ts';

export interface BenchDatabase {
  engine: 'SQLite' | 'PostgreSQL';
  /** What Heron's environment needs for it (empty for SQLite). */
  env: Record<string, string>;
  /** The server processes serving this database now (PostgreSQL's backends; none for SQLite, which runs inside Heron). */
  serverPids(): Promise<number[]>;
}

export async function benchDatabase(): Promise<BenchDatabase> {
  const server = process.env.HERON_DATABASE_URL;
  if (!server) return { engine: 'SQLite', env: {}, serverPids: async () => [] };
  const database = await scratchDatabase(server);
  onCleanup('scratch PostgreSQL database', () => database.drop());
  return {
    engine: 'PostgreSQL',
    env: { HERON_DATABASE_URL: database.url },
    // Readable in /proc only when the server runs on this machine (a benchmark's own cluster).
    async serverPids() {
      const client = new pg.Client({ connectionString: database.url, connectionTimeoutMillis: 10_000 });
      await client.connect();
      try {
        const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
        return rows.map((r) => r.pid);
      } finally {
        await client.end();
      }
    },
  };
}
