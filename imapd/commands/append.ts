// APPEND (RFC 3501 §6.3.11) with APPENDUID (RFC 4315 §3). The literal cap is
// the account's max message size, enforced by the framer ([TOOBIG]).
// Pipelined APPENDs (LITERAL+, RFC 7888) already received are stored in one
// transaction: one commit (one fsync) for all of them instead of one each.
import { type AppendInput, appendMessages, findMailbox } from '../../schema/index.ts';
import { flagsFrom, parseDateTime } from '../parser/args.ts';
import { ParseError } from '../parser/tokens.ts';
import { ImapResponse } from '../response.ts';
import { AUTHENTICATED, type Completion, defineCommand } from './command.ts';

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
  async run(session, args, line) {
    const [outcome] = await this.runBatch!(session, [{ args, line }]);
    if (outcome.status === 'rejected') throw outcome.reason;
    return outcome.value;
  },
  /** Pipelined APPENDs (LITERAL+): checked one by one, stored in one transaction, answered in order after its commit. */
  async runBatch(session, batch) {
    const store = session.deps.store;
    // One lookup per mailbox name: a client appends to one mailbox, over and over.
    const boxes = new Map<string, ReturnType<typeof findMailbox>>();
    const checked = await Promise.allSettled(
      batch.map(async ({ args: { name, flags, internalDate, raw } }): Promise<AppendInput> => {
        let lookup = boxes.get(name);
        if (!lookup) boxes.set(name, (lookup = findMailbox(store, session.account!.id, name)));
        const mailbox = await lookup;
        // RFC 3501 §6.3.11: [TRYCREATE] when the mailbox does not exist.
        if (!mailbox || mailbox.noselect) throw new ImapResponse('NO', 'No such mailbox', 'TRYCREATE');
        if (raw.length === 0) throw new ImapResponse('NO', 'Empty message', 'CANNOT');
        if (raw.length > session.maxMessageSize) throw new ImapResponse('NO', 'Message too big', 'TOOBIG');
        return { mailboxId: mailbox.id, raw, flags, internalDate };
      }),
    );
    const stored = await appendMessages(
      store,
      checked.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : [])),
    );
    let next = 0;
    return checked.map((c): PromiseSettledResult<Completion> => {
      if (c.status === 'rejected') return c;
      const result = stored[next++];
      if (result.status === 'rejected') return result;
      return { status: 'fulfilled', value: { code: `APPENDUID ${result.value.uidvalidity} ${result.value.uid}`, text: 'APPEND completed' } };
    });
  },
});
