// Shared by SELECT and EXAMINE (RFC 3501 §6.3.1–2, RFC 7162 §3.1.8 CONDSTORE parameter).
import { findMailbox, findMailboxById } from '../../schema/index.ts';
import { ParseError } from '../parser/tokens.ts';
import type { Args } from '../parser/args.ts';
import { flagsResponse, permanentFlagsResponse } from '../render/flags.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';
import type { Completion } from './command.ts';

export function parseSelect(args: Args): { name: string | null; condstore: boolean } {
  const name = args.mailboxToFind();
  let condstore = false;
  if (args.more) {
    for (const p of args.list('select parameters')) {
      if (p.t !== 'atom' || p.v.toUpperCase() !== 'CONDSTORE') throw new ParseError('unknown SELECT parameter');
      condstore = true;
    }
  }
  args.end();
  return { name, condstore };
}

export async function selectMailbox(session: Session, name: string | null, readOnly: boolean, condstore: boolean): Promise<Completion> {
  const store = session.deps.store;
  // RFC 3501 §6.3.1: a failed SELECT leaves no mailbox selected.
  session.unselect();
  if (condstore) session.condstore = true;
  const mailbox = name === null ? undefined : await findMailbox(store, session.account!.id, name);
  if (!mailbox) throw new ImapResponse('NO', 'No such mailbox', 'NONEXISTENT');
  if (mailbox.noselect) throw new ImapResponse('NO', 'Mailbox cannot be selected', 'CANNOT');
  const sel = await session.select(mailbox, readOnly);
  // Read after the view: UIDNEXT is above every UID the session was given.
  const status = await findMailboxById(store, mailbox.id);
  if (!status) {
    session.unselect();
    throw new ImapResponse('NO', 'No such mailbox', 'NONEXISTENT');
  }
  const w = session.writer;
  // RFC 3501 §7.2.6: the keywords in use, so no FETCH shows one the client was not told of.
  w.untagged(flagsResponse(sel.keywords.values()));
  w.untagged(`${sel.uids.length} EXISTS`);
  w.untagged(`${sel.recent.size} RECENT`);
  const firstUnseen = firstUnseenSeq(session);
  if (firstUnseen !== null) w.untagged(`OK [UNSEEN ${firstUnseen}] First unseen`);
  w.untagged(`OK [UIDVALIDITY ${status.uidvalidity}] UIDs valid`);
  w.untagged(`OK [UIDNEXT ${status.uidnext}] Predicted next UID`);
  w.untagged(permanentFlagsResponse(sel.keywords.values(), readOnly));
  w.untagged(`OK [HIGHESTMODSEQ ${sel.lastModseq}] Highest`);
  return { code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed` };
}

/** RFC 3501 §6.3.1: the sequence number of the first message without \Seen, from the view; null when all are seen. */
function firstUnseenSeq(session: Session): number | null {
  const { uids, view } = session.selected!;
  const cursor = view.cursor();
  for (let k = 0; k < uids.length; k++) {
    const i = cursor.find(uids[k]);
    if (i >= 0 && !view.flagsAt(i).has('\\Seen')) return k + 1;
  }
  return null;
}
