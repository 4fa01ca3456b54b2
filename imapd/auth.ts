// Shared by LOGIN and AUTHENTICATE: throttle, check the password, cap
// connections per account, move to the authenticated state.
import { findMailServerById } from '../schema/index.ts';
import type { Completion } from './commands/command.ts';
import { ImapResponse } from './response.ts';
import type { Session } from './session.ts';

export async function authenticate(session: Session, username: string, password: string): Promise<Completion> {
  const { store, throttle } = session.deps;
  const outcome = await throttle.attempt(session.remoteAddress, username, () => session.deps.loginCache.verify(store, username, password));
  if (outcome.kind === 'refused') {
    session.deps.stats?.authFailed('imap', session.remoteAddress, username, true);
    throw new ImapResponse('NO', 'Too many failed attempts; try again later', 'UNAVAILABLE');
  }
  if (outcome.kind === 'failed') {
    session.deps.stats?.authFailed('imap', session.remoteAddress, username);
    throw new ImapResponse('NO', 'Invalid credentials', 'AUTHENTICATIONFAILED');
  }
  const account = outcome.value;
  const server = await findMailServerById(store, account.mail_server_id);
  // Closed while we waited (login deadline, client gone): its slot would never be released.
  if (session.isClosed) throw new ImapResponse('NO', 'Connection closed');
  if (!(await session.deps.acquireAccount(account.id))) {
    throw new ImapResponse('NO', 'Too many connections for this account', 'LIMIT');
  }
  // Closed while the slot was taken (on a shared database that is a round trip): give it back.
  if (session.isClosed) {
    session.deps.releaseAccount(account.id);
    throw new ImapResponse('NO', 'Connection closed');
  }
  session.maxMessageSize = server?.max_size ?? 26214400;
  session.account = account;
  session.state = 'auth';
  session.armTimer();
  return { code: `CAPABILITY ${session.capabilities.join(' ')}`, text: 'Logged in' };
}
