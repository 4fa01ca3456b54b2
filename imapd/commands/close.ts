// CLOSE (RFC 3501 §6.4.2): silently expunge \Deleted (unless read-only), then leave.
import { expungeMessages } from '../../schema/index.ts';
import { defineCommand, noArgs, SELECTED } from './command.ts';

export default defineCommand({
  name: 'CLOSE',
  states: SELECTED,
  parse: noArgs,
  async run(session) {
    const sel = session.selected!;
    // Only messages this session knows of: mail that arrived unseen is not removed.
    if (!sel.readOnly) await expungeMessages(session.deps.store, { mailboxId: sel.mailbox.id, uids: await session.withFlag(sel.uids, '\\Deleted') });
    session.unselect();
  },
});
