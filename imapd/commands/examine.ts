// EXAMINE (RFC 3501 §6.3.2): SELECT, read-only (no \Recent claimed, no \Seen set).
import { AUTHENTICATED, defineCommand } from './command.ts';
import { parseSelect, selectMailbox } from './select-mailbox.ts';

export default defineCommand({
  name: 'EXAMINE',
  states: AUTHENTICATED,
  parse: parseSelect,
  run: (session, params) => selectMailbox(session, params, true),
});
