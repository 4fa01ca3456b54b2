// STARTTLS (RFC 3501 §6.2.1): OK in clear, then the handshake; commands the
// client pipelined after STARTTLS are discarded.
import { ImapResponse } from '../response.ts';
import { defineCommand, noArgs, NOT_AUTHENTICATED } from './command.ts';

export default defineCommand({
  name: 'STARTTLS',
  states: NOT_AUTHENTICATED,
  parse: noArgs,
  async run(session) {
    if (session.secure) throw new ImapResponse('BAD', 'TLS is already active');
    // After COMPRESS then UNAUTHENTICATE (RFC 8437): TLS cannot go under an active compression layer.
    if (session.compressed) throw new ImapResponse('BAD', 'STARTTLS is not allowed once COMPRESS is active');
    // The context is ready before the OK, so the handshake starts with no gap.
    const context = await session.deps.tls.contextFor(undefined);
    return { text: 'Begin TLS negotiation now', after: () => session.startTls(context) };
  },
});
