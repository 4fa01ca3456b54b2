// CREATE (RFC 3501 §6.3.3); a trailing delimiter only declares intent (§6.3.3).
// The tagged OK names the new mailbox's MAILBOXID (RFC 8474 §4.1).
import { createMailbox, mailboxObjectId } from '../../schema/index.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'CREATE',
  states: AUTHENTICATED,
  parse(args) {
    const name = args.mailbox().replace(/\/+$/, '');
    args.end();
    return { name };
  },
  async run(session, { name }) {
    const mailbox = await createMailbox(session.deps.store, session.account!.id, name);
    return { code: `MAILBOXID (${mailboxObjectId(mailbox.reference_id)})`, text: 'CREATE completed' };
  },
});
