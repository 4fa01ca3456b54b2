// A Heron process killed (SIGKILL) after a change committed and while its
// webhook POST waits for an answer: on restart the event is sent again, with
// the same event id and the same bytes, so nothing is lost and the receiver
// can de-duplicate. HERON_WEBHOOK_URL turns webhooks on at the first start.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { eventually, nextEvent, SLOW_WAIT_MS } from '../../helpers/deadline.ts';
import { type HeronProcess, startHeronProcess } from '../../helpers/heron-process.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, tempDir } from '../../helpers/heron.ts';
import { WebhookReceiver } from '../../helpers/webhook-receiver.ts';
import { Api, buildWorld } from '../client.ts';

const receiver = await WebhookReceiver.start();
const dataDir = tempDir();
let heron: HeronProcess | undefined;
after(async () => {
  await heron?.stop();
  await receiver.close();
  removeDir(dataDir);
});

const env = { HERON_WEBHOOK_URL: receiver.url, HERON_WEBHOOK_TIMEOUT_SECONDS: '1', HERON_WEBHOOK_RETRY_MIN_SECONDS: '0.2' };

test('kill -9 between commit and the answer to the POST: the event arrives after restart with the same id', { timeout: SLOW_WAIT_MS * 2 }, async () => {
  receiver.mode = 'hold';
  heron = await startHeronProcess(dataDir, { env });
  // Two accounts and a message in each (JSON:API creates): two messageNew events, in two mailboxes.
  const world = await buildWorld(new Api(`http://127.0.0.1:${heron.ports.api}`));
  await eventually(() => receiver.held.length >= 1, 'a webhook POST in flight');
  const exited = nextEvent(heron.child, 'exit', 'heron exit');
  heron.kill();
  await exited;
  const held = [...receiver.held];
  assert.ok(held.every((h) => h.body.event === 'messageNew'));
  assert.equal(receiver.received.length, 0, 'nothing was answered before the kill');

  receiver.mode = 'ok';
  heron = await startHeronProcess(dataDir, { env });
  const a = new Api(`http://127.0.0.1:${heron.ports.api}`);
  await eventually(() => receiver.of('messageNew').length >= 2, () => `both messageNew events; got ${receiver.received.length}`, SLOW_WAIT_MS);
  for (const h of held) {
    const again = receiver.received.find((r) => r.body.eventId === h.body.eventId);
    assert.ok(again, `event ${h.body.eventId} arrived after the restart`);
    assert.equal(again.raw, h.raw, 'the same bytes, so the same signature');
    assert.equal(again.headers['x-ee-wh-signature'], h.headers['x-ee-wh-signature']);
    assert.ok(Number(again.headers['x-ee-wh-attempts-made']) >= 2);
  }
  const subjects = receiver.of('messageNew').map((r) => r.body.data.subject).sort();
  assert.deepEqual([...new Set(subjects)], ['Other mail', 'Owner mail']);
  const admin = await a.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
  const history = await eventually(async () => {
    const page = (await a.get('/v1/webhooks/deliveries', admin)).body as { deliveries: Array<{ status: string; attempts: number; id: string }> };
    return page.deliveries.every((d) => d.status === 'delivered') ? page : undefined;
  }, 'every delivery recorded');
  assert.ok(history.deliveries.find((d) => d.id === held[0].body.eventId)!.attempts >= 2);
  assert.ok(world.ownerMailId);
});
