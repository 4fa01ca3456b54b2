// REPLACE and UID REPLACE (RFC 8508): store a new message (in any mailbox)
// and expunge one of the selected mailbox's in a single transaction. The
// APPENDUID goes in an untagged OK (§3.3), and the EXPUNGE (and EXISTS, when
// the target is the selected mailbox) follow before the tagged OK.
import { findMailbox, replaceMessage } from '../../schema/index.ts';
import { parseAppendMessage } from '../parser/append-message.ts';
import { parseSequenceSet } from '../parser/args.ts';
import { ParseError } from '../parser/tokens.ts';
import { ImapResponse } from '../response.ts';
import { assembleMessages } from '../url/catenate.ts';
import { checkAppendable } from './append.ts';
import { defineCommand, SELECTED } from './command.ts';

export default defineCommand({
  name: 'REPLACE',
  states: SELECTED,
  uid: true,
  parse(args) {
    // RFC 8508 §6: a single seq-number (or uid), which may be "*".
    const set = parseSequenceSet(args.atom('message number'));
    if (set.length !== 1 || set[0].from !== set[0].to) throw new ParseError('REPLACE takes a single message');
    const name = args.mailbox();
    const message = parseAppendMessage(args);
    args.end();
    return { set, name, message };
  },
  async run(session, { set, name, message: source }, line) {
    const sel = session.selected!;
    const store = session.deps.store;
    // Expunging needs write access (RFC 8508 §3.3: as for EXPUNGE).
    if (sel.readOnly) throw new ImapResponse('NO', 'Mailbox is read-only', 'READ-ONLY');
    const [uid] = session.resolve(set, line.uid);
    if (uid === undefined) throw new ImapResponse('NO', 'No such message', 'NONEXISTENT');
    const target = await findMailbox(store, session.account!.id, name);
    if (!target || target.noselect) throw new ImapResponse('NO', 'No such mailbox', 'TRYCREATE');
    // RFC 8508 §6: the message may be a CATENATE (RFC 4469).
    const [message] = await assembleMessages(session, [source]);
    checkAppendable(session, [message]);
    const appended = await replaceMessage(store, { sourceMailboxId: sel.mailbox.id, uid, targetMailboxId: target.id, message });
    session.writer.untagged(`OK [APPENDUID ${appended.uidvalidity} ${appended.uids[0]}] Replacement message stored`);
    return { text: `${line.uid ? 'UID ' : ''}REPLACE completed` };
  },
});
