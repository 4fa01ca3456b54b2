// mail: stored messages. Lists carry the metadata; a single read adds Daptin's
// `mail` attribute (raw message, base64, streamed from the store as the
// response is written) and a parsed view (text, html, attachments). Flag
// changes and deletion go through the store (IMAP sessions get FETCH /
// EXPUNGE); creation stores a raw RFC 822 message like IMAP APPEND and Heron
// derives every metadata column from it.
import { z } from 'zod';
import { deliverMessage, expungeMessages, findMailboxById, parseFlags, rawChunkSize, rawSize, readRawChunks, storeFlags } from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import { StreamedBase64 } from '../streamed-json.ts';
import { decodeMailAttribute, parsedView } from './mail-raw.ts';
import type { ResourceDef } from './types.ts';

const MAX_MESSAGE = 25 * 1024 * 1024;
// RFC 3501 §9 flag syntax: a system flag or an atom keyword. \Recent is session state and never stored.
export const ImapFlag = z.string().regex(/^\\?[^\s(){%*"\\\]\u0000-\u001f\u007f]+$/, 'not an IMAP flag').max(200);
const flagList = z.union([z.array(ImapFlag).max(100), z.string().max(4000)]).transform((v) => (Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean)));
const date = z.union([z.number().int().nonnegative(), z.string().refine((s) => Number.isFinite(Date.parse(s)), 'expected an ISO 8601 date')]);
const ignored = z.unknown().optional();

const FLAG_BOOLEANS = { seen: '\\Seen', answered: '\\Answered', flagged: '\\Flagged', deleted: '\\Deleted', draft: '\\Draft' } as const;
const flagBooleans = {
  seen: z.boolean().optional(),
  answered: z.boolean().optional(),
  flagged: z.boolean().optional(),
  deleted: z.boolean().optional(),
  draft: z.boolean().optional(),
};

const Create = z.strictObject({
  mail: z.string().min(1).max(Math.ceil((MAX_MESSAGE * 4) / 3) + 4),
  flags: flagList.optional(),
  ...flagBooleans,
  internal_date: date.optional(),
  spam_score: z.number().int().optional(),
  spam: z.boolean().optional(),
  ip_addr: z.string().max(100).optional(),
  return_path: z.string().max(1000).optional(),
  is_tls: z.boolean().optional(),
  recipient: z.string().max(1000).optional(),
  // Daptin's recipe sends these too; Heron derives them from the message itself.
  message_id: ignored,
  mail_id: ignored,
  from_address: ignored,
  to_address: ignored,
  sender_address: ignored,
  subject: ignored,
  body: ignored,
  hash: ignored,
  content_type: ignored,
  reply_to_address: ignored,
  has_attachment: ignored,
  size: ignored,
  recent: ignored,
});

const Update = z.strictObject({ flags: flagList.optional(), ...flagBooleans });

/** The flag list a body asks for: `flags`, adjusted by the boolean shortcuts. */
function flagsFrom(a: { flags?: string[] } & Partial<Record<keyof typeof FLAG_BOOLEANS, boolean>>): string[] {
  let next = a.flags ?? [];
  for (const [key, name] of Object.entries(FLAG_BOOLEANS) as Array<[keyof typeof FLAG_BOOLEANS, string]>) {
    if (a[key] === true) next = [...next, name];
    if (a[key] === false) next = next.filter((f) => f.toLowerCase() !== name.toLowerCase());
  }
  return next.filter((f) => f.toLowerCase() !== '\\recent');
}

export const mailResource: ResourceDef = {
  type: 'mail',
  description: 'Stored messages with their metadata; the raw message and a parsed view on a single read.',
  visibility: 'account',
  writers: { create: 'owner', update: 'owner', remove: 'owner' },
  relations: {
    mail_box_id: { type: 'mail_box', column: 'mail_box_id' },
    mail_account_id: { type: 'mail_account', column: 'mail_account_id' },
  },
  // Daptin's recipe links the mail to a user; Heron derives ownership from the mailbox.
  ignoredRelationships: ['user_account_id'],
  createAttributes: Create,
  updateAttributes: Update,
  search: ['subject', 'from_address', 'to_address', 'message_id'],
  async present(services, row, full) {
    const out: Record<string, unknown> = { flags: parseFlags(row.flags as string) };
    if (full) {
      // The raw message is read in chunks twice (parsed, then sent as base64 while the response is written), never whole.
      const rawId = row.mail_raw_id as number;
      const size = await rawSize(services.store, rawId);
      if (size === null) throw new HttpError(404, 'Not Found', 'the message was deleted while it was read');
      const chunks = () => readRawChunks(services.store, rawId, 0, size, rawChunkSize(services.store, size));
      const view = await parsedView(chunks());
      Object.assign(out, { mail: new StreamedBase64(chunks), body: view.text, text: view.text, html: view.html, attachments: view.attachments });
    }
    return out;
  },
  async create(caller, { attributes, relationships }) {
    const a = attributes as z.infer<typeof Create>;
    const mailboxId = relationships.mail_box_id;
    if (mailboxId == null) throw new HttpError(422, 'Unprocessable Entity', 'relationships.mail_box_id is required');
    const mailbox = await findMailboxById(caller.store, mailboxId);
    if (!mailbox || mailbox.noselect) throw new HttpError(422, 'Unprocessable Entity', 'that mailbox cannot hold messages (\\Noselect)');
    let raw: Buffer;
    try {
      raw = decodeMailAttribute(a.mail);
    } catch {
      throw new HttpError(422, 'Unprocessable Entity', 'mail: not a readable message (bad gzip data)');
    }
    if (raw.length > MAX_MESSAGE) throw new HttpError(413, 'Payload Too Large', `messages are limited to ${MAX_MESSAGE} bytes`);
    const internalDate = a.internal_date === undefined ? undefined : typeof a.internal_date === 'number' ? a.internal_date : Date.parse(a.internal_date);
    const [stored] = await deliverMessage(caller.store, {
      raw,
      internalDate,
      copies: [{ mailboxId, flags: flagsFrom(a), recipient: a.recipient }],
      meta: { returnPath: a.return_path, ipAddr: a.ip_addr, isTls: a.is_tls, spamScore: a.spam_score, spam: a.spam },
    });
    return { id: stored.referenceId, created: true };
  },
  async update(caller, row, { attributes, relationships }) {
    const a = attributes as z.infer<typeof Update>;
    if (Object.keys(relationships).length > 0) throw new HttpError(422, 'Unprocessable Entity', 'moving a message is not supported through PATCH');
    const target = { mailboxId: row.mail_box_id as number, uids: [row.uid as number] };
    if (a.flags !== undefined) {
      await storeFlags(caller.store, { ...target, op: 'set', flags: flagsFrom(a) });
      return;
    }
    // Booleans alone add or remove single flags, so a concurrent IMAP STORE of other flags is kept.
    const add = Object.entries(FLAG_BOOLEANS).filter(([key]) => a[key as keyof typeof FLAG_BOOLEANS] === true).map(([, flag]) => flag);
    const remove = Object.entries(FLAG_BOOLEANS).filter(([key]) => a[key as keyof typeof FLAG_BOOLEANS] === false).map(([, flag]) => flag);
    if (add.length > 0) await storeFlags(caller.store, { ...target, op: 'add', flags: add });
    if (remove.length > 0) await storeFlags(caller.store, { ...target, op: 'remove', flags: remove });
  },
  async remove(caller, row) {
    await expungeMessages(caller.store, { mailboxId: row.mail_box_id as number, uids: [row.uid as number], force: true });
  },
};
