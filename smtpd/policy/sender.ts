// MAIL FROM policy: listeners that require authentication refuse an
// unauthenticated transaction (530 5.7.0), and an authenticated account may
// send only as its own address or one of its aliases (553 5.7.1).
import { mayAccountSendAs, type Store } from '../../schema/index.ts';
import { smtpError } from '../enhanced-codes.ts';
import type { SessionUser } from '../session-state.ts';

export async function checkSender(store: Store, user: SessionUser | null, authRequired: boolean, address: string): Promise<void> {
  if (!user) {
    if (authRequired) throw smtpError(530, '5.7.0', 'Authentication required');
    return;
  }
  if (!address || !(await mayAccountSendAs(store, user.accountId, address))) {
    throw smtpError(553, '5.7.1', `<${address}>: sender address not owned by ${user.username}`);
  }
}
