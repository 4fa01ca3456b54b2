// Which special-use attributes (RFC 6154) a user may give a mailbox: CREATE's
// USE (§3) and SETMETADATA of /private/specialuse (§4, "the same way that it
// checks validity for the CREATE command") share this one check.
import type { SpecialUse } from '../../schema/index.ts';
import { ImapResponse } from '../response.ts';

/**
 * The uses a plain mailbox can carry. \All and \Flagged describe virtual
 * mailboxes (every message, every flagged message) that Heron does not make:
 * marking an ordinary mailbox with them would mislead clients.
 */
const GIVABLE_USES = new Map<string, SpecialUse>(['\\Archive', '\\Drafts', '\\Junk', '\\Sent', '\\Trash'].map((u) => [u.toLowerCase(), u as SpecialUse]));

/** RFC 6154 §6 use-attr-ext = "\" atom. */
export const USE_ATTR = /^\\[^\s(){%*"\\\]]+$/;

/**
 * The special use that `uses` asks for (null for none). A use that cannot be
 * given refuses the whole command with NO [USEATTR] (RFC 6154 §3); Heron keeps
 * one use per mailbox.
 */
export function givenSpecialUse(uses: readonly string[]): SpecialUse | null {
  if (uses.length > 1) throw new ImapResponse('NO', 'A mailbox can have one special use', 'USEATTR');
  if (uses.length === 0) return null;
  const use = GIVABLE_USES.get(uses[0].toLowerCase());
  if (use === undefined) throw new ImapResponse('NO', `Special use ${uses[0]} is not supported`, 'USEATTR');
  return use;
}
