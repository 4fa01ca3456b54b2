// Whose mailbox an IMAP URL may reach from this session. A URL without
// URLAUTH reaches only the logged-in user's own mailboxes (RFC 4469 §3: the
// server reads the data as that user would): an absolute URL must name this
// server and either no user or that user. Everything else is [BADURL].
import type { Session } from '../session.ts';
import { parseImapUrl, UrlError, type ImapUrl } from './imap-url.ts';
import { BadUrl, locateUrlPart, type UrlPart } from './url-part.ts';

/** Parses a URL a client sent; a malformed one is a BadUrl like any other. */
export function parseClientUrl(text: string): ImapUrl {
  try {
    return parseImapUrl(text);
  } catch (err) {
    if (err instanceof UrlError) throw new BadUrl(err.message);
    throw err;
  }
}

/** Whether an absolute URL names this server (the port is not compared: one server, several listeners). */
export function namesThisServer(session: Session, url: ImapUrl): boolean {
  return url.server === null || url.server.host === session.deps.hostname.toLowerCase();
}

/** The part a URL without URLAUTH names in the session's own mailboxes. */
export async function ownUrlPart(session: Session, url: ImapUrl): Promise<UrlPart> {
  const account = session.account!;
  if (!namesThisServer(session, url)) throw new BadUrl('not this server');
  if (url.server?.user != null && url.server.user.toLowerCase() !== account.username.toLowerCase()) throw new BadUrl("another user's mailbox");
  return locateUrlPart(session.deps.store, account.id, url);
}

/** A CATENATE URL part (RFC 4469 §3). */
export async function catenateUrlPart(session: Session, text: string): Promise<UrlPart> {
  const url = parseClientUrl(text);
  if (url.urlauth) throw new BadUrl('URLAUTH is not supported');
  return ownUrlPart(session, url);
}
