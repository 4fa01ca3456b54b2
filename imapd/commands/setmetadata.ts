// SETMETADATA (RFC 5464 §4.3): sets or (with NIL) removes entries of a mailbox
// or of the server (""), all or none. Refusals: [METADATA MAXSIZE n] for a value
// longer than the limit, [METADATA TOOMANY] past the entry limits. The server's
// /shared entries are the administrator's (configuration): a user writing one
// gets NO [NOPERM] (RFC 5530 §3); RFC 5464's [METADATA NOPRIVATE] means the
// server keeps no private entries, which Heron does.
// A mailbox's /private/specialuse (RFC 6154 §4) is its special-use attribute:
// setting it is checked as CREATE's USE is (NO [USEATTR]) and changes the
// attribute LIST shows, in the same all-or-none write as the other entries.
import { setMetadata, SERVER_ENTRIES, SPECIAL_USE_ENTRY, type SpecialUse, StoreError } from '../../schema/index.ts';
import { parseSetMetadata } from '../parser/metadata-args.ts';
import { ImapResponse } from '../response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';
import { metadataTarget } from './metadata-entries.ts';
import { givenSpecialUse, USE_ATTR } from './special-use.ts';

/**
 * RFC 6154 §4: the value is NIL or the attributes as LIST shows them, separated
 * by spaces. Anything else is refused like an unknown use (the value is a
 * well-formed string, so NO rather than BAD).
 */
function specialUseValue(value: Buffer | null): SpecialUse | null {
  if (value === null) return null;
  const uses = value.toString('latin1').split(' ');
  if (!uses.every((use) => USE_ATTR.test(use))) throw new ImapResponse('NO', `${SPECIAL_USE_ENTRY} is NIL or special-use attributes`, 'USEATTR');
  return givenSpecialUse(uses);
}

export default defineCommand({
  name: 'SETMETADATA',
  states: AUTHENTICATED,
  parse: parseSetMetadata,
  async run(session, { mailbox, entries }) {
    const mailboxId = await metadataTarget(session, mailbox);
    if (mailboxId === SERVER_ENTRIES && entries.some((e) => e.name.startsWith('/shared/'))) {
      throw new ImapResponse('NO', "The server's shared entries are set by an administrator", 'NOPERM');
    }
    const specialUse = mailboxId === SERVER_ENTRIES ? undefined : entries.find((e) => e.name === SPECIAL_USE_ENTRY);
    const limits = session.deps.limits;
    try {
      await setMetadata(
        session.deps.store,
        session.account!.id,
        mailboxId,
        specialUse ? entries.filter((e) => e !== specialUse) : entries,
        {
          maxValueBytes: limits.metadataMaxValueBytes,
          maxEntriesPerMailbox: limits.metadataMaxEntries,
          maxEntriesPerAccount: limits.metadataMaxEntriesPerAccount,
        },
        specialUse && specialUseValue(specialUse.value),
      );
    } catch (err) {
      if (err instanceof StoreError && err.code === 'TOOBIG') throw new ImapResponse('NO', 'Metadata value too long', `METADATA MAXSIZE ${limits.metadataMaxValueBytes}`);
      if (err instanceof StoreError && err.code === 'LIMIT') throw new ImapResponse('NO', 'Too many metadata entries', 'METADATA TOOMANY');
      throw err;
    }
  },
});
