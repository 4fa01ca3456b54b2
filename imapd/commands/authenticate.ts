// AUTHENTICATE PLAIN (RFC 3501 §6.2.2, RFC 4616) and SCRAM-SHA-256[-PLUS]
// (RFC 7677, imapd/auth-scram.ts), with an initial response (RFC 4959 SASL-IR).
import { SCRAM_MECHANISMS, type ScramMechanism } from '../../schema/index.ts';
import { ImapResponse } from '../response.ts';
import { authenticate } from '../auth.ts';
import { authenticateScram, decodeSaslResponse, saslRound } from '../auth-scram.ts';
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
    if ((SCRAM_MECHANISMS as readonly string[]).includes(mechanism)) return authenticateScram(session, mechanism as ScramMechanism, initial);
    if (mechanism !== 'PLAIN') throw new ImapResponse('NO', 'Unsupported mechanism', 'CANNOT');
    const response = initial !== null ? decodeSaslResponse(initial) : await saslRound(session, '');
    const parts = response.toString('utf8').split('\0');
    if (parts.length !== 3) throw new ImapResponse('BAD', 'Invalid PLAIN response');
    const [authzid, authcid, password] = parts;
    if (authzid && authzid.toLowerCase() !== authcid.toLowerCase()) {
      throw new ImapResponse('NO', 'Cannot act as another user', 'AUTHORIZATIONFAILED');
    }
    return authenticate(session, authcid, password);
  },
});
