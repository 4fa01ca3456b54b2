// What a session's enabled extensions forbid in search criteria: IMAP4rev2
// has no NEW, OLD or RECENT key (RFC 9051 Appendix E: \Recent is gone), and
// after ENABLE UTF8=ACCEPT a SEARCH names no CHARSET (RFC 6855 §3).
import type { SearchKey } from '../parser/search-keys.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';

/** Whether `test` holds for a key anywhere in the tree. */
function someKey(key: SearchKey, test: (key: SearchKey) => boolean): boolean {
  if (test(key)) return true;
  if (key.k === 'not') return someKey(key.key, test);
  if (key.k === 'or') return someKey(key.a, test) || someKey(key.b, test);
  if (key.k === 'and') return key.keys.some((k) => someKey(k, test));
  return false;
}

/** SORT and THREAD criteria (their charset is part of their grammar, RFC 5256 §3). */
export function checkCriteria(session: Session, key: SearchKey): void {
  if (session.rev2 && someKey(key, (k) => k.k === 'recent' || k.k === 'new')) {
    throw new ImapResponse('BAD', 'NEW, OLD and RECENT are not search keys in IMAP4rev2');
  }
}

/** SEARCH and ESEARCH: the criteria, and the charset they were given in. */
export function checkSearch(session: Session, charset: string | null, key: SearchKey): void {
  // RFC 6855 §3: "it MUST NOT issue a SEARCH command that contains a charset
  // specification"; the server "SHOULD reject the command with a BAD response".
  if (session.utf8Accept && charset !== null) throw new ImapResponse('BAD', 'No CHARSET after ENABLE UTF8=ACCEPT: search strings are UTF-8');
  checkCriteria(session, key);
}
