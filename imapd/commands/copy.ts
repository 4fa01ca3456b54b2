// COPY and UID COPY (RFC 3501 §6.4.7).
import { defineCommand, SELECTED } from './command.ts';
import { copyOrMove, parseCopy } from './copy-move.ts';

export default defineCommand({
  name: 'COPY',
  states: SELECTED,
  uid: true,
  parse: parseCopy,
  run: (session, { set, target }, line) => copyOrMove(session, set, target, line.uid, false),
});
