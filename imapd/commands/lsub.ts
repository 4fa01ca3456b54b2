// LSUB (RFC 3501 §6.3.9).
import { AUTHENTICATED, defineCommand } from './command.ts';
import { lsubCommand, parseList } from './list-mailboxes.ts';

export default defineCommand({
  name: 'LSUB',
  states: AUTHENTICATED,
  parse: parseList,
  run: (session, { reference, pattern }) => lsubCommand(session, reference, pattern),
});
