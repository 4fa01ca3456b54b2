// AUTHENTICATE PLAIN (RFC 3501 §6.2.2, RFC 4616) with an initial response (RFC 4959 SASL-IR).
import { ImapResponse } from '../response.ts';
import { authenticate } from '../auth.ts';
import { defineCommand, NOT_AUTHENTICATED } from './command.ts';

export default defineCommand({
  name: 'AUTHENTICATE',
  states: NOT_AUTHENTICATED,
  parse(args) {
    const mechanism = args.atom('mechanism').toUpperCase();
    const initial = args.more ? args.atom('initial response') : null;
    args.end();
    return { mechanism, initial };
  },
  async run(session, { mechanism, initial }) {
    if (!session.authAllowed) throw new ImapResponse('NO', 'Use STARTTLS or port 993 first', 'PRIVACYREQUIRED');
    if (mechanism !== 'PLAIN') throw new ImapResponse('NO', 'Unsupported mechanism', 'CANNOT');
    let response = initial;
    if (response === null) {
      session.writer.continuation('');
      const frame = await session.nextFrame();
      if (!frame) throw new ImapResponse('BAD', 'Connection closed');
      response = frame.segments.join('').trim();
    }
    if (response === '*') throw new ImapResponse('BAD', 'Authentication cancelled');
    if (response === '=') response = '';
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(response)) throw new ImapResponse('BAD', 'Invalid base64');
    const parts = Buffer.from(response, 'base64').toString('utf8').split('\0');
    if (parts.length !== 3) throw new ImapResponse('BAD', 'Invalid PLAIN response');
    const [authzid, authcid, password] = parts;
    if (authzid && authzid.toLowerCase() !== authcid.toLowerCase()) {
      throw new ImapResponse('NO', 'Cannot act as another user', 'AUTHORIZATIONFAILED');
    }
    return authenticate(session, authcid, password);
  },
});
