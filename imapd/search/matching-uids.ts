// The messages a command's search criteria select, for SORT and THREAD: ALL
// (the criteria clients send most) is the session's message list as it
// stands, with no search; anything else is a SEARCH.
import type { SearchKey } from '../parser/search-keys.ts';
import type { Session } from '../session.ts';
import { evaluateSearch } from './evaluate.ts';

/** UIDs (ascending) among the session's messages that match, and the highest MODSEQ among them when the criteria ask for it. */
export async function matchingUids(session: Session, key: SearchKey): Promise<{ uids: number[]; highestModseq: number }> {
  // Expunged messages not yet reported stay in the list; the store's reads skip them.
  if (key.k === 'all') return { uids: Array.from(session.selected!.uids), highestModseq: 0 };
  return evaluateSearch(session, key);
}
