// SETMETADATA (RFC 5464 §4.3): sets or (with NIL) removes entries of a mailbox
// or of the server (""), all or none. Refusals: [METADATA MAXSIZE n] for a value
// longer than the limit, [METADATA TOOMANY] past the entry limits. The server's
// /shared entries are the administrator's (configuration): a user writing one
// gets NO [NOPERM] (RFC 5530 §3); RFC 5464's [METADATA NOPRIVATE] means the
// server keeps no private entries, which Heron does.
import { setMetadata, SERVER_ENTRIES, StoreError } from '../../schema/index.ts';
import { parseSetMetadata } from '../parser/metadata-args.ts';
import { ImapResponse } from '../response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';
import { metadataTarget } from './metadata-entries.ts';

export default defineCommand({
  name: 'SETMETADATA',
  states: AUTHENTICATED,
  parse: parseSetMetadata,
  async run(session, { mailbox, entries }) {
    const mailboxId = await metadataTarget(session, mailbox);
    if (mailboxId === SERVER_ENTRIES && entries.some((e) => e.name.startsWith('/shared/'))) {
      throw new ImapResponse('NO', "The server's shared entries are set by an administrator", 'NOPERM');
    }
    const limits = session.deps.limits;
    try {
      await setMetadata(session.deps.store, session.account!.id, mailboxId, entries, {
        maxValueBytes: limits.metadataMaxValueBytes,
        maxEntriesPerMailbox: limits.metadataMaxEntries,
        maxEntriesPerAccount: limits.metadataMaxEntriesPerAccount,
      });
    } catch (err) {
      if (err instanceof StoreError && err.code === 'TOOBIG') throw new ImapResponse('NO', 'Metadata value too long', `METADATA MAXSIZE ${limits.metadataMaxValueBytes}`);
      if (err instanceof StoreError && err.code === 'LIMIT') throw new ImapResponse('NO', 'Too many metadata entries', 'METADATA TOOMANY');
      throw err;
    }
  },
});
