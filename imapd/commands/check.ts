// CHECK (RFC 3501 §6.4.1): every write is already committed; like NOOP, it reads the journal.
import { defineCommand, noArgs, SELECTED } from './command.ts';

export default defineCommand({
  name: 'CHECK',
  states: SELECTED,
  parse: noArgs,
  async run(session) {
    session.poll();
  },
});
