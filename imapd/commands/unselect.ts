// UNSELECT (RFC 3691): leave the mailbox without expunging.
import { defineCommand, noArgs, SELECTED } from './command.ts';

export default defineCommand({
  name: 'UNSELECT',
  states: SELECTED,
  parse: noArgs,
  async run(session) {
    session.unselect();
  },
});
