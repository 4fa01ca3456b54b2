// LIST (RFC 3501 §6.3.8).
import { AUTHENTICATED, defineCommand } from './command.ts';
import { listCommand, parseList } from './list-mailboxes.ts';

export default defineCommand({
  name: 'LIST',
  states: AUTHENTICATED,
  parse: parseList,
  run: (session, { reference, pattern }) => listCommand(session, reference, pattern, false),
});
