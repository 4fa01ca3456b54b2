// Shared by LOGIN and AUTHENTICATE: throttle, check the credentials, cap
// connections per account, move to the authenticated state.
import { findMailServerById, type MailAccountRow } from '../schema/index.ts';
import type { Completion } from './commands/command.ts';
import { ImapResponse } from './response.ts';
import type { Session } from './session.ts';

export async function authenticate(session: Session, username: string, password: string): Promise<Completion> {
  const account = await checkCredentials(session, username, () => session.deps.loginCache.verify(session.deps.store, username, password));
  return signIn(session, account);
}

/** One credential check under the sign-in throttle (`check` answers null for wrong credentials). */
export async function checkCredentials(session: Session, username: string, check: () => Promise<MailAccountRow | null>): Promise<MailAccountRow> {
  const outcome = await session.deps.throttle.attempt(session.remoteAddress, username, check);
  if (outcome.kind === 'refused') {
    session.deps.stats?.authFailed('imap', session.remoteAddress, username, true);
    throw new ImapResponse('NO', 'Too many failed attempts; try again later', 'UNAVAILABLE');
  }
  if (outcome.kind === 'failed') {
    session.deps.stats?.authFailed('imap', session.remoteAddress, username);
    throw new ImapResponse('NO', 'Invalid credentials', 'AUTHENTICATIONFAILED');
  }
  return outcome.value;
}

/** Takes a connection slot for the account and moves the session to the authenticated state. */
export async function signIn(session: Session, account: MailAccountRow): Promise<Completion> {
  const { store } = session.deps;
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
  session.account = { id: account.id, username: account.username };
  session.state = 'auth';
  session.armTimer();
  return { code: `CAPABILITY ${session.capabilities.join(' ')}`, text: 'Logged in' };
}
