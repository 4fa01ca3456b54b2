// Picks the engine from where the data lives (PostgreSQL comes in the next step).
import type { Engine, OpenOptions } from './engine.ts';
import { SqliteEngine } from './sqlite.ts';

export const isPostgresUrl = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

export async function openEngine(location: string, options: OpenOptions): Promise<Engine> {
  if (isPostgresUrl(location)) throw new Error('PostgreSQL is not supported yet');
  return SqliteEngine.open(location, options);
}
