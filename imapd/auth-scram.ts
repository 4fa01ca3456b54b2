// AUTHENTICATE SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 7677, RFC 5802) over
// IMAP: RFC 3501 §6.2.2 continuations carry the messages (the first may come
// as a SASL-IR initial response, RFC 4959); the server-final-message goes in
// a last continuation that the client answers with an empty line.
import {
  channelBindingData,
  type MailAccountRow,
  parseSaslResponse,
  ScramExchange,
  type ScramMechanism,
  ScramRefused,
  scramCredentials,
  ScramSyntaxError,
} from '../schema/index.ts';
import { checkCredentials, signIn } from './auth.ts';
import type { Completion } from './commands/command.ts';
import { ImapResponse } from './response.ts';
import type { Session } from './session.ts';

/** A client response line as bytes: "*" cancels (RFC 3501 §6.2.2), anything but base64 is BAD. */
export function decodeSaslResponse(line: string): Buffer {
  const response = parseSaslResponse(line);
  if (response.kind === 'cancel') throw new ImapResponse('BAD', 'Authentication cancelled');
  if (response.kind === 'invalid') throw new ImapResponse('BAD', 'Invalid base64');
  return response.data;
}

/** Sends a continuation with `challenge` (base64) and reads the client's answer. */
export async function saslRound(session: Session, challenge: string): Promise<Buffer> {
  session.writer.continuation(challenge);
  const frame = await session.nextFrame();
  if (!frame) throw new ImapResponse('BAD', 'Connection closed');
  return decodeSaslResponse(frame.segments.join('').trim());
}

/** Runs `step`, turning SCRAM's errors into tagged replies. */
function scramStep<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof ScramSyntaxError) throw new ImapResponse('BAD', `Invalid SCRAM message: ${err.message}`);
    if (err instanceof ScramRefused) throw new ImapResponse('NO', err.message, 'AUTHENTICATIONFAILED');
    throw err;
  }
}

export async function authenticateScram(session: Session, mechanism: ScramMechanism, initial: string | null): Promise<Completion> {
  const socket = session.tlsSocket;
  if (!socket) throw new ImapResponse('NO', 'SCRAM needs TLS: use STARTTLS or port 993 first', 'PRIVACYREQUIRED');
  // Over TLS both mechanisms are advertised, so a "y" client was downgraded (RFC 5802 §6).
  const exchange = new ScramExchange<MailAccountRow>(mechanism, { plusAdvertised: true, bindingData: (type) => channelBindingData(socket, type) });
  const clientFirst = initial !== null ? decodeSaslResponse(initial) : await saslRound(session, '');
  const username = scramStep(() => exchange.begin(clientFirst));
  const serverFirst = exchange.challenge(await scramCredentials(session.deps.store, username));
  const clientFinal = await saslRound(session, Buffer.from(serverFirst).toString('base64'));
  scramStep(() => exchange.receiveFinal(clientFinal));
  // The proof is checked under the sign-in throttle, exactly where PLAIN checks its password.
  const account = await checkCredentials(session, username, async () => exchange.verify());
  const last = await saslRound(session, Buffer.from(exchange.serverFinal()).toString('base64'));
  if (last.length !== 0) throw new ImapResponse('BAD', 'Expected an empty response after the server signature');
  return signIn(session, account);
}
