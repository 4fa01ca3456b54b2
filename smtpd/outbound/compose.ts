// Building a message from a REST send request with nodemailer's MailComposer.
// Header values go through MailComposer's encoder (a CR or LF in a subject, a
// display name or a file name is encoded, never a line break); addresses are
// validated here first, because an address string is also the SMTP envelope.
import crypto from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { z } from 'zod';
import { mailAddressSchema } from '../../schema/index.ts';

// An addr-spec by the one address rule (schema/address.ts): no display name,
// no controls; the domain becomes its A-label, the local part keeps its case.
export const AddressSchema = mailAddressSchema();

export const MailboxSchema = z.union([
  AddressSchema.transform((address) => ({ name: '', address })),
  z.object({ name: z.string().max(256).optional().default(''), address: AddressSchema }),
]);
const MailboxList = z.union([MailboxSchema.transform((m) => [m]), z.array(MailboxSchema).max(500)]);

const TOKEN = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/;

export const AttachmentSchema = z.object({
  filename: z.string().min(1).max(255),
  /** Base64. */
  content: z
    .string()
    .max(40 * 1024 * 1024)
    .refine((s) => /^[A-Za-z0-9+/=\s]*$/.test(s), 'content must be base64'),
  contentType: z.string().regex(TOKEN, 'contentType must be type/subtype').optional(),
  cid: z
    .string()
    .regex(/^[A-Za-z0-9.@_+-]{1,200}$/)
    .optional(),
});

export const ReferenceSchema = z
  .object({
    /** The stored message's id (mail reference_id); EmailEngine calls it `message`, `mail` is accepted too. */
    message: z.string().uuid().optional(),
    mail: z.string().uuid().optional(),
    /** EmailEngine's actions; reply-all also writes to the original's To and Cc. */
    action: z.enum(['reply', 'reply-all', 'forward']).default('reply'),
  })
  .refine((r) => (r.message ?? r.mail) !== undefined, 'reference needs the stored message id in "message"')
  .transform((r) => ({ message: (r.message ?? r.mail) as string, action: r.action }));

/** The send request, EmailEngine's field names. */
export const ComposeSchema = z.object({
  from: MailboxSchema.optional(),
  to: MailboxList.optional(),
  cc: MailboxList.optional(),
  bcc: MailboxList.optional(),
  replyTo: MailboxSchema.optional(),
  subject: z.string().max(2000).optional(),
  text: z.string().max(20 * 1024 * 1024).optional(),
  html: z.string().max(20 * 1024 * 1024).optional(),
  attachments: z.array(AttachmentSchema).max(100).optional(),
  reference: ReferenceSchema.optional(),
});

export type ComposeInput = z.infer<typeof ComposeSchema>;
export type MailboxValue = z.infer<typeof MailboxSchema>;

/** What a reply or forward needs from the original. */
export interface ReferencedMessage {
  action: 'reply' | 'forward';
  messageId: string;
  /** The original's References (message ids), oldest first. */
  references: string[];
  subject: string;
  raw: Buffer;
}

export interface ComposedMessage {
  /** What is sent: no Bcc header. */
  raw: Buffer;
  /** The sender's own copy: the same message with its Bcc header. */
  sentRaw: Buffer;
  messageId: string;
  /** Envelope recipients: to, cc and bcc, without duplicates. */
  recipients: string[];
}

const MSG_ID = /^<[^\s<>]+>$/;

function prefixed(prefix: 'Re' | 'Fwd', subject: string): string {
  return new RegExp(`^${prefix}:`, 'i').test(subject.trim()) ? subject : `${prefix}: ${subject}`;
}

export async function composeMessage(input: ComposeInput & { from: MailboxValue }, reference?: ReferencedMessage): Promise<ComposedMessage> {
  const domain = input.from.address.slice(input.from.address.lastIndexOf('@') + 1);
  const messageId = `<${crypto.randomUUID()}@${domain}>`;
  let subject = input.subject;
  let inReplyTo: string | undefined;
  let references: string[] | undefined;
  const attachments: Array<{ filename: string; content: Buffer; contentType?: string; cid?: string; contentDisposition?: string }> = (input.attachments ?? []).map((a) => ({
    filename: a.filename,
    content: Buffer.from(a.content, 'base64'),
    contentType: a.contentType,
    cid: a.cid,
  }));
  if (reference) {
    const original = MSG_ID.test(reference.messageId) ? reference.messageId : undefined;
    if (reference.action === 'reply') {
      subject ??= prefixed('Re', reference.subject);
      if (original) {
        inReplyTo = original;
        references = [...reference.references.filter((r) => MSG_ID.test(r)), original];
      }
    } else {
      subject ??= prefixed('Fwd', reference.subject);
      // Forwarded as an attachment: the original travels byte for byte.
      attachments.push({ filename: 'forwarded-message.eml', content: reference.raw, contentType: 'message/rfc822', contentDisposition: 'attachment' });
      if (original) references = [original];
    }
  }
  const options = {
    from: input.from,
    to: input.to,
    cc: input.cc,
    bcc: input.bcc,
    replyTo: input.replyTo,
    subject: subject ?? '',
    text: input.text,
    html: input.html,
    attachments,
    messageId,
    inReplyTo,
    references,
    date: new Date(),
    baseBoundary: crypto.randomBytes(12).toString('hex'),
    newline: 'win',
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  const raw = await new MailComposer(options).compile().build();
  const own = new MailComposer(options).compile();
  own.keepBcc = true;
  const sentRaw = await own.build();
  const seen = new Set<string>();
  const recipients: string[] = [];
  for (const m of [...(input.to ?? []), ...(input.cc ?? []), ...(input.bcc ?? [])]) {
    const key = m.address.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      recipients.push(m.address);
    }
  }
  return { raw, sentRaw, messageId, recipients };
}
