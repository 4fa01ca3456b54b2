// NOOP (RFC 3501 §6.1.2): the session's updates go out after every command.
import { ANY, defineCommand, noArgs } from './command.ts';

export default defineCommand({
  name: 'NOOP',
  states: ANY,
  parse: noArgs,
  async run() {},
});
