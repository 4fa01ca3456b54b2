// What clients see when the database fails in the middle of a write: IMAP
// `NO [UNAVAILABLE]`, SMTP `451 4.3.0`, nothing half-stored, and the next
// attempt works without a restart. SQLite: another process holds the file's
// write lock past the wait allowed; PostgreSQL: the server ends Heron's
// connections while the write waits inside its transaction.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createMailAccount, findMailbox, findMailServerByHostname, listUids } from '../../schema/index.ts';
import type { Heron } from '../../server/heron.ts';
import { TEST_ENGINE } from '../helpers/database.ts';
import { eventually, PG_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';
import { loggedIn } from '../imap/raw-client.ts';
import { RawSmtp } from '../smtp/client.ts';

const USER = `carol@${TEST_HOSTNAME}`;
const PASSWORD = 'carol password 1';

function message(subject: string): string {
  return `From: carol@${TEST_HOSTNAME}\r\nTo: ${USER}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@heron.test>\r\n\r\nHello.\r\n`;
}


describe(`a database that fails during a write (${TEST_ENGINE})`, { timeout: 120_000 }, () => {
  let heron: Heron & { dataDir: string };
  let boxId: number;

  before(async () => {
    heron = await startTestHeron();
    const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
    const account = await createMailAccount(heron.store, { username: USER, password: PASSWORD, mailServerId: server!.id });
    boxId = (await findMailbox(heron.store, account.id, 'INBOX'))!.id;
  });
  after(async () => {
    await heron.stop();
    removeDir(heron.dataDir);
  });

  /** Runs `write` (a client command that stores into INBOX) while the database fails under it. */
  async function failing<T>(write: () => Promise<T>): Promise<T> {
    if (TEST_ENGINE === 'sqlite') {
      const holder = new Database(heron.config.databaseFile);
      try {
        holder.exec('BEGIN IMMEDIATE');
        return await write();
      } finally {
        if (holder.inTransaction) holder.exec('ROLLBACK');
        holder.close();
      }
    }
    const admin = new pg.Client({ connectionString: heron.config.databaseUrl, ...PG_CLIENT_DEADLINES });
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query('SELECT id FROM mail_box WHERE id = $1 FOR UPDATE', [boxId]);
      const result = write();
      await eventually(async () => {
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'heron' AND wait_event_type = 'Lock'`,
        );
        return rows[0].n > 0;
      }, 'the write to wait on the row lock');
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'heron'`);
      return await result;
    } finally {
      await admin.query('ROLLBACK').catch(() => undefined);
      await admin.end();
    }
  }

  test('IMAP APPEND answers NO [UNAVAILABLE]; the session stays usable and the next APPEND is stored', async () => {
    const c = await loggedIn(heron.ports.imaps, USER, PASSWORD);
    try {
      const before = await listUids(heron.store, boxId);
      const raw = message('imap cut off');
      const reply = await failing(() => c.command('A1', `APPEND INBOX {${raw.length}+}\r\n${raw}`));
      assert.match(reply, /^A1 NO \[UNAVAILABLE\] /m);
      assert.deepEqual(await listUids(heron.store, boxId), before);
      const again = await c.command('A2', `APPEND INBOX {${raw.length}+}\r\n${raw}`);
      assert.match(again, /^A2 OK \[APPENDUID \d+ \d+\]/m);
      assert.equal((await listUids(heron.store, boxId)).length, before.length + 1);
    } finally {
      c.close();
    }
  });

  test('SMTP DATA answers 451 4.3.0 and stores nothing; the next message is accepted', async () => {
    const c = await RawSmtp.connect(heron.ports.submissions, { implicitTls: true });
    try {
      await c.hello();
      assert.equal((await c.authPlain(USER, PASSWORD)).code, 235);
      const before = await listUids(heron.store, boxId);
      const send = async (subject: string) => {
        assert.equal((await c.cmd(`MAIL FROM:<${USER}>`)).code, 250);
        assert.equal((await c.cmd(`RCPT TO:<${USER}>`)).code, 250);
        assert.equal((await c.cmd('DATA')).code, 354);
        c.write(message(subject) + '.\r\n');
        return c.reply();
      };
      const refused = await failing(() => send('smtp cut off'));
      assert.match(refused.text, /^451 4\.3\.0 /);
      assert.deepEqual(await listUids(heron.store, boxId), before);
      assert.match((await send('smtp after')).text, /^250 /);
      assert.equal((await listUids(heron.store, boxId)).length, before.length + 1);
    } finally {
      await c.quit();
    }
  });
});
