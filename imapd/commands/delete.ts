// DELETE (RFC 3501 §6.3.4).
import { deleteMailbox } from '../../schema/index.ts';
import { AUTHENTICATED, defineCommand, oneMailbox } from './command.ts';

export default defineCommand({
  name: 'DELETE',
  states: AUTHENTICATED,
  parse: oneMailbox,
  async run(session, { name }) {
    await deleteMailbox(session.deps.store, session.account!.id, name);
  },
});
