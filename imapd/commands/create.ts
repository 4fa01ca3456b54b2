// CREATE (RFC 3501 §6.3.3); a trailing delimiter only declares intent (§6.3.3).
import { createMailbox } from '../../schema/index.ts';
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
    await createMailbox(session.deps.store, session.account!.id, name);
  },
});
