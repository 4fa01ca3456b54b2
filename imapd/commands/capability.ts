// CAPABILITY (RFC 3501 §6.1.1).
import { ANY, defineCommand, noArgs } from './command.ts';

export default defineCommand({
  name: 'CAPABILITY',
  states: ANY,
  parse: noArgs,
  async run(session) {
    session.writer.untagged(`CAPABILITY ${session.capabilities.join(' ')}`);
  },
});
