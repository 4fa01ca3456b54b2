// STATUS (RFC 3501 §6.3.10; HIGHESTMODSEQ from RFC 7162 §3.1.9; SIZE from
// RFC 8438, the sum of the messages' RFC822.SIZE; MAILBOXID from RFC 8474 §4).
import { findMailbox, mailboxObjectId, mailboxStatus } from '../../schema/index.ts';
import { ParseError } from '../parser/tokens.ts';
import { string } from '../render/quote.ts';
import { ImapResponse } from '../response.ts';
import { encodeMailboxName } from '../utf7.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

const ITEMS = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'SIZE', 'MAILBOXID'] as const;
type Item = (typeof ITEMS)[number];

export default defineCommand({
  name: 'STATUS',
  states: AUTHENTICATED,
  parse(args) {
    const name = args.mailboxToFind();
    const items = args.list('status items').map((t) => {
      const v = t.t === 'atom' ? t.v.toUpperCase() : '';
      if (!ITEMS.includes(v as Item)) throw new ParseError('unknown STATUS item');
      return v as Item;
    });
    args.end();
    if (items.length === 0) throw new ParseError('empty STATUS item list');
    return { name, items };
  },
  async run(session, { name, items }) {
    const store = session.deps.store;
    const mailbox = name === null ? undefined : await findMailbox(store, session.account!.id, name);
    if (!mailbox || mailbox.noselect) throw new ImapResponse('NO', 'No such mailbox', 'NONEXISTENT');
    const s = await mailboxStatus(store, mailbox.id);
    const values: Record<Item, number | string> = {
      MESSAGES: s.messages,
      RECENT: s.recent,
      UIDNEXT: s.uidnext,
      UIDVALIDITY: s.uidvalidity,
      UNSEEN: s.unseen,
      HIGHESTMODSEQ: s.highestmodseq,
      SIZE: s.size,
      MAILBOXID: `(${mailboxObjectId(mailbox.reference_id)})`,
    };
    session.writer.untagged(`STATUS ${string(encodeMailboxName(mailbox.name))} (${items.map((i) => `${i} ${values[i]}`).join(' ')})`);
  },
});
