// A mailbox name as a response carries it: modified UTF-7 (RFC 3501 §5.1.3)
// for an IMAP4rev1 session, UTF-8 as it stands once the client enabled
// IMAP4rev2 (RFC 9051 §5.1) or UTF8=ACCEPT (RFC 6855 §3: the server then
// "MUST NOT" send modified UTF-7).
import { encodeMailboxName } from '../utf7.ts';
import { string, utf8String } from './quote.ts';

export function mailboxName(name: string, utf8: boolean): string {
  return utf8 ? utf8String(name) : string(encodeMailboxName(name));
}
