// URLAUTH (RFC 4467): URLs that carry their own authorization, made by
// GENURLAUTH and honoured by URLFETCH and CATENATE.
//
// Mechanism INTERNAL (§2.4.1, the server's choice of algorithm): the token is
// "01" (this algorithm's version, so a later one can be told apart, as §10
// asks) followed by HMAC-SHA1 (the RFC's recommendation) of the rump URL,
// exactly as written (§6: no %-decoding, no case folding), keyed with the
// mailbox access key: 256 random bits per mailbox, stored sealed with the
// server secret (certs/secret.ts, as DKIM private keys are).
//
// Access identifiers (§3): "anonymous" and "authuser" admit every logged-in
// session (Heron has no anonymous login), "user+<name>" only a session logged
// in as <name>. "submit+<name>" needs a session authorized as a message
// submission entity: Heron has no such role (no BURL submission server), so
// such URLs can be generated but fetch as NIL.
import crypto from 'node:crypto';
import {
  ensureMailboxAccessKey,
  findMailAccount,
  findMailbox,
  getMailboxAccessKey,
  normalizeAddress,
} from '../../schema/index.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';
import { type ImapUrl, parseImapUrl, type UrlAccess, UrlError } from './imap-url.ts';
import { BadUrl, locateUrlPart, namesThisServer, type UrlPart } from './url-part.ts';

export const MECHANISMS = ['INTERNAL'] as const;
const TOKEN_VERSION = '01';
const KEY_BYTES = 32;

/** A new mailbox access key, sealed for the store. */
export function newSealedKey(session: Session): string {
  return session.deps.secret.seal(crypto.randomBytes(KEY_BYTES).toString('hex'));
}

function token(key: Buffer, rump: string): string {
  return TOKEN_VERSION + crypto.createHmac('sha1', key).update(rump, 'latin1').digest('hex');
}

/** Whether this session may use a URL with this access identifier (RFC 4467 §3). */
function admits(session: Session, access: UrlAccess): boolean {
  switch (access.kind) {
    case 'anonymous':
    case 'authuser':
      return session.account !== null;
    case 'user':
      return session.account !== null && normalizeAddress(access.user) === session.account.username;
    case 'submit':
      return false; // no session is a message submission entity here
  }
}

/**
 * GENURLAUTH for one rump URL (RFC 4467 §7): the URL with ":INTERNAL:<token>"
 * appended. Every check failure is BAD, as §7 requires. The owner must be
 * the logged-in user: no one else's key table is reachable from a session.
 */
export async function generateUrlauth(session: Session, rump: string, mechanism: string): Promise<string> {
  if (!MECHANISMS.includes(mechanism.toUpperCase() as (typeof MECHANISMS)[number])) throw new ImapResponse('BAD', `Unknown URLAUTH mechanism ${mechanism}`);
  let url: ImapUrl;
  try {
    url = parseImapUrl(rump);
  } catch (err) {
    if (err instanceof UrlError) throw new ImapResponse('BAD', `Invalid URL: ${err.message}`);
    throw err;
  }
  if (!url.urlauth) throw new ImapResponse('BAD', 'Missing access identifier in supplied URL');
  if (url.urlauth.mechanism !== null) throw new ImapResponse('BAD', 'The URL is already authorized');
  if (url.server?.user == null) throw new ImapResponse('BAD', 'Missing owner username in supplied URL');
  if (!namesThisServer(session, url)) throw new ImapResponse('BAD', 'The URL names another server');
  const account = session.account!;
  if (normalizeAddress(url.server.user) !== account.username) throw new ImapResponse('BAD', "Not the logged-in user's URL");
  const store = session.deps.store;
  const mailbox = await findMailbox(store, account.id, url.mailbox);
  if (!mailbox || mailbox.noselect) throw new ImapResponse('BAD', 'No such mailbox');
  const sealed = await ensureMailboxAccessKey(store, account.id, mailbox.id, newSealedKey(session));
  return `${rump}:INTERNAL:${token(Buffer.from(session.deps.secret.open(sealed), 'hex'), rump)}`;
}

/**
 * The account whose mailboxes a URLAUTH-authorized URL may be read from: its
 * owner's. Throws BadUrl when the URL is expired, not for this session, or
 * its token does not verify.
 */
export async function verifyUrlauth(session: Session, url: ImapUrl): Promise<number> {
  const auth = url.urlauth;
  if (!auth || auth.mechanism === null || auth.token === null) throw new BadUrl('not a URLAUTH-authorized URL');
  if (auth.mechanism !== 'INTERNAL') throw new BadUrl('unknown URLAUTH mechanism');
  if (url.server?.user == null || !namesThisServer(session, url)) throw new BadUrl('not an absolute URL to this server with a user');
  if (auth.expire !== null && Date.now() > auth.expire) throw new BadUrl('expired');
  if (!admits(session, auth.access)) throw new BadUrl('not for this session');
  const store = session.deps.store;
  const owner = await findMailAccount(store, url.server.user);
  const mailbox = owner ? await findMailbox(store, owner.id, url.mailbox) : undefined;
  const sealed = mailbox ? await getMailboxAccessKey(store, mailbox.id) : null;
  // RFC 4467 §6: a token is computed (with a random key) even when there is no
  // mailbox or key, so the time taken does not tell which mailboxes exist.
  const key = sealed ? Buffer.from(session.deps.secret.open(sealed), 'hex') : crypto.randomBytes(KEY_BYTES);
  const expected = Buffer.from(token(key, auth.rump), 'latin1');
  const given = Buffer.from(auth.token, 'latin1');
  const valid = expected.length === given.length && crypto.timingSafeEqual(expected, given);
  if (!valid || !sealed || !owner) throw new BadUrl('URLAUTH does not verify');
  return owner.id;
}

/** The part a URLAUTH-authorized URL names (URLFETCH, CATENATE), read with the access of the URL's owner. */
export async function urlauthPart(session: Session, url: ImapUrl): Promise<UrlPart> {
  return locateUrlPart(session.deps.store, await verifyUrlauth(session, url), url);
}
