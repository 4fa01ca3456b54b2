// Outbound results as webhooks (EmailEngine's messageSent, messageDeliveryError,
// messageFailed), written in the same transaction as the attempt's result and
// received by a real HTTP receiver on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { updateWebhookSettings } from '../../schema/index.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { type RelayWorld, startRelayWorld } from './helpers.ts';

describe('outbound webhooks', () => {
  let world: RelayWorld;
  let receiver: WebhookReceiver;

  before(async () => {
    world = await startRelayWorld(new Map([['remote.test', { mx: [{ exchange: 'mx.remote.test', priority: 10 }] }], ['mx.remote.test', { a: ['127.0.0.1'] }]]));
    receiver = await WebhookReceiver.start();
    await updateWebhookSettings(world.heron.store, { enabled: true, url: receiver.url });
  });
  after(async () => {
    await world.stop();
    await receiver.close();
  });

  const relay = (recipients: string[], subject: string) =>
    world.heron.relay({
      accountId: world.alice.id,
      username: world.alice.username,
      envelopeFrom: world.alice.username,
      recipients,
      raw: Buffer.from(`From: alice@heron.test\r\nTo: ${recipients.join(', ')}\r\nSubject: ${subject}\r\n\r\nHello.\r\n`),
    });

  it('messageSent for accepted recipients, messageFailed for refused ones, each once', async () => {
    world.sink.rcptPolicy = (address) => (address === 'nobody@remote.test' ? { code: 550, message: '5.1.1 no such user' } : null);
    const { queueIds, messageId } = await relay(['carol@remote.test', 'nobody@remote.test'], 'mixed');
    const sent = await receiver.waitFor((h) => h.body.event === 'messageSent' && h.body.data.queueId === queueIds[0], 'messageSent');
    assert.equal(sent.body.account, 'alice@heron.test');
    assert.equal(sent.body.path, undefined);
    assert.equal(sent.body.data.messageId, messageId);
    assert.deepEqual(sent.body.data.envelope, { from: 'alice@heron.test', to: ['carol@remote.test'] });
    assert.match(sent.body.data.response, /^250/);
    const failed = await receiver.waitFor((h) => h.body.event === 'messageFailed' && h.body.data.queueId === queueIds[0], 'messageFailed');
    assert.deepEqual(failed.body.data.envelope.to, ['nobody@remote.test']);
    assert.equal(failed.body.data.smtpResponseCode, 550);
    assert.match(failed.body.data.error, /no such user/);
    const ofRow = (event: string) => receiver.received.filter((h) => h.body.event === event && h.body.data.queueId === queueIds[0]);
    assert.equal(ofRow('messageSent').length, 1);
    assert.equal(ofRow('messageFailed').length, 1);
    world.sink.rcptPolicy = () => null;
  });

  it('messageDeliveryError for a deferral (with the next attempt), then messageSent', async () => {
    world.sink.rcptPolicy = (address, attempt) => (address === 'later@remote.test' && attempt === 1 ? { code: 451, message: '4.3.0 try again' } : null);
    const { queueIds } = await relay(['later@remote.test'], 'deferred');
    const deferred = await receiver.waitFor((h) => h.body.event === 'messageDeliveryError' && h.body.data.queueId === queueIds[0], 'messageDeliveryError');
    assert.equal(deferred.body.data.smtpResponseCode, 451);
    assert.deepEqual(deferred.body.data.envelope.to, ['later@remote.test']);
    assert.equal(deferred.body.data.job.attemptsMade, 1);
    assert.ok(Number.isFinite(Date.parse(deferred.body.data.job.nextAttempt)));
    await receiver.waitFor((h) => h.body.event === 'messageSent' && h.body.data.queueId === queueIds[0], 'messageSent after the retry');
    // Order kept per account: the deferral came first.
    const events = receiver.received.filter((h) => h.body.data.queueId === queueIds[0]).map((h) => h.body.event);
    assert.deepEqual(events, ['messageDeliveryError', 'messageSent']);
    world.sink.rcptPolicy = () => null;
  });
});
