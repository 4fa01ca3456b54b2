// One source of truth for the tables: schema/tables.ts (SQLite) and the
// PostgreSQL tables derived from it agree, and both engines' shipped
// migrations are what drizzle-kit generates from them today.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { getTableConfig as pgConfig } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { is } from 'drizzle-orm';
import * as sqliteTables from '../../schema/tables.ts';
import { pgTables } from '../../schema/tables-pg.ts';
import { removeDir, tempDir } from '../helpers/heron.ts';

const root = path.join(import.meta.dirname, '..', '..');

test('every SQLite table has a PostgreSQL twin with the same columns, nullability, defaults and foreign keys', () => {
  const sqlite = Object.values(sqliteTables).filter((v) => is(v, SQLiteTable));
  assert.equal(pgTables.size, sqlite.length);
  for (const table of sqlite) {
    const s = sqliteConfig(table);
    const twin = pgTables.get(s.name);
    assert.ok(twin, `no PostgreSQL table ${s.name}`);
    const p = pgConfig(twin);
    assert.deepEqual(
      p.columns.map((c) => [c.name, c.notNull, c.hasDefault, c.primary, c.isUnique]),
      s.columns.map((c) => [c.name, c.notNull, c.hasDefault, c.primary, c.isUnique]),
      s.name,
    );
    assert.deepEqual(
      p.foreignKeys.map((fk) => fk.getName()).sort(),
      s.foreignKeys.map((fk) => fk.getName()).sort(),
      `${s.name} foreign keys`,
    );
    const sqliteOnly = new Set(['mail_box_summary_idx']);
    assert.deepEqual(
      p.indexes.map((i) => i.config.name).sort(),
      s.indexes.map((i) => i.config.name).filter((n) => !sqliteOnly.has(n)).sort(),
      `${s.name} indexes`,
    );
  }
});

function generate(dialect: 'sqlite' | 'postgresql', schema: string, out: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(root, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--dialect', dialect, '--schema', schema, '--out', out],
      { cwd: root, timeout: 120_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout + stderr)),
    );
  });
}

for (const [engine, dialect, schema] of [
  ['sqlite', 'sqlite', './schema/tables.ts'],
  ['postgres', 'postgresql', './schema/tables-pg.ts'],
] as const) {
  test(`the shipped ${engine} migrations are up to date with the table definitions`, { timeout: 180_000 }, async () => {
    const dir = tempDir('heron-migrations-');
    try {
      fs.cpSync(path.join(root, 'schema', 'migrations', engine), dir, { recursive: true });
      // drizzle-kit takes the folder relative to the project.
      const output = await generate(dialect, schema, path.relative(root, dir));
      assert.match(output, /No schema changes, nothing to migrate/, output);
    } finally {
      removeDir(dir);
    }
  });
}
