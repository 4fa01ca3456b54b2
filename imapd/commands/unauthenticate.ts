// UNAUTHENTICATE (RFC 8437): back to the not-authenticated state without
// closing the connection. The selected mailbox is left without an expunge (as
// UNSELECT does), the account's connection slot is released, and what was
// enabled (CONDSTORE, QRESYNC) is forgotten; TLS stays.
import { AUTHENTICATED, defineCommand, noArgs } from './command.ts';

export default defineCommand({
  name: 'UNAUTHENTICATE',
  states: AUTHENTICATED,
  parse: noArgs,
  async run(session) {
    session.unauthenticate();
    return { code: `CAPABILITY ${session.capabilities.join(' ')}`, text: 'UNAUTHENTICATE completed' };
  },
});
