// Several new messages into one mailbox in one transaction: IMAP MULTIAPPEND
// (RFC 3502, all or none, consecutive UIDs) and REPLACE (RFC 8508: the new
// message is stored and the old one expunged together, or neither happens).
import { StoreError } from './errors.ts';
import { normalizeFlags } from './flags.ts';
import { QuotaLedger, settleQuota } from './quota.ts';
import { allocate, expungeInWrite, insertMail, insertRaw, journal, lockMailboxes, notifyMailbox, prepareMessage } from './messages.ts';
import { now, type Store, type WriteContext, write } from './store.ts';
import { assignThread, threadKeys } from './threads.ts';

export interface NewMessage {
  raw: Buffer;
  flags?: string[];
  internalDate?: number;
}

export interface AppendedBatch {
  uidvalidity: number;
  /** The UIDs the messages got, in the order given. */
  uids: number[];
}

type Prepared = NewMessage & ReturnType<typeof prepareMessage> & { keys: ReturnType<typeof threadKeys> };

/** Parses every message before the transaction starts. */
function prepareAll(messages: readonly NewMessage[]): Prepared[] {
  return messages.map((m) => {
    const prepared = prepareMessage(m.raw);
    return { ...m, ...prepared, keys: threadKeys(prepared.indexed) };
  });
}

async function appendInWrite(tx: WriteContext, mailboxId: number, messages: readonly Prepared[], ledger: QuotaLedger): Promise<AppendedBatch> {
  const alloc = await allocate(tx, mailboxId, messages.length);
  const uids: number[] = [];
  for (const [i, m] of messages.entries()) {
    const uid = alloc.firstUid + i;
    const rawId = await insertRaw(tx, m.raw, m.sha256, m.indexed);
    await insertMail(tx, {
      mailboxId,
      accountId: alloc.accountId,
      rawId,
      uid,
      modseq: alloc.modseq,
      flags: normalizeFlags(m.flags ?? []),
      internalDate: m.internalDate ?? now(),
      size: m.raw.length,
      hash: m.sha256,
      recipient: '',
      meta: {},
      // In order, so a later message of the batch can join an earlier one's thread.
      threadId: await assignThread(tx, alloc.accountId, m.keys),
      indexed: { ...m.indexed, envelopeJson: m.envelopeJson, structureJson: m.structureJson },
    });
    await journal(tx, mailboxId, alloc.modseq, uid, 'new');
    ledger.add(alloc.accountId, 1, m.raw.length);
    uids.push(uid);
  }
  notifyMailbox(tx, alloc.accountId, mailboxId, alloc.modseq);
  return { uidvalidity: alloc.uidvalidity, uids };
}

/** MULTIAPPEND: every message is committed or none is. */
export async function appendMessages(store: Store, input: { mailboxId: number; messages: readonly NewMessage[] }): Promise<AppendedBatch> {
  const prepared = prepareAll(input.messages);
  return write(store, async (tx) => {
    const ledger = new QuotaLedger();
    const appended = await appendInWrite(tx, input.mailboxId, prepared, ledger);
    // RFC 9208 §4.2: over a limit the whole batch is refused ([OVERQUOTA]).
    await settleQuota(tx, ledger);
    return appended;
  });
}

/**
 * REPLACE: appends `message` to the target and expunges `uid` from the source
 * in one transaction. When the old message is already gone nothing is stored
 * (NONEXISTENT), so a client never ends up with two drafts.
 */
export async function replaceMessage(
  store: Store,
  input: { sourceMailboxId: number; uid: number; targetMailboxId: number; message: NewMessage },
): Promise<AppendedBatch> {
  const prepared = prepareAll([input.message]);
  return write(store, async (tx) => {
    await lockMailboxes(tx, [input.sourceMailboxId, input.targetMailboxId]);
    const exists = await tx.get(`SELECT 1 FROM mail WHERE mail_box_id = ? AND uid = ?`, input.sourceMailboxId, input.uid);
    if (!exists) throw new StoreError('NONEXISTENT', 'The message to replace no longer exists');
    // One ledger: replacing a message in the same account is charged only the difference.
    const ledger = new QuotaLedger();
    const appended = await appendInWrite(tx, input.targetMailboxId, prepared, ledger);
    await expungeInWrite(tx, input.sourceMailboxId, [input.uid], ledger);
    await settleQuota(tx, ledger);
    return appended;
  });
}
