// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3). The literal cap is
// the account's max message size, enforced by the framer ([TOOBIG]).
import { appendMessage, findMailbox } from '../../schema/index.ts';
import { flagsFrom, parseDateTime } from '../parser/args.ts';
import { ParseError } from '../parser/tokens.ts';
import { ImapResponse } from '../response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export default defineCommand({
  name: 'APPEND',
  states: AUTHENTICATED,
  parse(args) {
    const name = args.mailbox();
    let flags: string[] = [];
    let internalDate: number | undefined;
    let tok = args.next('message');
    if (tok.t === 'list') {
      flags = flagsFrom(tok);
      tok = args.next('message');
    }
    if (tok.t === 'string' && !tok.literal) {
      internalDate = parseDateTime(tok.v.toString('latin1'));
      tok = args.next('message');
    }
    if (tok.t !== 'string' || !tok.literal) throw new ParseError('expected message literal');
    args.end();
    if (flags.some((f) => f.toLowerCase() === '\\recent')) throw new ParseError('\\Recent cannot be set');
    return { name, flags, internalDate, raw: tok.v };
  },
  async run(session, { name, flags, internalDate, raw }) {
    const store = session.deps.store;
    const mailbox = await findMailbox(store, session.account!.id, name);
    // RFC 3501 §6.3.11: [TRYCREATE] when the mailbox does not exist.
    if (!mailbox || mailbox.noselect) throw new ImapResponse('NO', 'No such mailbox', 'TRYCREATE');
    if (raw.length === 0) throw new ImapResponse('NO', 'Empty message', 'CANNOT');
    if (raw.length > session.maxMessageSize) throw new ImapResponse('NO', 'Message too big', 'TOOBIG');
    const appended = await appendMessage(store, { mailboxId: mailbox.id, raw, flags, internalDate });
    return { code: `APPENDUID ${appended.uidvalidity} ${appended.uid}`, text: 'APPEND completed' };
  },
});
