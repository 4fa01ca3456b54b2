// LOGIN (RFC 3501 §6.2.3): refused before TLS unless the operator allows it.
import { ImapResponse } from '../response.ts';
import { authenticate } from '../auth.ts';
import { defineCommand, NOT_AUTHENTICATED } from './command.ts';

export default defineCommand({
  name: 'LOGIN',
  states: NOT_AUTHENTICATED,
  parse(args) {
    const username = args.astring('user name');
    const password = args.astringBytes('password').toString('utf8');
    args.end();
    return { username, password };
  },
  async run(session, { username, password }) {
    if (!session.authAllowed) throw new ImapResponse('NO', 'Use STARTTLS or port 993 first', 'PRIVACYREQUIRED');
    return authenticate(session, username, password);
  },
});
