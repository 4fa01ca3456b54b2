// LOGOUT (RFC 3501 §6.1.3): BYE, then the tagged OK, then close.
import { ANY, defineCommand, noArgs } from './command.ts';

export default defineCommand({
  name: 'LOGOUT',
  states: ANY,
  parse: noArgs,
  async run(session) {
    session.writer.untagged('BYE Logging out');
    session.selected = null;
    return { text: 'LOGOUT completed', after: () => session.close() };
  },
});
