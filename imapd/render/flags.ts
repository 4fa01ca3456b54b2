// Flag lists as IMAP writes them: "(\Seen $Junk)", and the mailbox's FLAGS and
// PERMANENTFLAGS responses.
import { SYSTEM_FLAGS } from '../../schema/index.ts';

export function flagList(flags: readonly string[]): string {
  return `(${flags.join(' ')})`;
}

/** RFC 3501 §7.2.6 FLAGS: the system flags and the keywords the client may see in FETCH. */
export function flagsResponse(keywords: Iterable<string>): string {
  return `FLAGS ${flagList([...SYSTEM_FLAGS, ...keywords])}`;
}

/** RFC 3501 §7.1 PERMANENTFLAGS: the same plus \* (clients may create keywords); none when read-only. */
export function permanentFlagsResponse(keywords: Iterable<string>, readOnly: boolean): string {
  return readOnly ? 'OK [PERMANENTFLAGS ()] Read-only mailbox' : `OK [PERMANENTFLAGS ${flagList([...SYSTEM_FLAGS, ...keywords, '\\*'])}] Flags permitted`;
}
