// RENAME (RFC 3501 §6.3.5).
import { renameMailbox } from '../../schema/index.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'RENAME',
  states: AUTHENTICATED,
  parse(args) {
    const from = args.mailbox();
    const to = args.mailbox();
    args.end();
    return { from, to };
  },
  async run(session, { from, to }) {
    await renameMailbox(session.deps.store, session.account!.id, from, to);
  },
});
