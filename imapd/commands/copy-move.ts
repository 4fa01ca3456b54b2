// Shared by COPY (RFC 3501 §6.4.7) and MOVE (RFC 6851), with COPYUID (RFC 4315 §3).
import { copyMessages, findMailbox, moveMessages } from '../../schema/index.ts';
import type { Args, SequenceSet } from '../parser/args.ts';
import { ImapResponse } from '../response.ts';
import type { Session } from '../session.ts';
import type { Completion } from './command.ts';

export function parseCopy(args: Args): { set: SequenceSet; target: string } {
  const set = args.sequenceSet();
  const target = args.mailbox();
  args.end();
  return { set, target };
}

/** "1:3,7" from sorted numbers. */
export function compactSet(nums: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < nums.length; i++) {
    const start = nums[i];
    while (i + 1 < nums.length && nums[i + 1] === nums[i] + 1) i++;
    out.push(start === nums[i] ? `${start}` : `${start}:${nums[i]}`);
  }
  return out.join(',');
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
    return { text: 'MOVE completed' };
  }
  return { code, text: 'COPY completed' };
}
