// The RelayHandler the SMTP submission listener calls for non-local recipients
// of an authenticated session (contract in smtpd/relay.ts). It resolves only
// after the outbox rows are committed, so the listener's 250 is never early.
import type { RelayHandler } from '../relay.ts';
import type { OutboundDeps } from './deps.ts';
import { fileSentCopy, prepareOutgoing, queueForDelivery } from './queue.ts';

export function createRelayHandler(deps: OutboundDeps): RelayHandler {
  return async (request) => {
    const { raw, sentRaw, messageId } = await prepareOutgoing(deps, request.raw, request.username);
    const rows = await queueForDelivery(deps, {
      accountId: request.accountId,
      envelopeFrom: request.envelopeFrom,
      recipients: request.recipients,
      raw,
      messageId,
    });
    if (deps.settings.sentCopy) {
      // The message is already committed; a failing Sent copy must not turn the 250 into an error.
      await fileSentCopy(deps, request.accountId, sentRaw).catch((err: unknown) =>
        deps.log.warn({ err, accountId: request.accountId }, 'could not file the Sent copy'),
      );
    }
    deps.log.info({ messageId, queueIds: rows.map((r) => r.reference_id), client: request.clientAddress }, 'relayed message queued');
    return { queueIds: rows.map((r) => r.reference_id), messageId };
  };
}
