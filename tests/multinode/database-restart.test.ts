// The database goes away under two nodes and comes back (a PostgreSQL restart
// on a cluster of this file's own): while it is down, commands that need it get
// `NO [UNAVAILABLE]` and SMTP `451 4.3.0`, nothing crashes; once it is back the
// same sessions work again without a restart, and an IDLE session hears of new
// mail again (the change feed reconnects and announces a resync).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { appendMessage } from '../../schema/index.ts';
import { engineDescribe, type OwnCluster, startOwnCluster } from '../helpers/database.ts';
import { loggedIn, RawClient } from '../imap/raw-client.ts';
import { RawSmtp } from '../smtp/client.ts';
import { account, eventually, idle, mail, type Node, type Nodes, startNodes } from './nodes.ts';

const PASSWORD = 'node password 4';

engineDescribe(
  'postgres',
  'two nodes while their database restarts',
  () => {
    let pg: OwnCluster;
    let cluster: Nodes;
    let a: Node;
    let b: Node;

    before(async () => {
      pg = await startOwnCluster();
      cluster = await startNodes(2, {}, pg.url);
      [a, b] = cluster.nodes;
    });
    after(async () => {
      await cluster?.stop();
      await pg?.remove();
    });

    test('commands fail with NO [UNAVAILABLE] / 451 4.3.0 while it is down; sessions, IDLE and new logins work again after', async () => {
      const ivy = await account(a.store, 'ivy', PASSWORD);
      await appendMessage(a.store, { mailboxId: ivy.inboxId, raw: Buffer.from(mail('before the restart', ivy.username)) });
      const onA = await loggedIn(a.ports.imaps, ivy.username, PASSWORD);
      assert.match(await onA.command('S1', 'SELECT INBOX'), /\* 1 EXISTS/);
      const waiting = await idle(onA);
      const onB = await loggedIn(b.ports.imaps, ivy.username, PASSWORD);
      assert.match(await onB.command('S1', 'SELECT INBOX'), /\* 1 EXISTS/);
      const smtp = await RawSmtp.connect(b.ports.submissions, { implicitTls: true });
      await smtp.hello();
      assert.equal((await smtp.authPlain(ivy.username, PASSWORD)).code, 235);
      const raw = mail('during the outage', ivy.username);

      await pg.halt();
      try {
        assert.match(await onB.command('F1', 'FETCH 1 (FLAGS)'), /F1 NO \[UNAVAILABLE\] /);
        assert.match(await onB.command('A1', `APPEND INBOX {${raw.length}+}\r\n${raw}`), /A1 NO \[UNAVAILABLE\] /);
        const fresh = await RawClient.connect(b.ports.imaps, { tls: true });
        assert.match(await fresh.command('L1', `LOGIN ${ivy.username} "${PASSWORD}"`), /L1 NO \[UNAVAILABLE\] /);
        fresh.close();
        const freshSmtp = await RawSmtp.connect(b.ports.submissions, { implicitTls: true });
        await freshSmtp.hello();
        assert.match((await freshSmtp.authPlain(ivy.username, PASSWORD)).text, /^454 4\.7\.0 /);
        await freshSmtp.quit();
        // The sender check needs the database: a temporary refusal, the client keeps the message.
        assert.match((await smtp.cmd(`MAIL FROM:<${ivy.username}>`)).text, /^451 4\.3\.0 /);
      } finally {
        await pg.resume();
      }

      // The same sessions, no restart: the pools reconnect by themselves.
      await eventually('node B reads the database again', async () => /F2 OK/.test(await onB.command('F2', 'FETCH 1 (FLAGS)')), 30_000);
      assert.match(await onB.command('A2', `APPEND INBOX {${raw.length}+}\r\n${raw}`), /A2 OK \[APPENDUID/);
      // The IDLE session on node A hears of it (its change feed came back and resynced).
      await waiting.until((t) => /\* 2 EXISTS\r\n/.test(t));
      await waiting.done();
      assert.equal((await smtp.cmd(`MAIL FROM:<${ivy.username}>`)).code, 250);
      assert.equal((await smtp.cmd(`RCPT TO:<${ivy.username}>`)).code, 250);
      assert.equal((await smtp.cmd('DATA')).code, 354);
      smtp.write(mail('after the outage', ivy.username) + '.\r\n');
      assert.equal((await smtp.reply()).code, 250);
      await smtp.quit();
      const again = await loggedIn(a.ports.imaps, ivy.username, PASSWORD);
      assert.match(await again.command('S1', 'SELECT INBOX'), /\* 3 EXISTS/);
      for (const c of [onA, onB, again]) c.close();
    });
  },
  { timeout: 240_000 },
);
