// Picks the engine from where the data lives: a postgres:// URL or a SQLite file path.
import type { Engine, OpenOptions } from './engine.ts';
import { PostgresEngine } from './postgres.ts';
import { SqliteEngine } from './sqlite.ts';

export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

export async function openEngine(location: string, options: OpenOptions): Promise<Engine> {
  return isPostgresUrl(location) ? PostgresEngine.open(location, options) : SqliteEngine.open(location, options);
}
