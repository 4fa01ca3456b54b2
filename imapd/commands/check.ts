// CHECK (RFC 3501 §6.4.1): every write is already committed; nothing to do.
import { defineCommand, noArgs, SELECTED } from './command.ts';

export default defineCommand({
  name: 'CHECK',
  states: SELECTED,
  parse: noArgs,
  async run() {},
});
