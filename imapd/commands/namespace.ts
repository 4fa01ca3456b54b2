// NAMESPACE (RFC 2342): one personal namespace, no others.
import { AUTHENTICATED, defineCommand, noArgs } from './command.ts';

export default defineCommand({
  name: 'NAMESPACE',
  states: AUTHENTICATED,
  parse: noArgs,
  async run(session) {
    session.writer.untagged('NAMESPACE (("" "/")) NIL NIL');
  },
});
