// GETMETADATA (RFC 5464 §4.2): the values of entries of a mailbox, or of the
// server with the mailbox name "" (METADATA-SERVER); DEPTH (§4.2.2) reaches
// below an entry, MAXSIZE (§4.2.1) leaves out longer values and reports the
// longest one left out as [METADATA LONGENTRIES n].
import { parseGetMetadata } from '../parser/metadata-args.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';
import { lookupEntries, metadataTarget, writeMetadata } from './metadata-entries.ts';

export default defineCommand({
  name: 'GETMETADATA',
  states: AUTHENTICATED,
  parse: parseGetMetadata,
  async run(session, { options, mailbox, entries: names }) {
    const mailboxId = await metadataTarget(session, mailbox);
    const { entries, longest } = await lookupEntries(session, mailboxId, names, options.depth, options.maxSize ?? Infinity);
    writeMetadata(session, mailbox!, entries);
    if (longest > 0) return { code: `METADATA LONGENTRIES ${longest}` };
  },
});
