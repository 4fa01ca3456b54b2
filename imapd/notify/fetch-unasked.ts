// Unsolicited FETCH of messages that just arrived in the selected mailbox, with
// the attributes a client asked for in advance: NOTIFY's MessageNew (RFC 5465
// §5.2) and SEARCH/SORT RETURN (UPDATE (fetch-att …)) (§7). Written as a UID
// FETCH would answer, so UID always comes first.
import fetch from '../commands/fetch.ts';
import type { SequenceSet } from '../parser/args.ts';
import type { CommandLine } from '../parser/command-line.ts';
import type { FetchItem } from '../parser/fetch-items.ts';
import type { Session } from '../session.ts';

const UID_FETCH: CommandLine = { tag: '*', name: 'FETCH', uid: true, args: [] };

export async function fetchUnasked(session: Session, uids: SequenceSet, items: readonly FetchItem[]): Promise<void> {
  if (uids.length === 0) return;
  // A copy: FETCH may add MODSEQ to the list it is given.
  const withUid = items.some((i) => i.kind === 'UID') ? [...items] : [{ kind: 'UID' as const }, ...items];
  await fetch.run(session, { set: uids, items: withUid, changedSince: null, vanished: false }, UID_FETCH);
}
