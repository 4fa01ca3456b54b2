// EXPUNGE (RFC 3501 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1): the EXPUNGE (or,
// with QRESYNC, VANISHED) responses come from the journal, like anyone else's removals.
import { expungeMessages } from '../../schema/index.ts';
import type { SequenceSet } from '../parser/args.ts';
import { ImapResponse } from '../response.ts';
import { defineCommand, SELECTED } from './command.ts';

export default defineCommand({
  name: 'EXPUNGE',
  states: SELECTED,
  uid: true,
  parse(args, line) {
    const set: SequenceSet | null = line.uid ? args.sequenceSet() : null;
    args.end();
    return { set };
  },
  async run(session, { set }) {
    const sel = session.selected!;
    if (sel.readOnly) throw new ImapResponse('NO', 'Mailbox is read-only', 'READ-ONLY');
    // The store checks \Deleted again in its transaction; the view only narrows what it reads.
    const uids = await session.withFlag(set ? session.resolve(set, true) : sel.uids, '\\Deleted');
    await expungeMessages(session.deps.store, { mailboxId: sel.mailbox.id, uids });
    if (!session.condstore) return;
    // RFC 7162 §3.2.7: with CONDSTORE the tagged OK carries the HIGHESTMODSEQ the
    // client has caught up with; the removals are reported first so it is exact.
    sel.dirty = true;
    await session.sendUpdates(true);
    return { code: `HIGHESTMODSEQ ${sel.lastModseq}`, text: 'EXPUNGE completed' };
  },
});
