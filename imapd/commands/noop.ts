// NOOP (RFC 3501 §6.1.2): the session's updates go out after every command; NOOP also reads the journal.
import { ANY, defineCommand, noArgs } from './command.ts';

export default defineCommand({
  name: 'NOOP',
  states: ANY,
  parse: noArgs,
  async run(session) {
    session.poll();
  },
});
