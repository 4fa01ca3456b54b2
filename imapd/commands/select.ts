// SELECT (RFC 3501 §6.3.1), with CONDSTORE and QRESYNC parameters (select-mailbox.ts).
import { AUTHENTICATED, defineCommand } from './command.ts';
import { parseSelect, selectMailbox } from './select-mailbox.ts';

export default defineCommand({
  name: 'SELECT',
  states: AUTHENTICATED,
  parse: parseSelect,
  run: (session, params) => selectMailbox(session, params, false),
});
