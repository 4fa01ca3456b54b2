// Turns an accepted SMTP transaction into stored mail: scores inbound mail
// (SPF/DKIM/DMARC), prepends Received and Authentication-Results, files each
// local recipient's copy by score, and stores every copy in ONE deliverMessage
// call, so all recipients get the message or none does. Relay recipients of an
// authenticated sender go to the RelayHandler first (a refusal there leaves
// nothing stored; a local storage failure after a successful hand-off is the
// one case where a retry can duplicate the remote copy).
import crypto from 'node:crypto';
import type { DNSResolver } from 'mailauth';
import { accountQuota, deliverMessage, findSpecialMailbox, type DeliveryCopy, parseHeaderFields, quotaHasRoom, type Store, StoreError } from '../schema/index.ts';
import type { SpamWeights } from '../server/config.ts';
import { withoutBcc } from './bcc.ts';
import type { RelayHandler } from './relay.ts';
import { checkAuthentication } from './scoring/authenticate.ts';
import { type ReceivedInfo, receivedCount, receivedHeader, stripForgedResults } from './scoring/headers.ts';
import { destinationFor, spamScore } from './scoring/score.ts';
import type { SessionUser, Transaction } from './session-state.ts';
import { smtpError } from './enhanced-codes.ts';

export interface DeliveryDeps {
  store: Store;
  hostname: string;
  /** Every hostname Heron answers as; forged Authentication-Results naming one are removed. */
  ownNames: () => ReadonlySet<string>;
  resolver: DNSResolver;
  spam: SpamWeights;
  maxHops: number;
  relay?: RelayHandler;
}

export interface Arrival {
  raw: Buffer;
  tx: Transaction;
  user: SessionUser | null;
  envelopeFrom: string;
  clientAddress: string;
  helo: string;
  secure: boolean;
  tlsProtocol: string | null;
}

export interface DeliveryOutcome {
  id: string;
  spamScore: number;
  localCopies: number;
  relayQueueIds: string[];
}

/**
 * RFC 3463 X.2.2 / RFC 5321 §4.2.3 552: the DATA reply covers every recipient
 * of the transaction, so a message one full mailbox cannot take is refused whole.
 */
function overQuota(recipient: string | undefined): Error {
  return smtpError(552, '5.2.2', `<${recipient ?? ''}>: mailbox full (quota exceeded); nothing was stored`);
}

/** RFC 3848 "with" keywords. */
function protocolName(secure: boolean, authenticated: boolean): ReceivedInfo['protocol'] {
  if (secure) return authenticated ? 'ESMTPSA' : 'ESMTPS';
  return authenticated ? 'ESMTPA' : 'ESMTP';
}

export async function deliver(deps: DeliveryDeps, a: Arrival): Promise<DeliveryOutcome> {
  const fields = parseHeaderFields(a.raw);
  // RFC 5321 §6.3: a message that has passed through too many hosts is looping.
  if (receivedCount(fields) >= deps.maxHops) throw smtpError(554, '5.4.6', `Too many hops (${receivedCount(fields)} Received headers): mail loop`);
  const id = crypto.randomBytes(9).toString('base64url');
  const body = stripForgedResults(a.raw, deps.ownNames());
  let score = 0;
  let results: string;
  if (a.user) {
    // RFC 8601 §2.7.4: results of SMTP AUTH; no SPF/DKIM for our own users' submissions.
    results = `Authentication-Results: ${deps.hostname}; auth=pass smtp.auth=${a.user.username}\r\n`;
  } else {
    const check = await checkAuthentication({
      raw: body,
      ip: a.clientAddress,
      helo: a.helo,
      sender: a.envelopeFrom,
      mta: deps.hostname,
      resolver: deps.resolver,
    });
    score = spamScore(check.verdicts, deps.spam);
    results = check.headers;
  }
  const recipients = [...a.tx.local.keys(), ...a.tx.relay];
  const received = receivedHeader({
    helo: a.helo,
    clientHostname: '',
    clientAddress: a.clientAddress,
    by: deps.hostname,
    protocol: protocolName(a.secure, !!a.user),
    tls: a.tlsProtocol,
    id,
    recipient: recipients.length === 1 ? recipients[0] : null,
    date: new Date(),
  });
  // A submission's Bcc is for the sender's eyes only: no recipient's copy shows it.
  const delivered = a.user ? withoutBcc(body) : body;
  // Local copies carry our Authentication-Results. For our own users' submissions
  // it is the only sign that the sender authenticated (they are not SPF/DKIM
  // checked), recipients' filters can trust it (forged ones naming us are
  // removed above), and the login it names stays on this server.
  const raw = Buffer.concat([Buffer.from(received + results, 'latin1'), delivered]);

  const destination = destinationFor(score, deps.spam);
  const copies: DeliveryCopy[] = [];
  const seen = new Set<number>();
  for (const [address, accountId] of a.tx.local) {
    if (seen.has(accountId)) continue; // two aliases of one account: one copy
    seen.add(accountId);
    const box = await findSpecialMailbox(deps.store, accountId, destination === 'junk' ? '\\Junk' : 'INBOX');
    copies.push({ mailboxId: box.id, recipient: address, flags: destination === 'inbox' ? [] : ['$Junk'] });
    // Checked before the relay hand-off so that a full mailbox queues nothing remote,
    // and to name the full one among several; the binding check is the store's, in
    // the delivering transaction (caught below), and all there is for one local recipient.
    if ((a.tx.relay.length > 0 || a.tx.local.size > 1) && !quotaHasRoom(await accountQuota(deps.store, accountId), raw.length)) throw overQuota(address);
  }
  // Relay first: the handler may refuse (no DKIM key, bad address) and then nothing is stored.
  let relayQueueIds: string[] = [];
  if (a.tx.relay.length && a.user) {
    if (!deps.relay) throw smtpError(451, '4.3.2', 'Outbound delivery is not available; try again later');
    try {
      const queued = await deps.relay({
        accountId: a.user.accountId,
        username: a.user.username,
        envelopeFrom: a.envelopeFrom,
        recipients: a.tx.relay,
        // Without Authentication-Results: relayed mail must not tell the world the
        // sender's login, and results are for the receiving ADMD to produce (RFC 8601 §5).
        // With Bcc: the handler removes it from what it sends and keeps it in the Sent copy.
        raw: Buffer.concat([Buffer.from(received, 'latin1'), body]),
        clientAddress: a.clientAddress,
      });
      relayQueueIds = queued.queueIds;
    } catch (err) {
      throw Object.assign(smtpError(451, '4.3.0', 'Could not queue the message for remote recipients; try again later'), { cause: err });
    }
  }
  if (copies.length) {
    try {
      await deliverMessage(deps.store, {
        raw,
        copies,
        meta: { returnPath: a.envelopeFrom, ipAddr: a.clientAddress, isTls: a.secure, spamScore: score, spam: score > deps.spam.flagAbove },
      });
    } catch (err) {
      if (err instanceof StoreError && err.code === 'OVERQUOTA') throw Object.assign(overQuota(copies.map((c) => c.recipient).join('>, <')), { cause: err });
      throw Object.assign(smtpError(451, '4.3.0', 'Local storage failed; nothing was stored, try again later'), { cause: err });
    }
  }
  return { id, spamScore: score, localCopies: copies.length, relayQueueIds };
}
