// kill -9 of one node while both take a stream of SMTP deliveries: every
// message that got its 250 is in the mailbox exactly once (a 250 follows the
// commit), none is stored twice, the other node keeps serving, and the dead
// node's IMAP session slots stop counting once its lease runs out.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeStore, openStore, type Store } from '../../schema/index.ts';
import type { HeronProcess } from '../helpers/heron-process.ts';
import { engineDescribe, testDatabaseUrl } from '../helpers/database.ts';
import { RawClient } from '../imap/raw-client.ts';
import { RawSmtp } from '../smtp/client.ts';
import { account, eventually, mail, startChildNodes } from './nodes.ts';

const PASSWORD = 'node password 3';

engineDescribe(
  'postgres',
  'two node processes on one database: kill -9 of one under load',
  () => {
    let cluster: Awaited<ReturnType<typeof startChildNodes>>;
    let a: HeronProcess;
    let b: HeronProcess;
    let store: Store;

    before(async () => {
      cluster = await startChildNodes(2, { HERON_NODE_LEASE_SECONDS: '2', HERON_IMAP_MAX_CONNECTIONS_PER_USER: '2' });
      [a, b] = cluster.nodes;
      store = await openStore(testDatabaseUrl(cluster.dataDir)!);
    });
    after(async () => {
      await closeStore(store);
      await cluster?.stop();
    });

    test('every acknowledged message is stored exactly once; the surviving node goes on; the dead one\'s IMAP slots expire', async () => {
      const hank = await account(store, 'hank', PASSWORD);
      const gina = await account(store, 'gina', PASSWORD);

      // Gina's two IMAP slots (her cap) are both held on node A.
      const held: RawClient[] = [];
      for (let i = 0; i < 2; i++) {
        const c = await RawClient.connect(a.ports.imaps, { tls: true });
        assert.match(await c.command('L1', `LOGIN ${gina.username} "${PASSWORD}"`), /L1 OK/);
        held.push(c);
      }
      const refused = await RawClient.connect(b.ports.imaps, { tls: true });
      assert.match(await refused.command('L1', `LOGIN ${gina.username} "${PASSWORD}"`), /L1 NO \[LIMIT\]/);
      refused.close();

      const acked = { A: new Set<string>(), B: new Set<string>() };
      let stopB = false;
      const stream = async (node: HeronProcess, name: 'A' | 'B', session: number) => {
        const c = await RawSmtp.connect(node.ports.submissions, { implicitTls: true });
        await c.hello();
        assert.equal((await c.authPlain(hank.username, PASSWORD)).code, 235);
        for (let i = 0; !(name === 'B' && stopB); i++) {
          const subject = `stream ${name}${session} ${i}`;
          try {
            if ((await c.cmd(`MAIL FROM:<${hank.username}>`)).code !== 250) break;
            if ((await c.cmd(`RCPT TO:<${hank.username}>`)).code !== 250) break;
            if ((await c.cmd('DATA')).code !== 354) break;
            c.write(mail(subject, hank.username) + '.\r\n');
            const reply = await c.reply();
            if (reply.code === 250) acked[name].add(subject);
          } catch {
            return; // the node is gone: what was not acknowledged may or may not be stored
          }
        }
        await c.quit();
      };
      const streams = [0, 1, 2, 3].map((s) => stream(a, 'A', s)).concat([0, 1].map((s) => stream(b, 'B', s)));

      await eventually('node A acknowledged a few messages', () => acked.A.size >= 20, 60_000);
      a.kill();
      await eventually('node A is gone', () => !a.alive());
      const bBefore = acked.B.size;
      await eventually('node B acknowledges more after the kill', () => acked.B.size >= bBefore + 20, 60_000);
      stopB = true;
      await Promise.all(streams);

      const stored = await store.column<string>(`SELECT subject FROM mail WHERE mail_box_id = ?`, hank.inboxId);
      const counts = new Map<string, number>();
      for (const subject of stored) counts.set(subject, (counts.get(subject) ?? 0) + 1);
      for (const [subject, n] of counts) assert.equal(n, 1, `${subject} stored once`);
      for (const subject of [...acked.A, ...acked.B]) assert.equal(counts.get(subject), 1, `acknowledged ${subject} is stored`);

      // Node B serves IMAP as before and sees everything.
      const onB = await RawClient.connect(b.ports.imaps, { tls: true });
      assert.match(await onB.command('L1', `LOGIN ${hank.username} "${PASSWORD}"`), /L1 OK/);
      assert.match(await onB.command('S1', 'SELECT INBOX'), new RegExp(`\\* ${stored.length} EXISTS`));
      onB.close();

      // Node A's sessions no longer count once its lease (2 s here) has run out.
      for (const c of held) c.close();
      await eventually('gina logs in on node B', async () => {
        const c = await RawClient.connect(b.ports.imaps, { tls: true });
        try {
          return /L1 OK/.test(await c.command('L1', `LOGIN ${gina.username} "${PASSWORD}"`));
        } finally {
          c.close();
        }
      });
    });
  },
  { timeout: 240_000 },
);
