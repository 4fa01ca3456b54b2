// Several new messages into one mailbox in one transaction: IMAP MULTIAPPEND
// (RFC 3502, all or none, consecutive UIDs) and REPLACE (RFC 8508: the new
// message is stored and the old one expunged together, or neither happens).
import { StoreError } from './errors.ts';
import { normalizeFlags } from './flags.ts';
import { findMailboxById } from './mailboxes.ts';
import { QuotaLedger, settleQuota } from './quota.ts';
import { allocate, deliverPrepared, expungeInWrite, insertMail, insertRaw, journal, lockMailboxes, notifyMailbox, prepareMessage } from './messages.ts';
import { now, type Store, type WriteContext, write } from './store.ts';
import { assignThread, threadKeys } from './threads.ts';
import { queueWebhookEvent } from './webhooks.ts';

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
  // Threads before the mailbox lock, as deliverMessage takes them (threads.ts), and in
  // order, so a later message of the batch can join an earlier one's thread.
  const box = await findMailboxById(tx, mailboxId);
  if (!box) throw new StoreError('NONEXISTENT', 'mailbox does not exist');
  const accountId = box.mail_account_id;
  const threadIds: string[] = [];
  for (const m of messages) threadIds.push(await assignThread(tx, accountId, m.keys));
  const alloc = await allocate(tx, mailboxId, messages.length);
  const uids: number[] = [];
  for (const [i, m] of messages.entries()) {
    const uid = alloc.firstUid + i;
    const rawId = await insertRaw(tx, m.raw, m.sha256, m.indexed);
    const { referenceId } = await insertMail(tx, {
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
      threadId: threadIds[i],
      indexed: { ...m.indexed, envelopeJson: m.envelopeJson, structureJson: m.structureJson },
    });
    await journal(tx, mailboxId, alloc.modseq, uid, 'new');
    ledger.add(alloc.accountId, 1, m.raw.length);
    await queueWebhookEvent(tx, mailboxId, 'messageNew', { id: referenceId, uid });
    uids.push(uid);
  }
  notifyMailbox(tx, alloc.accountId, mailboxId, alloc.modseq);
  return { uidvalidity: alloc.uidvalidity, uids };
}

/** MULTIAPPEND: every message is committed or none is. */
export async function appendMessages(store: Store, input: { mailboxId: number; messages: readonly NewMessage[] }): Promise<AppendedBatch> {
  return appendPrepared(store, input.mailboxId, prepareAll(input.messages));
}

async function appendPrepared(store: Store, mailboxId: number, messages: readonly Prepared[]): Promise<AppendedBatch> {
  if (messages.length === 1) {
    // One message: as a delivery, whose mailbox lock is taken in its last statements only.
    const [m] = messages;
    const [stored] = await deliverPrepared(store, m.raw, m, { copies: [{ mailboxId, flags: m.flags }], internalDate: m.internalDate });
    return { uidvalidity: stored.uidvalidity, uids: [stored.uid] };
  }
  return write(store, async (tx) => {
    const ledger = new QuotaLedger();
    const appended = await appendInWrite(tx, mailboxId, messages, ledger);
    // RFC 9208 §4.2: over a limit the whole batch is refused ([OVERQUOTA]).
    await settleQuota(tx, ledger);
    return appended;
  });
}

export interface AppendCommand {
  mailboxId: number;
  messages: readonly NewMessage[];
}

/**
 * Several APPEND commands (a client's pipelined ones, each one message or a
 * MULTIAPPEND) in one transaction, so in one commit: their UIDs ascend in the
 * order given, on either engine, and the quota is settled for them together.
 * If that transaction fails (one is over quota, a mailbox went away), each is
 * stored alone, in order, so that one command's failure is its own, exactly
 * as if they had not been pipelined. Results are in input order.
 */
export async function appendPipelined(store: Store, commands: readonly AppendCommand[]): Promise<Array<PromiseSettledResult<AppendedBatch>>> {
  const prepared = commands.map((c): PromiseSettledResult<{ mailboxId: number; messages: Prepared[] }> => {
    try {
      return { status: 'fulfilled', value: { mailboxId: c.mailboxId, messages: prepareAll(c.messages) } };
    } catch (reason) {
      return { status: 'rejected', reason };
    }
  });
  const ready = prepared.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []));
  if (ready.length > 1) {
    try {
      const stored = await write(store, async (tx) => {
        // Every mailbox locked up front, in id order: two batches never wait for each other in a circle.
        await lockMailboxes(tx, ready.map((c) => c.mailboxId));
        const ledger = new QuotaLedger();
        const out: AppendedBatch[] = [];
        for (const c of ready) out.push(await appendInWrite(tx, c.mailboxId, c.messages, ledger));
        await settleQuota(tx, ledger);
        return out;
      });
      let next = 0;
      return prepared.map((p) => (p.status === 'fulfilled' ? { status: 'fulfilled', value: stored[next++] } : p));
    } catch {
      // Some command was refused: each on its own below.
    }
  }
  const out: Array<PromiseSettledResult<AppendedBatch>> = [];
  for (const p of prepared) {
    if (p.status === 'rejected') out.push(p);
    else {
      try {
        out.push({ status: 'fulfilled', value: await appendPrepared(store, p.value.mailboxId, p.value.messages) });
      } catch (reason) {
        out.push({ status: 'rejected', reason });
      }
    }
  }
  return out;
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
