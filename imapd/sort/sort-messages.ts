// SORT's result (RFC 5256 §3): the messages that match the search criteria,
// in the order of the sort criteria, ties in sequence order. Computing the
// list is kept apart from writing the response, so that ESORT's RETURN
// options (RFC 5267) can be answered from the same list.
import { ensureMailboxSortKeys, type SortCriterion, sortUids } from '../../schema/index.ts';
import type { SearchKey } from '../parser/search-keys.ts';
import { matchingUids } from '../search/matching-uids.ts';
import type { Session } from '../session.ts';

export interface SortResult {
  /** UIDs in sort order. */
  uids: number[];
  /** The highest MODSEQ among them (0 unless the criteria use MODSEQ; RFC 7162 §3.1.5). */
  highestModseq: number;
}

export async function sortMessages(session: Session, criteria: readonly SortCriterion[], key: SearchKey): Promise<SortResult> {
  const store = session.deps.store;
  const mailboxId = session.selected!.mailbox.id;
  await ensureMailboxSortKeys(store, mailboxId);
  const matched = await matchingUids(session, key);
  const sorted = await sortUids(store, mailboxId, criteria, matched.uids);
  // The store may answer for the whole mailbox: keep what matched.
  const wanted = new Set(matched.uids);
  return { uids: sorted.filter((uid) => wanted.has(uid)), highestModseq: matched.highestModseq };
}
