// Schema migrations: drizzle-kit generates one folder per engine
// (schema/migrations/sqlite, schema/migrations/postgres) and Drizzle's migrator
// applies them at every start, recording each in `__drizzle_migrations`
// (created_at = the migration's journal time). Drizzle silently ignores a
// database migrated further than it knows; Heron refuses to start on one, since
// an older node would write rows the newer schema does not expect.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

export function migrationsFolder(engine: 'sqlite' | 'postgres'): string {
  return path.join(ROOT, engine);
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

function journal(engine: 'sqlite' | 'postgres'): JournalEntry[] {
  const file = path.join(migrationsFolder(engine), 'meta', '_journal.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { entries: JournalEntry[] }).entries;
}

/** What the database's migration table says: how many migrations and the newest one's journal time. */
export interface AppliedMigrations {
  count: number;
  newest: number | null;
}

export class SchemaVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaVersionError';
  }
}

/** Throws SchemaVersionError when the database holds a migration this Heron does not ship. */
export function checkSchemaVersion(engine: 'sqlite' | 'postgres', applied: AppliedMigrations): void {
  const known = journal(engine);
  const latest = known[known.length - 1];
  const knownTimes = new Set(known.map((e) => e.when));
  const unknownNewest = applied.newest !== null && !knownTimes.has(applied.newest) && applied.newest > latest.when;
  if (applied.count <= known.length && !unknownNewest) return;
  const newest = applied.newest === null ? 'unknown' : new Date(applied.newest).toISOString();
  throw new SchemaVersionError(
    `the ${engine} database has schema version ${applied.count} (newest migration from ${newest}), ` +
      `but this Heron knows only up to version ${known.length} (${latest.tag}); ` +
      `a newer Heron has migrated it: run that version (or newer) instead`,
  );
}
