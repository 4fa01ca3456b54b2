// Whose mailbox an IMAP URL may reach from this session. A URL without
// URLAUTH reaches only the logged-in user's own mailboxes (RFC 4469 §3: the
// server reads the data as that user would): an absolute URL must name this
// server and either no user or that user. A URLAUTH-authorized URL (RFC 4467)
// reaches its owner's mailbox when it verifies (./urlauth.ts). Everything
// else is [BADURL].
import type { Session } from '../session.ts';
import { parseImapUrl, UrlError, type ImapUrl } from './imap-url.ts';
import { BadUrl, locateUrlPart, namesThisServer, type UrlPart } from './url-part.ts';
import { urlauthPart } from './urlauth.ts';

/** Parses a URL a client sent; a malformed one is a BadUrl like any other. */
export function parseClientUrl(text: string): ImapUrl {
  try {
    return parseImapUrl(text);
  } catch (err) {
    if (err instanceof UrlError) throw new BadUrl(err.message);
    throw err;
  }
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
  // RFC 4469 §3: a URLAUTH-authorized URL, as URLFETCH would take it; a rump URL is no authorization.
  if (url.urlauth) return urlauthPart(session, url);
  return ownUrlPart(session, url);
}
