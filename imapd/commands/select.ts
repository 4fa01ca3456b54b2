// SELECT (RFC 3501 §6.3.1).
import { AUTHENTICATED, defineCommand } from './command.ts';
import { parseSelect, selectMailbox } from './select-mailbox.ts';

export default defineCommand({
  name: 'SELECT',
  states: AUTHENTICATED,
  parse: parseSelect,
  run: (session, { name, condstore }) => selectMailbox(session, name, false, condstore),
});
