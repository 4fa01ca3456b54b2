// STATUS (RFC 3501 §6.3.10; HIGHESTMODSEQ from RFC 7162 §3.1.9; SIZE from
// RFC 8438, the sum of the messages' RFC822.SIZE; MAILBOXID from RFC 8474 §4;
// APPENDLIMIT from RFC 7889 §4: the account's max message size, the same for every mailbox;
// DELETED and DELETED-STORAGE from RFC 9208 §4.3).
import { findMailbox, type MailBoxRow, mailboxObjectId, mailboxStatus } from '../../schema/index.ts';
import { ParseError, type Token } from '../parser/tokens.ts';
import { kibibytes } from '../render/quota.ts';
import { ImapResponse } from '../response.ts';
import { mailboxName } from '../render/mailbox-name.ts';
import type { Session } from '../session.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const ITEMS = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'HIGHESTMODSEQ', 'SIZE', 'MAILBOXID', 'APPENDLIMIT', 'DELETED', 'DELETED-STORAGE'] as const;
export type StatusItem = (typeof ITEMS)[number];
type Item = StatusItem;

/** The STATUS items of a list; LIST's STATUS return option (RFC 5819) takes the same items. */
export function parseStatusItems(tokens: Token[]): Item[] {
  const items = tokens.map((t) => {
    const v = t.t === 'atom' ? t.v.toUpperCase() : '';
    if (!ITEMS.includes(v as Item)) throw new ParseError('unknown STATUS item');
    return v as Item;
  });
  if (items.length === 0) throw new ParseError('empty STATUS item list');
  return items;
}

/** RFC 9051 §6.3.11: IMAP4rev2 has no RECENT status item (Appendix E); a rev2 session asking for it gets BAD. */
export function checkStatusItems(session: Session, items: readonly Item[]): void {
  if (session.rev2 && items.includes('RECENT')) throw new ImapResponse('BAD', 'RECENT is not a STATUS item in IMAP4rev2');
}

export default defineCommand({
  name: 'STATUS',
  states: AUTHENTICATED,
  parse(args) {
    const name = args.mailboxToFind();
    const items = parseStatusItems(args.list('status items'));
    args.end();
    return { name, items };
  },
  async run(session, { name, items }) {
    checkStatusItems(session, items);
    const store = session.deps.store;
    const mailbox = name === null ? undefined : await findMailbox(store, session.account!.id, name);
    if (!mailbox || mailbox.noselect) throw new ImapResponse('NO', 'No such mailbox', 'NONEXISTENT');
    await writeStatus(session, mailbox, items);
  },
});

/** Writes "* STATUS name (item value …)" for a selectable mailbox. */
export async function writeStatus(session: Session, mailbox: MailBoxRow, items: readonly Item[]): Promise<void> {
  const s = await mailboxStatus(session.deps.store, mailbox.id);
  const values: Record<Item, number | string> = {
    MESSAGES: s.messages,
    RECENT: s.recent,
    UIDNEXT: s.uidnext,
    UIDVALIDITY: s.uidvalidity,
    UNSEEN: s.unseen,
    HIGHESTMODSEQ: s.highestmodseq,
    SIZE: s.size,
    MAILBOXID: `(${mailboxObjectId(mailbox.reference_id)})`,
    APPENDLIMIT: session.maxMessageSize,
    DELETED: s.deleted,
    // In the unit of the STORAGE resource (1024 octets, RFC 9208 §5.1), so it compares with GETQUOTA's usage.
    'DELETED-STORAGE': kibibytes(s.deletedSize),
  };
  session.writer.untagged(`STATUS ${mailboxName(mailbox.name, session.utf8)} (${items.map((i) => `${i} ${values[i]}`).join(' ')})`);
}
