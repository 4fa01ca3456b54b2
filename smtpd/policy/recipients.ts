// RCPT TO policy. A hosted domain (a mail_server hostname or an added
// mail_domain) with an existing account or alias is local; a hosted domain
// without that address is 550 5.1.1; any other domain is relay, which needs an
// authenticated sender (554 5.7.1 otherwise, from every address including
// loopback) and an outbound queue (451 4.3.2 until one is wired in).
// Addresses follow the one address rule (envelope-address.ts).
import { findHostingServer, quotaHasRoom, quotaOfAccount, resolveLocalAddress, type Store } from '../../schema/index.ts';
import { smtpError } from '../enhanced-codes.ts';
import type { SessionUser, Transaction } from '../session-state.ts';
import { parseEnvelopeAddress } from './envelope-address.ts';

export interface RecipientContext {
  store: Store;
  user: SessionUser | null;
  relayAvailable: boolean;
  maxRecipients: number;
  /** The listener's host name: where the domainless `postmaster` goes. */
  hostname: string;
  /** MAIL FROM carried SMTPUTF8 (RFC 6531). */
  smtpUtf8: boolean;
  /** MAIL FROM's SIZE= (RFC 1870), 0 when not declared. */
  declaredSize: number;
}

export async function acceptRecipient(ctx: RecipientContext, tx: Transaction, address: string): Promise<void> {
  if (tx.local.size + tx.relay.length >= ctx.maxRecipients) {
    throw smtpError(452, '4.5.3', `Too many recipients (at most ${ctx.maxRecipients} per message)`);
  }
  // RFC 5321 §4.1.1.3: the domainless "postmaster" must be accepted.
  const rcpt = parseEnvelopeAddress(address.toLowerCase() === 'postmaster' ? `postmaster@${ctx.hostname}` : address, 'recipient', ctx.smtpUtf8);
  if (await findHostingServer(ctx.store, rcpt.domain)) {
    const account = await resolveLocalAddress(ctx.store, rcpt.key);
    if (!account) throw smtpError(550, '5.1.1', `<${address}>: no such user here`);
    // RFC 9208 §4.3 / RFC 3463 X.2.2: refuse only this recipient when it is full already (or SIZE= does not fit).
    if (!quotaHasRoom(quotaOfAccount(account), ctx.declaredSize)) {
      throw smtpError(552, '5.2.2', `<${address}>: mailbox full (quota exceeded)`);
    }
    tx.local.set(rcpt.key, account.id);
    return;
  }
  if (!ctx.user) throw smtpError(554, '5.7.1', `<${address}>: Relay access denied; authenticate to send to other domains`);
  if (!ctx.relayAvailable) {
    throw smtpError(451, '4.3.2', `<${address}>: outbound delivery is not available on this server yet; try again later`);
  }
  if (!tx.relay.includes(rcpt.address)) tx.relay.push(rcpt.address);
}
