// The storage engines under the store: several stores ("nodes") on one
// database, notifications across them, schema version refusal, and what a
// lost or locked database looks like to the store's callers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  appendMessage,
  changesSince,
  closeStore,
  createMailbox,
  deliverMessage,
  findMailbox,
  listUids,
  type MailboxChanged,
  openStore,
  SchemaVersionError,
  type Store,
  StoreError,
  storeFlags,
  write,
} from '../../schema/index.ts';
import { loadConfig } from '../../server/config.ts';
import { engineTest, TEST_ENGINE } from '../helpers/database.ts';
import { eventually, PG_CLIENT_DEADLINES, WAIT_MS, within } from '../helpers/deadline.ts';
import { closedPort } from '../outbound/helpers.ts';
import { message, type StoreFixture, storeFixture } from '../helpers/store.ts';

/** Resolves with the first event `name` that satisfies `match`; rejects after `ms`. */
function nextEvent<T>(store: Store, name: 'mailbox' | 'resync', match: (arg: T) => boolean = () => true, ms = WAIT_MS): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      store.events.off(name, listener);
      reject(new Error(`no ${name} event within ${ms} ms`));
    }, ms);
    const listener = (arg?: unknown) => {
      if (!match(arg as T)) return;
      clearTimeout(timer);
      store.events.off(name, listener);
      resolve(arg as T);
    };
    store.events.on(name, listener);
  });
}

describe(`engine: two stores on one ${TEST_ENGINE} database`, () => {
  let f: StoreFixture;
  let other: Store;
  let boxId: number;

  before(async () => {
    f = await storeFixture();
    other = await openStore(f.location);
    boxId = (await findMailbox(f.store, f.account.id, 'INBOX'))!.id;
  });
  after(async () => {
    await closeStore(other);
    await f.cleanup();
  });

  test('concurrent appends and deliveries to one mailbox from both never share a UID, and both see every message', async () => {
    const perStore = 40;
    const results = await Promise.all(
      [f.store, other].flatMap((store, s) =>
        Array.from({ length: perStore }, (_, i) =>
          i % 2 === 0
            ? appendMessage(store, { mailboxId: boxId, raw: message(`append ${s}-${i}`) })
            : deliverMessage(store, { raw: message(`deliver ${s}-${i}`), copies: [{ mailboxId: boxId }] }).then(([m]) => m),
        ),
      ),
    );
    const uids = results.map((r) => r.uid);
    assert.equal(new Set(uids).size, uids.length, 'no UID handed out twice');
    assert.equal(new Set(results.map((r) => r.modseq)).size, results.length, 'each write got its own MODSEQ');
    const sorted = [...uids].sort((a, b) => a - b);
    for (const store of [f.store, other]) {
      const listed = await listUids(store, boxId);
      for (const uid of sorted) assert.ok(listed.includes(uid), `UID ${uid} visible through every store`);
    }
    // The journal has one 'new' row per message, in MODSEQ order, UIDs rising with MODSEQ.
    const journal = (await changesSince(other, boxId, 0)).filter((e) => e.kind === 'new');
    const mine = journal.filter((e) => uids.includes(e.uid));
    assert.equal(mine.length, uids.length);
    for (let i = 1; i < mine.length; i++) {
      assert.ok(mine[i].modseq > mine[i - 1].modseq, 'journal in MODSEQ order');
      assert.ok(mine[i].uid > mine[i - 1].uid, 'a later MODSEQ never has a lower new UID');
    }
  });

  test('concurrent flag changes from both stores each get a MODSEQ and none is lost', async () => {
    const m = await appendMessage(f.store, { mailboxId: boxId, raw: message('flags race') });
    const flags = ['$A', '$B', '$C', '$D', '$E', '$F'];
    await Promise.all(flags.map((flag, i) => storeFlags(i % 2 ? other : f.store, { mailboxId: boxId, uids: [m.uid], op: 'add', flags: [flag] })));
    const journal = (await changesSince(f.store, boxId, m.modseq)).filter((e) => e.uid === m.uid);
    assert.equal(journal.length, flags.length);
    const row = await f.store.get<{ flags: string }>('SELECT flags FROM mail WHERE mail_box_id = ? AND uid = ?', boxId, m.uid);
    assert.deepEqual(JSON.parse(row!.flags), flags);
  });

  // PostgreSQL only: SQLite has no change feed between processes (one process owns the file).
  engineTest('postgres', 'PostgreSQL: a delivery through one store emits `mailbox` on the other (LISTEN/NOTIFY)', async () => {
    const seen = nextEvent<MailboxChanged>(other, 'mailbox', (e) => e.mailboxId === boxId);
    const [m] = await deliverMessage(f.store, { raw: message('across nodes'), copies: [{ mailboxId: boxId }] });
    const change = await seen;
    assert.equal(change.highestModseq, m.modseq);
    assert.equal(change.accountId, f.account.id);
  });

  test('notifications read at commit (notifyFrom): those that find a row reach this store and the other, in order, with their rows; the others none', async () => {
    const second = (await createMailbox(f.store, f.account.id, `Notified ${Date.now()}`)).id;
    const events = (store: Store) => {
      const got: MailboxChanged[] = [];
      const listener = (e: MailboxChanged) => {
        // Offset far above any real MODSEQ: a late notification of an earlier test is not one of these.
        if ((e.mailboxId === boxId || e.mailboxId === second) && e.highestModseq >= 1_000_000) got.push(e);
      };
      store.events.on('mailbox', listener);
      return { got, stop: () => store.events.off('mailbox', listener) };
    };
    const here = events(f.store);
    const there = events(other);
    const read = `SELECT mail_account_id AS "accountId", id AS "mailboxId", highestmodseq + ? AS "highestModseq" FROM mail_box WHERE id = ?`;
    try {
      await write(f.store, async (tx) => {
        tx.notifyFrom('mailbox', read, 1_000_000, boxId);
        tx.notifyFrom('mailbox', read, 1_000_000, -1); // no such mailbox: nothing sent
        tx.notifyFrom('mailbox', read, 2_000_000, second);
        await tx.finish([{ sql: `UPDATE mail_box SET attributes = 'notified' WHERE id IN (?, ?)`, params: [boxId, second] }]);
      });
      const modseqs = await Promise.all([boxId, second].map(async (id) => (await f.store.get<{ m: number }>(`SELECT highestmodseq AS m FROM mail_box WHERE id = ?`, id))!.m));
      const expected = [
        { accountId: f.account.id, mailboxId: boxId, highestModseq: modseqs[0] + 1_000_000 },
        { accountId: f.account.id, mailboxId: second, highestModseq: modseqs[1] + 2_000_000 },
      ];
      assert.deepEqual(here.got, expected, 'delivered in this process at the commit');
      // SQLite has no second process to tell (one process owns the file).
      if (TEST_ENGINE === 'postgres') {
        await eventually(() => there.got.length >= expected.length, () => `both on the other store, got ${JSON.stringify(there.got)}`);
        assert.deepEqual(there.got, expected, 'delivered to the other store');
      }
    } finally {
      here.stop();
      there.stop();
    }
  });

  // PostgreSQL only: the LISTEN connection is PostgreSQL's.
  engineTest('postgres', 'PostgreSQL: a lost LISTEN connection comes back by itself and announces resync', async () => {
    const admin = new pg.Client({ connectionString: f.location, ...PG_CLIENT_DEADLINES });
    await admin.connect();
    try {
      const resync = nextEvent(other, 'resync');
      // Kills every change-feed connection on this database (both stores'); `other` must recover.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'heron-listen'`);
      await resync;
      const seen = nextEvent<MailboxChanged>(other, 'mailbox', (e) => e.mailboxId === boxId);
      await appendMessage(f.store, { mailboxId: boxId, raw: message('after the reconnect') });
      await seen;
    } finally {
      await admin.end();
    }
  });
});

describe(`engine: write transactions (${TEST_ENGINE})`, () => {
  let f: StoreFixture;
  let boxId: number;
  before(async () => {
    f = await storeFixture();
    boxId = (await findMailbox(f.store, f.account.id, 'INBOX'))!.id;
  });
  after(() => f.cleanup());

  test('a read from elsewhere while a write is under way sees only committed rows', async () => {
    await f.store.run(`UPDATE mail_box SET attributes = 'committed' WHERE id = ?`, boxId);
    let seenElsewhere: string | undefined;
    await write(f.store, async (tx) => {
      await tx.run(`UPDATE mail_box SET attributes = 'uncommitted' WHERE id = ?`, boxId);
      // Another session's read, issued while this transaction is open.
      seenElsewhere = (await f.store.get<{ attributes: string }>(`SELECT attributes FROM mail_box WHERE id = ?`, boxId))!.attributes;
      assert.equal((await tx.get<{ attributes: string }>(`SELECT attributes FROM mail_box WHERE id = ?`, boxId))!.attributes, 'uncommitted');
    });
    assert.equal(seenElsewhere, 'committed');
    assert.equal((await f.store.get<{ attributes: string }>(`SELECT attributes FROM mail_box WHERE id = ?`, boxId))!.attributes, 'uncommitted');
  });

  test('a write that throws rolls back alone; the writes beside it commit', async () => {
    const results = await Promise.allSettled([
      write(f.store, async (tx) => tx.run(`UPDATE mail_box SET flags = 'one' WHERE id = ?`, boxId)),
      write(f.store, async (tx) => {
        await tx.run(`UPDATE mail_box SET permanent_flags = 'never' WHERE id = ?`, boxId);
        throw new StoreError('CANNOT', 'changed my mind');
      }),
      write(f.store, async (tx) => tx.run(`UPDATE mail_box SET attributes = 'three' WHERE id = ?`, boxId)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const row = await f.store.get<Record<string, string>>(`SELECT flags, permanent_flags, attributes FROM mail_box WHERE id = ?`, boxId);
    assert.deepEqual(row, { flags: 'one', permanent_flags: '', attributes: 'three' });
  });

  engineTest('postgres', 'PostgreSQL: two writes locking two rows in opposite orders deadlock; the one aborted is run again and both commit', async () => {
    const reasons: string[] = [];
    const store = await openStore(f.location, { onRetry: (reason) => reasons.push(reason) });
    try {
      const other = (await createMailbox(store, f.account.id, 'Deadlock')).id;
      let firstLocked!: () => void;
      let secondLocked!: () => void;
      const first = new Promise<void>((r) => (firstLocked = r));
      const second = new Promise<void>((r) => (secondLocked = r));
      const runs = { a: 0, b: 0 };
      await within(
        Promise.all([
          write(store, async (tx) => {
            runs.a++;
            await tx.run(`UPDATE mail_box SET flags = 'a' WHERE id = ?`, boxId);
            firstLocked();
            await second;
            await tx.run(`UPDATE mail_box SET flags = 'a' WHERE id = ?`, other);
          }),
          write(store, async (tx) => {
            runs.b++;
            await tx.run(`UPDATE mail_box SET attributes = 'b' WHERE id = ?`, other);
            secondLocked();
            await first;
            await tx.run(`UPDATE mail_box SET attributes = 'b' WHERE id = ?`, boxId);
          }),
        ]),
        WAIT_MS,
        'both writes',
      );
      assert.deepEqual(reasons, ['conflict'], 'one write was run again');
      assert.equal(runs.a + runs.b, 3);
      for (const id of [boxId, other]) {
        assert.deepEqual(await store.get(`SELECT flags, attributes FROM mail_box WHERE id = ?`, id), { flags: 'a', attributes: 'b' });
      }
    } finally {
      await closeStore(store);
    }
  });

  // SQLite only: writes of one tick share a transaction there, so a closure that waits
  // for something else is cut off; on PostgreSQL it only holds its own row locks.
  engineTest('sqlite', 'SQLite: a write closure that awaits a timer is cut off and rolled back; its batch commits', async () => {
    const stalled = write(f.store, async (tx) => {
      await tx.run(`UPDATE mail_box SET attributes = 'stalled' WHERE id = ?`, boxId);
      await new Promise((r) => setTimeout(r, 20));
      await tx.run(`UPDATE mail_box SET flags = 'stalled' WHERE id = ?`, boxId);
    });
    const beside = write(f.store, async (tx) => tx.run(`UPDATE mail_box SET permanent_flags = 'beside' WHERE id = ?`, boxId));
    await assert.rejects(stalled, /awaited something other than its transaction/);
    await beside;
    await new Promise((r) => setTimeout(r, 50));
    const row = await f.store.get<Record<string, string>>(`SELECT attributes, flags, permanent_flags FROM mail_box WHERE id = ?`, boxId);
    assert.notEqual(row!.attributes, 'stalled');
    assert.notEqual(row!.flags, 'stalled');
    assert.equal(row!.permanent_flags, 'beside');
  });
});

describe('engine: which one runs', () => {
  test('HERON_DATABASE_URL selects PostgreSQL; unset means the SQLite file; a malformed one stops the start', () => {
    const sqlite = loadConfig({ HERON_DATA_DIR: '/var/lib/heron' });
    assert.equal(sqlite.database, '/var/lib/heron/heron.db');
    assert.equal(sqlite.databaseUrl, undefined);
    const url = 'postgres://heron:secret@db.example.net:5432/heron';
    assert.equal(loadConfig({ HERON_DATABASE_URL: url }).database, url);
    assert.throws(() => loadConfig({ HERON_DATABASE_URL: 'mysql://db/heron' }), /HERON_DATABASE_URL: expected postgres:\/\//);
  });

  test('a PostgreSQL server that cannot be reached fails the open with UNAVAILABLE', async () => {
    const port = await closedPort();
    await assert.rejects(openStore(`postgres://heron:x@127.0.0.1:${port}/heron`), (err: unknown) => {
      assert.ok(err instanceof StoreError && err.code === 'UNAVAILABLE', String(err));
      return true;
    });
  });
});

describe(`engine: schema versions (${TEST_ENGINE})`, () => {
  test('a database migrated by a newer Heron is refused with both versions named', async () => {
    const f = await storeFixture();
    const table = f.store.dialect.name === 'sqlite' ? '__drizzle_migrations' : 'drizzle.__drizzle_migrations';
    const known = (await f.store.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;
    // What a newer Heron leaves behind: one more migration, from later than any this one ships.
    await f.store.run(`INSERT INTO ${table} (hash, created_at) VALUES (?, ?)`, 'from-the-future', Date.parse('2099-01-01T00:00:00Z'));
    await closeStore(f.store);
    try {
      await assert.rejects(openStore(f.location), (err: unknown) => {
        assert.ok(err instanceof SchemaVersionError, String(err));
        assert.match(err.message, new RegExp(`schema version ${known + 1} .*2099-01-01.*knows only up to version ${known} \\(\\d{4}_\\w+\\)`));
        return true;
      });
    } finally {
      await f.cleanup();
    }
  });
});

describe(`engine: an unavailable database (${TEST_ENGINE})`, () => {
  // SQLite only: another process holding the file's write lock longer than the wait allowed.
  engineTest('sqlite', 'SQLite: a write that cannot get the lock fails with UNAVAILABLE and the next one succeeds', async () => {
    const f = await storeFixture();
    const store = await openStore(f.location, { lockTimeoutMs: 100 });
    const box = (await findMailbox(store, f.account.id, 'INBOX'))!;
    const holder = new Database(f.location);
    try {
      holder.exec('BEGIN IMMEDIATE');
      await assert.rejects(appendMessage(store, { mailboxId: box.id, raw: message('locked out') }), (err: unknown) => {
        assert.ok(err instanceof StoreError && err.code === 'UNAVAILABLE', String(err));
        return true;
      });
      holder.exec('ROLLBACK');
      const m = await appendMessage(store, { mailboxId: box.id, raw: message('after the lock') });
      assert.deepEqual(await listUids(store, box.id), [m.uid]);
    } finally {
      holder.close();
      await closeStore(store);
      await f.cleanup();
    }
  });

  // PostgreSQL only: the server ends the store's connections in the middle of a write.
  engineTest('postgres', 'PostgreSQL: a connection lost during a write fails with UNAVAILABLE, nothing is half-stored, and the pool recovers', async () => {
    const f = await storeFixture();
    const box = (await findMailbox(f.store, f.account.id, 'INBOX'))!;
    const admin = new pg.Client({ connectionString: f.location, ...PG_CLIENT_DEADLINES });
    await admin.connect();
    try {
      // Hold the mailbox row so the append stops inside its transaction, then cut the store off.
      await admin.query('BEGIN');
      await admin.query('SELECT id FROM mail_box WHERE id = $1 FOR UPDATE', [box.id]);
      const append = appendMessage(f.store, { mailboxId: box.id, raw: message('cut off') });
      const outcome = append.then(
        () => null,
        (err: unknown) => err,
      );
      await eventually(async () => {
        const { rows } = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'heron' AND wait_event_type = 'Lock'`);
        return rows[0].n > 0;
      }, 'the append to wait on the row lock');
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'heron'`);
      const err = await outcome;
      assert.ok(err instanceof StoreError && err.code === 'UNAVAILABLE', String(err));
      await admin.query('ROLLBACK');
      assert.equal((await admin.query('SELECT count(*)::int AS n FROM mail WHERE mail_box_id = $1', [box.id])).rows[0].n, 0);
      assert.equal((await admin.query('SELECT count(*)::int AS n FROM mail_raw')).rows[0].n, 0);
      const m = await appendMessage(f.store, { mailboxId: box.id, raw: message('after the cut') });
      assert.deepEqual(await listUids(f.store, box.id), [m.uid]);
    } finally {
      await admin.end();
      await f.cleanup();
    }
  });
});
