// mail_server: one hosted mail domain and (optionally) its own listener. Every
// write goes through the store, which emits `mail_server`; the SMTP listeners
// reload on it, so no restart is needed (unlike Daptin).
import { z } from 'zod';
import { createMailServer, deleteMailServer, domainSchema, updateMailServer } from '../../../schema/index.ts';
import { ownerOf, type ResourceDef } from './types.ts';

// Any host name, single labels and IDNs included; stored as a lowercase A-label.
const hostname = domainSchema;
// Daptin's "0.0.0.0:465"; empty means the default listeners serve this domain.
const listenInterface = z
  .string()
  .trim()
  .max(100)
  .regex(/^$|^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]*):\d{1,5}$/, 'expected host:port')
  .refine((v) => v === '' || Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, 'port out of range');

const settings = {
  is_enabled: z.boolean(),
  listen_interface: listenInterface,
  always_on_tls: z.boolean(),
  authentication_required: z.boolean(),
  max_size: z.number().int().min(1024).max(1024 * 1024 * 1024),
  max_clients: z.number().int().min(1).max(100000),
  xclient_on: z.boolean(),
};

const Create = z.strictObject({ hostname, ...z.object(settings).partial().shape });
const Update = z.strictObject({ hostname: hostname.optional(), ...z.object(settings).partial().shape });

export const mailServerResource: ResourceDef = {
  type: 'mail_server',
  description: 'Hosted mail domains and their SMTP listener settings.',
  visibility: 'server',
  writers: { create: 'admin', update: 'admin', remove: 'admin' },
  relations: {
    user_account_id: { type: 'user_account', column: 'user_account_id' },
    mail_account: { type: 'mail_account', column: 'mail_server_id', many: true },
  },
  createAttributes: Create,
  updateAttributes: Update,
  search: ['hostname'],
  async create(caller, { attributes, relationships }) {
    const a = attributes as z.infer<typeof Create>;
    const owner = ownerOf(caller, relationships);
    const row = await createMailServer(caller.store, { ...a, user_account_id: owner });
    return { id: row.reference_id, created: true };
  },
  async update(caller, row, { attributes, relationships }) {
    const a = attributes as z.infer<typeof Update>;
    await updateMailServer(caller.store, row.id, {
      ...a,
      ...('user_account_id' in relationships ? { user_account_id: relationships.user_account_id } : {}),
    });
  },
  async remove(caller, row) {
    await deleteMailServer(caller.store, row.id);
  },
};
