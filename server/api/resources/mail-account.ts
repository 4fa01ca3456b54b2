// mail_account: an address that signs in over IMAP/SMTP. The password is hashed
// (scrypt) and never returned; Daptin's password_md5 is accepted and ignored.
// Creating an account creates its special-use mailboxes; deleting it removes
// its mailboxes and mail. Quotas (RFC 9208, served over IMAP by GETQUOTA):
// quota_storage_bytes and quota_messages (null = unlimited) are set by an
// administrator; used_storage_bytes and used_messages are read-only.
import { z } from 'zod';
import {
  addressKeySchema,
  createMailAccount,
  deleteMailAccount,
  findMailServerByHostname,
  setAccountQuota,
  setMailAccountPassword,
  updateMailAccount,
} from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import { ownerOf, type ResourceDef } from './types.ts';

const username = addressKeySchema();
const password = z.string().min(1).max(1024);

/** A limit: a whole number up to 2^53 - 1, or null for unlimited. */
const limit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional();
const quotas = { quota_storage_bytes: limit, quota_messages: limit };

const Create = z.strictObject({ username, password, password_md5: z.string().max(1024).optional(), ...quotas });
const Update = z.strictObject({ username: username.optional(), password: password.optional(), password_md5: z.string().max(1024).optional(), ...quotas });

/** The quota attributes given in a body, as setAccountQuota takes them. */
const quotaChanges = (a: { quota_storage_bytes?: number | null; quota_messages?: number | null }) => ({ storageBytes: a.quota_storage_bytes, messages: a.quota_messages });
const hasQuota = (a: { quota_storage_bytes?: number | null; quota_messages?: number | null }) => a.quota_storage_bytes !== undefined || a.quota_messages !== undefined;

export const mailAccountResource: ResourceDef = {
  type: 'mail_account',
  description: 'Mail addresses with their IMAP/SMTP password; each gets INBOX, Sent, Drafts, Trash and Junk.',
  visibility: 'owner',
  writers: { create: 'admin', update: 'owner', remove: 'admin' },
  relations: {
    mail_server_id: { type: 'mail_server', column: 'mail_server_id' },
    user_account_id: { type: 'user_account', column: 'user_account_id' },
    mail_box: { type: 'mail_box', column: 'mail_account_id', many: true },
    mail: { type: 'mail', column: 'mail_account_id', many: true },
    outbox: { type: 'outbox', column: 'mail_account_id', many: true },
  },
  createAttributes: Create,
  updateAttributes: Update,
  search: ['username'],
  async create(caller, { attributes, relationships }) {
    const a = attributes as z.infer<typeof Create>;
    let serverId = relationships.mail_server_id ?? undefined;
    if (serverId === undefined) {
      // Unlike Daptin, the server may be left out: the address's domain names it.
      const server = await findMailServerByHostname(caller.store, a.username.slice(a.username.lastIndexOf('@') + 1));
      if (!server) throw new HttpError(422, 'Unprocessable Entity', 'relationships.mail_server_id is required (no mail_server hosts this domain)');
      serverId = server.id;
    }
    const owner = ownerOf(caller, relationships);
    const row = await createMailAccount(caller.store, { username: a.username, password: a.password, mailServerId: serverId, userAccountId: owner });
    if (hasQuota(a)) await setAccountQuota(caller.store, row.id, quotaChanges(a));
    return { id: row.reference_id, created: true };
  },
  async update(caller, row, { attributes, relationships }) {
    const a = attributes as z.infer<typeof Update>;
    const moves = a.username !== undefined || Object.keys(relationships).length > 0;
    if (moves && !caller.user.is_admin) throw new HttpError(403, 'Forbidden', 'only an administrator can change the address, server or owner');
    if (hasQuota(a) && !caller.user.is_admin) throw new HttpError(403, 'Forbidden', 'only an administrator can change the quota');
    if (relationships.mail_server_id === null) throw new HttpError(422, 'Unprocessable Entity', 'a mail account needs a mail_server');
    if (moves) {
      await updateMailAccount(caller.store, row.id, {
        username: a.username,
        mailServerId: relationships.mail_server_id ?? undefined,
        ...('user_account_id' in relationships ? { userAccountId: relationships.user_account_id } : {}),
      });
    }
    if (a.password !== undefined) await setMailAccountPassword(caller.store, row.id, a.password);
    if (hasQuota(a)) await setAccountQuota(caller.store, row.id, quotaChanges(a));
  },
  async remove(caller, row) {
    await deleteMailAccount(caller.store, row.id);
  },
};
