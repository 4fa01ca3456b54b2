// MOVE and UID MOVE (RFC 6851).
import { defineCommand, SELECTED } from './command.ts';
import { copyOrMove, parseCopy } from './copy-move.ts';

export default defineCommand({
  name: 'MOVE',
  states: SELECTED,
  uid: true,
  parse: parseCopy,
  run: (session, { set, target }, line) => copyOrMove(session, set, target, line.uid, true),
});
