// Upgrading a database made before outbox rows could end without a next
// attempt: finished rows held next_retry_at 0 (the API showed 1970) and read
// null after migration 0003; queued rows keep their time. SQLite only: the
// PostgreSQL schema started after this change (its 0002 makes the same edit).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { closeStore, listOutbox, openStore } from '../../schema/index.ts';
import { engineTest } from '../helpers/database.ts';
import { removeDir, tempDir } from '../helpers/heron.ts';

const MIGRATIONS = path.join(import.meta.dirname, '..', '..', 'schema', 'migrations', 'sqlite');

/** A copy of the migrations folder that ends before `tag`. */
function migrationsBefore(tag: string, dir: string): string {
  const out = path.join(dir, 'migrations');
  fs.cpSync(MIGRATIONS, out, { recursive: true });
  const journalFile = path.join(out, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  assert.ok(at > 0, `migration ${tag} exists`);
  journal.entries = journal.entries.slice(0, at);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return out;
}

engineTest('sqlite', 'outbox upgrade: finished rows get next_retry_at null; queued rows keep theirs', async () => {
  const dir = tempDir('heron-upgrade-');
  try {
    const file = path.join(dir, 'heron.db');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: migrationsBefore('0003_outbox_final_states', dir) });
    const insert = old.prepare(
      `INSERT INTO outbox (reference_id, from_address, to_address, to_host, mail, status, next_retry_at) VALUES (?, 'a@heron.test', '["b@remote.test"]', 'remote.test', x'00', ?, ?)`,
    );
    insert.run('sent-row', 'sent', 0);
    insert.run('failed-row', 'failed', 0);
    insert.run('queued-row', 'queued', 1_900_000_000_000);
    old.close();

    const store = await openStore(file);
    try {
      const rows = new Map((await listOutbox(store)).map((r) => [r.reference_id, r]));
      assert.equal(rows.get('sent-row')?.next_retry_at, null);
      assert.equal(rows.get('failed-row')?.next_retry_at, null);
      assert.equal(rows.get('queued-row')?.next_retry_at, 1_900_000_000_000);
      assert.equal(rows.get('sent-row')?.status, 'sent', 'everything else is as it was');
    } finally {
      await closeStore(store);
    }
  } finally {
    removeDir(dir);
  }
});
