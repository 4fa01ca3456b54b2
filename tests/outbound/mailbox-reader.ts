// Reads what the store holds in one of an account's mailboxes (raw bytes and flags).
import { findSpecialMailbox, getMessages, listMessageSummaries, readRaw, type SpecialUse, type Store } from '../../schema/index.ts';

export async function mailboxContents(store: Store, accountId: number, box: SpecialUse | 'INBOX'): Promise<Array<{ uid: number; flags: string[]; raw: string }>> {
  const mailbox = await findSpecialMailbox(store, accountId, box);
  const uids = (await listMessageSummaries(store, mailbox.id)).map((m) => m.uid);
  const metas = await getMessages(store, mailbox.id, uids);
  return Promise.all(metas.map(async (m) => ({ uid: m.uid, flags: m.flags, raw: (await readRaw(store, m.rawId)).toString('utf8') })));
}
