// Shared by COPY (RFC 3501 §6.4.7) and MOVE (RFC 6851), with COPYUID (RFC 4315 §3).
import { copyMessages, findMailbox, moveMessages } from '../../schema/index.ts';
import type { Args, SequenceSet } from '../parser/args.ts';
import { compactSet } from '../render/sequence-set.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';
import type { Completion } from './command.ts';

export function parseCopy(args: Args): { set: SequenceSet; target: string } {
  const set = args.sequenceSet();
  const target = args.mailbox();
  args.end();
  return { set, target };
}

export async function copyOrMove(session: Session, set: SequenceSet, target: string, byUid: boolean, move: boolean): Promise<Completion> {
  const sel = session.selected!;
  const store = session.deps.store;
  if (move && sel.readOnly) throw new ImapResponse('NO', 'Mailbox is read-only', 'READ-ONLY');
  const uids = session.resolve(set, byUid);
  const box = await findMailbox(store, session.account!.id, target);
  if (!box || box.noselect) throw new ImapResponse('NO', 'No such mailbox', 'TRYCREATE');
  const input = { sourceMailboxId: sel.mailbox.id, uids, targetMailboxId: box.id };
  const result = move ? await moveMessages(store, input) : await copyMessages(store, input);
  if (result.mapping.length === 0) return { text: `${move ? 'MOVE' : 'COPY'} completed; no messages` };
  const code = `COPYUID ${result.uidvalidity} ${compactSet(result.mapping.map((m) => m.sourceUid))} ${compactSet(result.mapping.map((m) => m.targetUid))}`;
  if (move) {
    // RFC 6851 §4.3: COPYUID goes in an untagged OK before the EXPUNGEs.
    session.writer.untagged(`OK [${code}] Moved`);
    if (!session.qresync) return { text: 'MOVE completed' };
    // RFC 6851 §4.4 with QRESYNC: the removals go out as VANISHED, then the tagged
    // OK carries the HIGHESTMODSEQ they bring the client to (as EXPUNGE does).
    sel.dirty = true;
    await session.sendUpdates(true);
    return { code: `HIGHESTMODSEQ ${sel.lastModseq}`, text: 'MOVE completed' };
  }
  return { code, text: 'COPY completed' };
}
