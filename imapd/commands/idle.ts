// IDLE (RFC 2177): "+ idling", updates pushed as they happen, a keepalive
// before common NAT timeouts, DONE ends it; the session's timeout still applies.
import { ImapResponse } from '../response.ts';
import { AUTHENTICATED, defineCommand, noArgs } from './command.ts';

export default defineCommand({
  name: 'IDLE',
  states: AUTHENTICATED,
  parse: noArgs,
  async run(session) {
    session.writer.continuation('idling');
    let pushing = Promise.resolve();
    // Assigned, not declared as `const push = …`: no per-session name dictionary under tsx (see Session.onSocketData).
    session.idleNotify = () => {
      pushing = pushing.then(() => session.sendUpdates(true)).catch(() => undefined);
    };
    session.idleNotify();
    const keepalive = setInterval(() => session.writer.untagged('OK Still here'), session.deps.limits.idleKeepaliveMs);
    keepalive.unref();
    try {
      for (;;) {
        const frame = await session.nextFrame();
        if (!frame) return;
        session.armTimer();
        const text = frame.segments.join('');
        if (text.toUpperCase() === 'DONE') break;
        // A stray command while idling is not a command: say so and keep idling.
        session.countBad();
        if (session.isClosed) return;
        session.writer.untagged('BAD Expected DONE');
      }
    } finally {
      clearInterval(keepalive);
      session.idleNotify = null;
      await pushing;
    }
    if (session.isClosed) throw new ImapResponse('BAD', 'Connection closed');
  },
});
