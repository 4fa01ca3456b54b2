// What Heron remembers about an SMTP session beyond smtp-server's session:
// the authenticated account and the current transaction's classified recipients.
import type { SMTPServerSession } from 'smtp-server';

export interface SessionUser {
  accountId: number;
  username: string;
}

export interface Transaction {
  /** Local recipients: RCPT TO address -> account id. */
  local: Map<string, number>;
  /** Recipients outside Heron's domains (authenticated senders only). */
  relay: string[];
}

export const newTransaction = (): Transaction => ({ local: new Map(), relay: [] });

/** smtp-server types `session.user` loosely; Heron always stores a SessionUser there. */
export function sessionUser(session: SMTPServerSession): SessionUser | null {
  const user = session.user as SessionUser | undefined;
  return user && typeof user.accountId === 'number' ? user : null;
}

/** MAIL FROM's SIZE= (RFC 1870 §5), 0 when absent or not a number. */
export function declaredSize(session: SMTPServerSession): number {
  const args = session.envelope.mailFrom ? session.envelope.mailFrom.args : false;
  const size = args ? Number((args as Record<string, string | undefined>).SIZE) : 0;
  return Number.isSafeInteger(size) && size > 0 ? size : 0;
}
