// DELETE (RFC 3501 §6.3.4, RFC 9051 §6.3.5).
import { deleteMailbox, StoreError } from '../../schema/index.ts';
import { ImapResponse } from '../response.ts';
import { AUTHENTICATED, defineCommand, oneMailbox } from './command.ts';

export default defineCommand({
  name: 'DELETE',
  states: AUTHENTICATED,
  parse: oneMailbox,
  async run(session, { name }) {
    try {
      await deleteMailbox(session.deps.store, session.account!.id, name);
    } catch (err) {
      // RFC 9051 §7.1: IMAP4rev2 names this refusal (a \Noselect name with inferiors) [HASCHILDREN].
      if (session.rev2 && err instanceof StoreError && err.code === 'INUSE') throw new ImapResponse('NO', err.message, 'HASCHILDREN');
      throw err;
    }
  },
});
