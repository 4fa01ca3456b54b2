// Shared by SELECT and EXAMINE (RFC 3501 §6.3.1–2), with the CONDSTORE and
// QRESYNC parameters (RFC 7162 §3.1.8, §3.2.5), [CLOSED] (RFC 7162 §3.2.11,
// RFC 9051 §7.1) and [MAILBOXID] (RFC 8474 §4). In an IMAP4rev2 session the
// responses are RFC 9051 §6.3.2's.
import { findMailbox, findMailboxById, mailboxObjectId } from '../../schema/index.ts';
import { ParseError } from '../parser/tokens.ts';
import type { Args } from '../parser/args.ts';
import { parseQresync, matchedUid, type QresyncParams } from '../qresync/params.ts';
import { reportChangedMessages, reportVanishedEarlier } from '../qresync/resync.ts';
import { flagsResponse, permanentFlagsResponse } from '../render/flags.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';
import type { Completion } from './command.ts';
import { writeListLine } from './list-mailboxes.ts';

export interface SelectParams {
  name: string | null;
  condstore: boolean;
  qresync: QresyncParams | null;
}

export function parseSelect(args: Args): SelectParams {
  const name = args.mailboxToFind();
  let condstore = false;
  let qresync: QresyncParams | null = null;
  if (args.more) {
    const params = args.list('select parameters');
    if (params.length === 0) throw new ParseError('empty SELECT parameter list');
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const word = p.t === 'atom' ? p.v.toUpperCase() : '';
      if (word === 'CONDSTORE' && !condstore) condstore = true;
      else if (word === 'QRESYNC' && !qresync) qresync = parseQresync(params[++i]);
      else throw new ParseError(word ? `duplicate SELECT parameter ${word}` : 'unknown SELECT parameter');
    }
  }
  args.end();
  return { name, condstore, qresync };
}

export async function selectMailbox(session: Session, params: SelectParams, readOnly: boolean): Promise<Completion> {
  const store = session.deps.store;
  const w = session.writer;
  // RFC 7162 §3.2.5: the QRESYNC parameter needs ENABLE QRESYNC first; BAD, and nothing changes.
  if (params.qresync && !session.qresync) throw new ImapResponse('BAD', 'QRESYNC parameter without ENABLE QRESYNC');
  // RFC 7162 §3.2.11, RFC 9051 §7.1: the mailbox selected so far is closed, whether
  // or not the new one can be selected; [CLOSED] marks where its responses end.
  if (session.state === 'selected') w.untagged('OK [CLOSED] Previous mailbox is now closed');
  // RFC 3501 §6.3.1: a failed SELECT leaves no mailbox selected.
  session.unselect();
  if (params.condstore) session.condstore = true;
  const mailbox = params.name === null ? undefined : await findMailbox(store, session.account!.id, params.name);
  if (!mailbox) throw new ImapResponse('NO', 'No such mailbox', 'NONEXISTENT');
  if (mailbox.noselect) throw new ImapResponse('NO', 'Mailbox cannot be selected', 'CANNOT');
  const sel = await session.select(mailbox, readOnly);
  // Read after the view: UIDNEXT is above every UID the session was given.
  const status = await findMailboxById(store, mailbox.id);
  if (!status) {
    session.unselect();
    throw new ImapResponse('NO', 'No such mailbox', 'NONEXISTENT');
  }
  // RFC 3501 §7.2.6: the keywords in use, so no FETCH shows one the client was not told of.
  w.untagged(flagsResponse(sel.keywords.values()));
  w.untagged(`${sel.uids.length} EXISTS`);
  if (session.rev2) {
    // RFC 9051 §6.3.2: a LIST response with the mailbox's name is required; RECENT
    // and the UNSEEN response code are gone (Appendix E).
    writeListLine(session, 'LIST', mailbox.name, mailbox.special_use ? [mailbox.special_use] : []);
  } else {
    w.untagged(`${sel.recent.size} RECENT`);
    const firstUnseen = firstUnseenSeq(session);
    if (firstUnseen !== null) w.untagged(`OK [UNSEEN ${firstUnseen}] First unseen`);
  }
  w.untagged(`OK [UIDVALIDITY ${status.uidvalidity}] UIDs valid`);
  w.untagged(`OK [UIDNEXT ${status.uidnext}] Predicted next UID`);
  w.untagged(permanentFlagsResponse(sel.keywords.values(), readOnly));
  // Every Heron mailbox keeps MODSEQs, so never [NOMODSEQ] (RFC 7162 §3.1.2.2).
  w.untagged(`OK [HIGHESTMODSEQ ${sel.lastModseq}] Highest`);
  w.untagged(`OK [MAILBOXID (${mailboxObjectId(mailbox.reference_id)})] Ok`);
  const q = params.qresync;
  // RFC 7162 §3.2.5: with another UIDVALIDITY the client's state is void; it gets a plain SELECT.
  if (q && q.uidvalidity === status.uidvalidity && q.modseq < sel.lastModseq) {
    // The RFC's examples send VANISHED (EARLIER) before the FETCHes.
    const aboveUid = q.seqMatch ? matchedUid(q.seqMatch, sel.uids) : 0;
    await reportVanishedEarlier(session, { since: q.modseq, until: sel.lastModseq, within: q.knownUids, aboveUid });
    await reportChangedMessages(session, q.modseq, q.knownUids);
  }
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
