// THREAD's result: the messages the criteria select, threaded by the
// algorithm asked for. The store gives only the columns threading needs.
import { ensureMailboxSortKeys, getThreadRows } from '../../schema/index.ts';
import type { ThreadAlgorithm } from '../parser/sort-thread-args.ts';
import type { SearchKey } from '../parser/search-keys.ts';
import { matchingUids } from '../search/matching-uids.ts';
import type { Session } from '../session.ts';
import { threadByOrderedSubject } from './ordered-subject.ts';
import { threadByReferences } from './references.ts';
import type { ThreadNode } from './thread-tree.ts';

export async function threadMessages(session: Session, algorithm: ThreadAlgorithm, key: SearchKey): Promise<ThreadNode[]> {
  const store = session.deps.store;
  const mailboxId = session.selected!.mailbox.id;
  await ensureMailboxSortKeys(store, mailboxId);
  const { uids } = await matchingUids(session, key);
  if (algorithm === 'orderedsubject') return threadByOrderedSubject(await getThreadRows(store, mailboxId, uids, false));
  return threadByReferences(await getThreadRows(store, mailboxId, uids), algorithm);
}
