// mail_box: a mailbox of a mail account. Create, rename and delete are IMAP's
// CREATE, RENAME and DELETE (RFC 3501 §6.3.3-5) through the store, which tells
// IMAP sessions. Daptin's uidvalidity/nextuid are accepted but the server
// assigns them; attributes, flags and permanent_flags are optional text.
import { z } from 'zod';
import {
  createMailbox,
  DEFAULT_MAILBOXES,
  deleteMailbox,
  findMailbox,
  mailboxStatus,
  renameMailbox,
  setSubscribed,
  updateMailboxDescriptors,
} from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import type { ResourceDef } from './types.ts';

const descriptor = z.string().max(1000);
const serverAssigned = z.number().int().optional();

const Create = z.strictObject({
  name: z.string().min(1).max(512),
  subscribed: z.boolean().optional(),
  uidvalidity: serverAssigned,
  nextuid: serverAssigned,
  uidnext: serverAssigned,
  attributes: descriptor.optional(),
  flags: descriptor.optional(),
  permanent_flags: descriptor.optional(),
});
const Update = Create.partial();

const DEFAULT_NAMES = new Set(DEFAULT_MAILBOXES.map((b) => b.name));

export const mailBoxResource: ResourceDef = {
  type: 'mail_box',
  description: 'Mailboxes of a mail account (IMAP folders).',
  visibility: 'account',
  writers: { create: 'owner', update: 'owner', remove: 'owner' },
  relations: {
    mail_account_id: { type: 'mail_account', column: 'mail_account_id' },
    mail: { type: 'mail', column: 'mail_box_id', many: true },
  },
  createAttributes: Create,
  updateAttributes: Update,
  search: ['name'],
  async present(services, row, full) {
    if (!full) return {};
    const status = await mailboxStatus(services.store, row.id);
    return { messages: status.messages, unseen: status.unseen, size: status.size };
  },
  async create(caller, { attributes, relationships }) {
    const a = attributes as z.infer<typeof Create>;
    const accountId = relationships.mail_account_id;
    if (accountId == null) throw new HttpError(422, 'Unprocessable Entity', 'relationships.mail_account_id is required');
    const existing = await findMailbox(caller.store, accountId, a.name);
    // Daptin's recipe creates INBOX by hand; Heron made it (and the other
    // special-use mailboxes) with the account, so that create answers with the existing row.
    const created = !(existing && !existing.noselect && DEFAULT_NAMES.has(existing.name));
    const row = created ? await createMailbox(caller.store, accountId, a.name) : existing!;
    if (a.subscribed !== undefined) await setSubscribed(caller.store, accountId, row.name, a.subscribed);
    if (a.attributes !== undefined || a.flags !== undefined || a.permanent_flags !== undefined) {
      await updateMailboxDescriptors(caller.store, row.id, a);
    }
    return { id: row.reference_id, created };
  },
  async update(caller, row, { attributes, relationships }) {
    const a = attributes as z.infer<typeof Update>;
    if (Object.keys(relationships).length > 0) throw new HttpError(422, 'Unprocessable Entity', 'a mailbox cannot move to another account');
    const accountId = row.mail_account_id as number;
    let name = row.name as string;
    if (a.name !== undefined && a.name !== name) name = (await renameMailbox(caller.store, accountId, name, a.name)).name;
    if (a.subscribed !== undefined) await setSubscribed(caller.store, accountId, name, a.subscribed);
    if (a.attributes !== undefined || a.flags !== undefined || a.permanent_flags !== undefined) {
      await updateMailboxDescriptors(caller.store, row.id, a);
    }
  },
  async remove(caller, row) {
    await deleteMailbox(caller.store, row.mail_account_id as number, row.name as string);
  },
};
