// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3) and MULTIAPPEND
// (RFC 3502): several messages in one command, stored all or none, APPENDUID
// naming their UIDs as a set. The framer caps the literals together at the
// account's max message size ([TOOBIG]) and drops the whole command when one
// is refused, so nothing is stored from a command cut short.
import { appendMessage, appendMessages, findMailbox } from '../../schema/index.ts';
import { type AppendMessageArgs, parseAppendMessage } from '../parser/append-message.ts';
import { compactSet } from '../render/sequence-set.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

/** The checks every appended message passes (APPEND, REPLACE). */
export function checkAppendable(session: Session, messages: readonly AppendMessageArgs[]): void {
  if (messages.some((m) => m.raw.length === 0)) throw new ImapResponse('NO', 'Empty message', 'CANNOT');
  if (messages.some((m) => m.raw.length > session.maxMessageSize)) throw new ImapResponse('NO', 'Message too big', 'TOOBIG');
}

export default defineCommand({
  name: 'APPEND',
  states: AUTHENTICATED,
  parse(args) {
    const name = args.mailbox();
    const messages = [parseAppendMessage(args)];
    while (args.more) messages.push(parseAppendMessage(args));
    return { name, messages };
  },
  async run(session, { name, messages }) {
    const store = session.deps.store;
    const mailbox = await findMailbox(store, session.account!.id, name);
    // RFC 3501 §6.3.11: [TRYCREATE] when the mailbox does not exist.
    if (!mailbox || mailbox.noselect) throw new ImapResponse('NO', 'No such mailbox', 'TRYCREATE');
    checkAppendable(session, messages);
    if (messages.length === 1) {
      const appended = await appendMessage(store, { mailboxId: mailbox.id, ...messages[0] });
      return { code: `APPENDUID ${appended.uidvalidity} ${appended.uid}`, text: 'APPEND completed' };
    }
    const appended = await appendMessages(store, { mailboxId: mailbox.id, messages });
    // RFC 4315 §3: for MULTIAPPEND the UIDs form a set, in the order the messages were given.
    return { code: `APPENDUID ${appended.uidvalidity} ${compactSet(appended.uids)}`, text: 'APPEND completed' };
  },
});
