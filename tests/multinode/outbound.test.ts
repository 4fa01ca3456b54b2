// The outbound queue worked by two nodes at once: every row is claimed by one
// worker (FOR UPDATE SKIP LOCKED, leases), so each message reaches the
// destination exactly once, and both nodes take part.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listOutbox, type MailAccountRow } from '../../schema/index.ts';
import type { Stats } from '../../server/stats.ts';
import { engineDescribe } from '../helpers/database.ts';
import { eventually, type LoopbackDns, outboundEnv, publishDkimKey, type SmtpSink, startDns, startSink, userWithMailbox } from '../outbound/helpers.ts';
import { type Node, type Nodes, startNodes } from './nodes.ts';

engineDescribe('postgres', 'two nodes on one database: the outbound queue', () => {
  let dns: LoopbackDns;
  let sink: SmtpSink;
  let cluster: Nodes;
  let alice: MailAccountRow;

  before(async () => {
    dns = await startDns(
      new Map([
        ['remote.test', { mx: [{ exchange: 'mx.remote.test', priority: 10 }] }],
        ['mx.remote.test', { a: ['127.0.0.1'] }],
      ]),
    );
    // A slow destination: deliveries overlap, so both nodes' workers have rows in flight.
    sink = await startSink({ dataDelayMs: 100 });
    cluster = await startNodes(2, outboundEnv(dns, sink.port));
    alice = (await userWithMailbox(cluster.nodes[0].store, 'alice')).account;
    await publishDkimKey(cluster.nodes[0], dns);
  });
  after(async () => {
    await cluster?.stop();
    await sink?.close();
    await dns?.close();
  });

  const sent = (node: Node) => (node.apiDeps.activity!.stats as Stats).snapshot().totals.outbound.sent;

  test('messages queued on both nodes are each delivered exactly once, by workers on both', async () => {
    const count = 40;
    const subjects = Array.from({ length: count }, (_, i) => `queued ${i}`);
    // Queued through either node (what SMTP submission and the REST send call).
    const queued = await Promise.all(
      subjects.map((subject, i) =>
        cluster.nodes[i % 2].relay({
          accountId: alice.id,
          username: alice.username,
          envelopeFrom: alice.username,
          recipients: [`rcpt${i}@remote.test`],
          raw: Buffer.from(`From: Alice <alice@heron.test>\r\nTo: rcpt${i}@remote.test\r\nSubject: ${subject}\r\n\r\nHello.\r\n`),
        }),
      ),
    );
    const ids = new Set(queued.flatMap((q) => q.queueIds));
    assert.equal(ids.size, count);
    await eventually(async () => {
      const rows = (await listOutbox(cluster.nodes[1].store)).filter((r) => ids.has(r.reference_id));
      return rows.every((r) => r.status === 'sent');
    }, 'every row sent', 60_000);
    for (const subject of subjects) {
      const copies = sink.messages.filter((m) => m.raw.toString().includes(`Subject: ${subject}\r\n`));
      assert.equal(copies.length, 1, `${subject} delivered once`);
    }
    const [byA, byB] = cluster.nodes.map(sent);
    assert.equal(byA + byB, count, 'one attempt per row in all');
    assert.ok(byA > 0 && byB > 0, `both nodes delivered (A ${byA}, B ${byB})`);
  });
}, { timeout: 180_000 });
