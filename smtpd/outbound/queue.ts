// Putting a message in the queue: Message-ID and Date when missing, Bcc
// removed, a DKIM signature for the sender's domain, one outbox row per
// destination domain with all its recipients, and a copy in the sender's Sent
// folder (with its Bcc).
import crypto from 'node:crypto';
import { dkimSign } from 'mailauth';
import { dkimSigningKey, ensureDkimKey } from '../../certs/dkim.ts';
import {
  deliverMessage,
  enqueueOutbox,
  findBodyStart,
  findSpecialMailbox,
  isHostedDomain,
  parseHeaderFields,
  type OutboxRow,
} from '../../schema/index.ts';
import addressparser from 'nodemailer/lib/addressparser';
import { withoutBcc } from '../bcc.ts';
import type { OutboundDeps } from './deps.ts';

export const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** The header block of a message, parsed. */
function headers(raw: Buffer) {
  return parseHeaderFields(raw.subarray(0, findBodyStart(raw, 0, raw.length)));
}

/** RFC 5322 §3.6: Date and Message-ID are added when the submitter left them out (RFC 6409 §8). */
export function ensureDateAndMessageId(raw: Buffer, domain: string): { raw: Buffer; messageId: string } {
  const fields = headers(raw);
  const added: string[] = [];
  let messageId = fields.find((f) => f.key === 'message-id')?.value ?? '';
  if (!messageId) {
    messageId = `<${crypto.randomUUID()}@${domain}>`;
    added.push(`Message-ID: ${messageId}\r\n`);
  }
  if (!fields.some((f) => f.key === 'date')) added.push(`Date: ${new Date().toUTCString().replace('GMT', '+0000')}\r\n`);
  return { raw: added.length ? Buffer.concat([Buffer.from(added.join('')), raw]) : raw, messageId };
}

/**
 * The domain to sign for: the From header's domain when Heron hosts it (so the
 * signature aligns for DMARC), otherwise the authenticated account's domain.
 */
async function signingDomain(deps: OutboundDeps, raw: Buffer, accountAddress: string): Promise<string> {
  const from = headers(raw).find((f) => f.key === 'from')?.value ?? '';
  const address = addressparser(from)[0]?.address ?? '';
  if (address.includes('@') && (await isHostedDomain(deps.store, domainOf(address)))) return domainOf(address);
  return domainOf(accountAddress);
}

/** Prepends a relaxed/relaxed DKIM-Signature with the domain's active key (created on first use). */
export async function signMessage(deps: OutboundDeps, raw: Buffer, accountAddress: string): Promise<Buffer> {
  const domain = await signingDomain(deps, raw, accountAddress);
  const key = await ensureDkimKey(deps.store, deps.secret, domain);
  const signing = dkimSigningKey(key, deps.secret);
  // mailauth signs with the entries of signatureData; the top-level fields only satisfy its types.
  // One timestamp: without signTime mailauth reads the clock once for the signed
  // header and again for the one it returns, and the two t= differ across a second.
  const result = await dkimSign(raw, { ...signing, signatureData: [signing], signTime: new Date() });
  if (result.errors?.length) throw new Error(`DKIM signing failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return Buffer.concat([Buffer.from(result.signatures), raw]);
}

export interface OutgoingMessage {
  /** What leaves Heron: no Bcc, DKIM-signed (the signature covers exactly what is sent). */
  raw: Buffer;
  /** The sender's own copy: the same message with its Bcc, unsigned (as the REST path files it). */
  sentRaw: Buffer;
  messageId: string;
}

/** Adds Date/Message-ID, removes Bcc and signs. */
export async function prepareOutgoing(deps: OutboundDeps, raw: Buffer, accountAddress: string): Promise<OutgoingMessage> {
  const withHeaders = ensureDateAndMessageId(raw, domainOf(accountAddress) || deps.hostname);
  return {
    raw: await signMessage(deps, withoutBcc(withHeaders.raw), accountAddress),
    sentRaw: withHeaders.raw,
    messageId: withHeaders.messageId,
  };
}

/** Groups recipients by destination domain, keeping their order. */
export function byDomain(recipients: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const rcpt of recipients) {
    const domain = domainOf(rcpt);
    const list = groups.get(domain) ?? [];
    if (!list.some((r) => r.toLowerCase() === rcpt.toLowerCase())) list.push(rcpt);
    groups.set(domain, list);
  }
  return groups;
}

export interface QueueInput {
  accountId: number | null;
  envelopeFrom: string;
  recipients: string[];
  raw: Buffer;
  messageId: string;
}

/** Commits one row per destination (all or none); resolves after the commit. */
export async function queueForDelivery(deps: OutboundDeps, input: QueueInput): Promise<OutboxRow[]> {
  const entries = [...byDomain(input.recipients)].map(([toHost, recipients]) => ({
    accountId: input.accountId,
    fromAddress: input.envelopeFrom,
    envelopeFrom: input.envelopeFrom,
    toHost,
    recipients,
    raw: input.raw,
    messageId: input.messageId,
  }));
  return entries.length ? enqueueOutbox(deps.store, entries) : [];
}

/** Files what was sent in the account's \Sent mailbox, marked \Seen. */
export async function fileSentCopy(deps: OutboundDeps, accountId: number, raw: Buffer): Promise<void> {
  const sent = await findSpecialMailbox(deps.store, accountId, '\\Sent');
  // Counted, never refused: the mail has gone already.
  await deliverMessage(deps.store, { raw, copies: [{ mailboxId: sent.id, flags: ['\\Seen'] }], enforceQuota: false });
}
