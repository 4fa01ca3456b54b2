// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3) and MULTIAPPEND
// (RFC 3502): several messages in one command, stored all or none, APPENDUID
// naming their UIDs as a set. The framer caps the literals together at the
// account's max message size ([TOOBIG]) and drops the whole command when one
// is refused, so nothing is stored from a command cut short.
//
// Pipelined APPENDs (LITERAL+, RFC 7888) already received are stored in one
// transaction: one commit (one fsync) for all of them instead of one each;
// each is still answered as if it had run alone (appendPipelined).
//
// CATENATE (RFC 4469): a message may be built from TEXT literals and URLs to
// parts of stored messages (imapd/url/catenate.ts), checked and assembled
// before anything is stored.
import { type AppendCommand, appendPipelined, findMailbox } from '../../schema/index.ts';
import { type AppendMessageArgs, parseAppendMessage } from '../parser/append-message.ts';
import { compactSet } from '../render/sequence-set.ts';
import { assembleMessages } from '../url/catenate.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';
import { AUTHENTICATED, type Completion, defineCommand } from './command.ts';

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
  async run(session, args, line) {
    const [outcome] = await this.runBatch!(session, [{ args, line }]);
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  },
  /** Pipelined APPENDs: checked one by one, stored in one transaction, answered in order after its commit. */
  async runBatch(session, batch) {
    const store = session.deps.store;
    // One lookup per mailbox name: a client appends to one mailbox, over and over.
    const boxes = new Map<string, ReturnType<typeof findMailbox>>();
    const checked = await Promise.allSettled(
      batch.map(async ({ args: { name, messages } }): Promise<AppendCommand> => {
        let lookup = boxes.get(name);
        if (!lookup) boxes.set(name, (lookup = findMailbox(store, session.account!.id, name)));
        const mailbox = await lookup;
        // RFC 3501 §6.3.11: [TRYCREATE] when the mailbox does not exist.
        if (!mailbox || mailbox.noselect) throw new ImapResponse('NO', 'No such mailbox', 'TRYCREATE');
        const assembled = await assembleMessages(session, messages);
        checkAppendable(session, assembled);
        return { mailboxId: mailbox.id, messages: assembled };
      }),
    );
    const stored = await appendPipelined(
      store,
      checked.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : [])),
    );
    let next = 0;
    return checked.map((c): PromiseSettledResult<Completion> => {
      if (c.status === 'rejected') return c;
      const result = stored[next++];
      if (result.status === 'rejected') return result;
      // RFC 4315 §3: for MULTIAPPEND the UIDs form a set, in the order the messages were given.
      return { status: 'fulfilled', value: { code: `APPENDUID ${result.value.uidvalidity} ${compactSet(result.value.uids)}`, text: 'APPEND completed' } };
    });
  },
});
