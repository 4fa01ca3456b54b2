// MAIL FROM policy: listeners that require authentication refuse an
// unauthenticated transaction (530 5.7.0), and an authenticated account may
// send only as its own address or one of its aliases (553 5.7.1). A sender
// address follows the one address rule (envelope-address.ts); the null
// reverse-path <> is fine without authentication.
import { mayAccountSendAs, type Store } from '../../schema/index.ts';
import { smtpError } from '../enhanced-codes.ts';
import type { SessionUser } from '../session-state.ts';
import { parseEnvelopeAddress } from './envelope-address.ts';

export async function checkSender(store: Store, user: SessionUser | null, authRequired: boolean, address: string, smtpUtf8: boolean): Promise<void> {
  if (!user && authRequired) throw smtpError(530, '5.7.0', 'Authentication required');
  const sender = address ? parseEnvelopeAddress(address, 'sender', smtpUtf8) : null;
  if (!user) return;
  if (!sender || !(await mayAccountSendAs(store, user.accountId, sender.key))) {
    throw smtpError(553, '5.7.1', `<${address}>: sender address not owned by ${user.username}`);
  }
}
