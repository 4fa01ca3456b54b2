// Sending by REST: the caller must own the From account (an admin may use any),
// the message is built with MailComposer, signed, delivered locally for local
// recipients and queued for the rest, filed in Sent, and the referenced message
// (reply or forward) gets \Answered or $Forwarded.
import {
  deliverMessage,
  type Envelope,
  envelopeAddresses,
  getMessages,
  type MailReference,
  findBodyStart,
  findMailAccount,
  findMailByReferenceId,
  findSpecialMailbox,
  isHostedDomain,
  type MailAccountRow,
  parseHeaderFields,
  readRaw,
  storeFlags,
  StoreError,
  type UserAccountRow,
} from '../../schema/index.ts';
import { composeMessage, type ComposeInput, MailboxSchema, type MailboxValue, type ReferencedMessage } from './compose.ts';
import type { OutboundDeps } from './deps.ts';
import { domainOf, fileSentCopy, queueForDelivery, signMessage } from './queue.ts';

export interface SubmitResult {
  messageId: string;
  /** outbox reference_ids, one per remote destination. */
  queueIds: string[];
  /** Local recipients the message was delivered to. */
  delivered: string[];
}

/** The mail_account for `address` if the caller may send as it; NOPERM otherwise. */
export async function accountForSender(deps: OutboundDeps, user: UserAccountRow, address: string): Promise<MailAccountRow> {
  const account = await findMailAccount(deps.store, address);
  // One answer for "no such account" and "not yours": the API does not reveal other users' addresses.
  if (!account || (!user.is_admin && account.user_account_id !== user.id)) {
    throw new StoreError('NOPERM', `you may not send as ${address}`);
  }
  return account;
}

async function loadReference(deps: OutboundDeps, user: UserAccountRow, id: string, action: 'reply' | 'reply-all' | 'forward') {
  const ref = await findMailByReferenceId(deps.store, id);
  if (!ref || (!user.is_admin && ref.ownerUserId !== user.id)) throw new StoreError('NONEXISTENT', `no message ${id}`);
  const raw = await readRaw(deps.store, ref.rawId);
  const fields = parseHeaderFields(raw.subarray(0, findBodyStart(raw, 0, raw.length)));
  const referencesHeader = fields.find((f) => f.key === 'references')?.value ?? '';
  const referenced: ReferencedMessage = {
    action: action === 'forward' ? 'forward' : 'reply',
    messageId: ref.messageId,
    references: referencesHeader.match(/<[^<>\s]+>/g) ?? [],
    subject: ref.subject,
    raw,
  };
  return { ref, referenced };
}

type Recipients = Pick<ComposeInput, 'to' | 'cc'>;

/**
 * EmailEngine's reply recipients: a reply goes to the original's Reply-To (its
 * From when it has none, RFC 3501 §7.4.2's ENVELOPE default) unless `to` is
 * given; reply-all adds the original's To and Cc (and keeps those given),
 * without the sender's own address or repeats.
 */
async function replyRecipients(deps: OutboundDeps, ref: MailReference, input: ComposeInput, own: string): Promise<Recipients> {
  const action = input.reference?.action;
  if (action === 'forward' || (action === 'reply' && input.to)) return {};
  const [meta] = await getMessages(deps.store, ref.mailboxId, [ref.uid]);
  if (!meta) return {};
  const mailboxes = (list: Envelope['to']): MailboxValue[] =>
    envelopeAddresses(list).flatMap((a) => {
      const parsed = MailboxSchema.safeParse(a);
      return parsed.success ? [parsed.data] : [];
    });
  if (action === 'reply') return { to: mailboxes(meta.envelope.replyTo) };
  const seen = new Set([own.toLowerCase()]);
  const unique = (list: MailboxValue[]) =>
    list.filter((m) => {
      const key = m.address.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  return {
    to: unique([...mailboxes(meta.envelope.replyTo), ...mailboxes(meta.envelope.to), ...(input.to ?? [])]),
    cc: unique([...mailboxes(meta.envelope.cc), ...(input.cc ?? [])]),
  };
}

export async function submitMessage(deps: OutboundDeps, user: UserAccountRow, input: ComposeInput & { from: { name: string; address: string } }): Promise<SubmitResult> {
  const account = await accountForSender(deps, user, input.from.address);
  const reference = input.reference ? await loadReference(deps, user, input.reference.message, input.reference.action) : undefined;
  const recipients = reference ? await replyRecipients(deps, reference.ref, input, account.username) : {};
  const composed = await composeMessage({ ...input, ...recipients }, reference?.referenced);
  if (composed.recipients.length === 0) throw new StoreError('CANNOT', 'the message needs at least one recipient (to, cc or bcc)');

  // Local recipients are resolved before anything is stored: an unknown local address fails the whole send.
  const local: MailAccountRow[] = [];
  const remote: string[] = [];
  for (const rcpt of composed.recipients) {
    if (await isHostedDomain(deps.store, domainOf(rcpt))) {
      const target = await findMailAccount(deps.store, rcpt);
      if (!target) throw new StoreError('NONEXISTENT', `no mailbox ${rcpt} here`);
      local.push(target);
    } else {
      remote.push(rcpt);
    }
  }
  const signed = await signMessage(deps, composed.raw, account.username);
  if (local.length) {
    const copies = await Promise.all(
      local.map(async (target) => ({ mailboxId: (await findSpecialMailbox(deps.store, target.id, 'INBOX')).id, recipient: target.username })),
    );
    await deliverMessage(deps.store, { raw: signed, copies, meta: { returnPath: account.username } });
  }
  const rows = await queueForDelivery(deps, { accountId: account.id, envelopeFrom: account.username, recipients: remote, raw: signed, messageId: composed.messageId });
  // REST clients have no other way to keep a copy: the Sent copy is always filed, with its Bcc.
  await fileSentCopy(deps, account.id, composed.sentRaw);
  if (reference) {
    await storeFlags(deps.store, {
      mailboxId: reference.ref.mailboxId,
      uids: [reference.ref.uid],
      op: 'add',
      flags: [reference.referenced.action === 'reply' ? '\\Answered' : '$Forwarded'],
    });
  }
  deps.log.info({ messageId: composed.messageId, queueIds: rows.map((r) => r.reference_id), local: local.length }, 'REST message sent');
  return { messageId: composed.messageId, queueIds: rows.map((r) => r.reference_id), delivered: local.map((a) => a.username) };
}
