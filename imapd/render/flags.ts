// Flag lists as IMAP writes them: "(\Seen $Junk)", and the mailbox's FLAGS and
// PERMANENTFLAGS responses.
import { type FlagSet, SYSTEM_FLAGS } from '../../schema/index.ts';

export function flagList(flags: readonly string[]): string {
  return `(${flags.join(' ')})`;
}

/** Rendered flag lists of a view's flag sets, without and with \Recent: FETCH FLAGS of 100,000 messages renders a handful. */
const rendered = new WeakMap<FlagSet, [string, string]>();

export function flagSetList(set: FlagSet, recent: boolean): string {
  let both = rendered.get(set);
  if (!both) {
    both = [flagList(set.flags), flagList([...set.flags, '\\Recent'])];
    rendered.set(set, both);
  }
  return both[recent ? 1 : 0];
}

/** RFC 3501 §7.2.6 FLAGS: the system flags and the keywords the client may see in FETCH. */
export function flagsResponse(keywords: Iterable<string>): string {
  return `FLAGS ${flagList([...SYSTEM_FLAGS, ...keywords])}`;
}

/** RFC 3501 §7.1 PERMANENTFLAGS: the same plus \* (clients may create keywords); none when read-only. */
export function permanentFlagsResponse(keywords: Iterable<string>, readOnly: boolean): string {
  return readOnly ? 'OK [PERMANENTFLAGS ()] Read-only mailbox' : `OK [PERMANENTFLAGS ${flagList([...SYSTEM_FLAGS, ...keywords, '\\*'])}] Flags permitted`;
}
