// Which engine a benchmark's Heron runs on: SQLite in its data folder, or,
// with HERON_DATABASE_URL set (a role allowed to create databases), a fresh
// database on that PostgreSQL server, dropped at the end (on Ctrl-C too).
import { scratchDatabase } from '../../tests/helpers/database.ts';
import { onCleanup } from './cleanup.ts';

export interface BenchDatabase {
  engine: 'SQLite' | 'PostgreSQL';
  /** What Heron's environment needs for it (empty for SQLite). */
  env: Record<string, string>;
}

export async function benchDatabase(): Promise<BenchDatabase> {
  const server = process.env.HERON_DATABASE_URL;
  if (!server) return { engine: 'SQLite', env: {} };
  const database = await scratchDatabase(server);
  onCleanup('scratch PostgreSQL database', () => database.drop());
  return { engine: 'PostgreSQL', env: { HERON_DATABASE_URL: database.url } };
}
