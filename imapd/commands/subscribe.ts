// SUBSCRIBE (RFC 3501 §6.3.6).
import { setSubscribed } from '../../schema/index.ts';
import { AUTHENTICATED, defineCommand, oneMailbox } from './command.ts';

export default defineCommand({
  name: 'SUBSCRIBE',
  states: AUTHENTICATED,
  parse: oneMailbox,
  async run(session, { name }) {
    await setSubscribed(session.deps.store, session.account!.id, name, true);
  },
});
