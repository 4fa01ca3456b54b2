// EmailEngine's mailbox routes for Heron's own accounts: list (with counters),
// create, rename or (un)subscribe, delete. Create, rename and delete are IMAP's
// CREATE, RENAME and DELETE (RFC 3501 §6.3.3-5) through the store, which tells
// IMAP sessions.
import { z } from 'zod';
import { createMailbox, deleteMailbox, renameMailbox, setSubscribed, StoreError, type Store } from '../../../schema/index.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';
import { accountFor } from './access.ts';
import { bodyOf, JoiBoolean, parse, queryOf } from './input.ts';
import { findByPath, folderNotFound, joinPath, mailboxListing } from './mailboxes.ts';

const TAG = 'mail API: mailboxes';
const Path = z.string().min(1).max(1024);
/** EmailEngine's `path`: a path, or the names of its levels as a list. */
const PathInput = z.union([z.string().min(1).max(1024), z.array(z.string().max(256)).min(1).max(32)]);

const CreateBody = z.strictObject({ path: PathInput });
const ModifyBody = z
  .strictObject({ path: Path, newPath: PathInput.optional(), subscribed: z.boolean().optional() })
  .refine((b) => b.newPath !== undefined || b.subscribed !== undefined, 'give newPath or subscribed');

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

export function mailboxRoutes(routes: DocumentedRoutes, store: Store): void {
  routes.add(
    {
      method: 'get',
      path: '/v1/account/:account/mailboxes',
      summary: 'List mailboxes (EmailEngine): path, name, specialUse, messages, uidNext; `counters=true` adds status.messages/unseen',
      tag: TAG,
      auth: true,
      query: [{ name: 'counters', description: 'true: include status {messages, unseen}' }],
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'read');
      const { counters } = parse(z.object({ counters: JoiBoolean.default(false) }), queryOf(ctx));
      ctx.body = { mailboxes: await mailboxListing(store, account.id, counters) };
    },
  );

  routes.add(
    {
      method: 'post',
      path: '/v1/account/:account/mailbox',
      summary: 'Create a mailbox and any missing parents (IMAP CREATE); `path` is a string or a list of names',
      tag: TAG,
      auth: true,
      bodyType: 'json',
      body: jsonSchema(CreateBody),
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'write');
      const path = joinPath((await bodyOf(ctx, CreateBody)).path);
      try {
        const row = await createMailbox(store, account.id, path);
        ctx.body = { path: row.name, mailboxId: row.reference_id, created: true };
      } catch (err) {
        // As ImapFlow answers an ALREADYEXISTS: not an error, created false.
        if (!(err instanceof StoreError && err.code === 'ALREADYEXISTS')) throw err;
        const existing = await findByPath(store, account.id, path);
        ctx.body = { path: existing?.name ?? path, ...(existing ? { mailboxId: existing.reference_id } : {}), created: false };
      }
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/v1/account/:account/mailbox',
      summary: 'Rename a mailbox with its children (IMAP RENAME) and/or change its subscription',
      tag: TAG,
      auth: true,
      bodyType: 'json',
      body: jsonSchema(ModifyBody),
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'write');
      const body = await bodyOf(ctx, ModifyBody);
      const mailbox = await findByPath(store, account.id, body.path);
      if (!mailbox) throw folderNotFound();
      const out: { path: string; newPath?: string; mailboxId?: string; renamed?: boolean; subscribed?: boolean } = { path: mailbox.name };
      let name = mailbox.name;
      if (body.newPath !== undefined) {
        name = (await renameMailbox(store, account.id, mailbox.name, joinPath(body.newPath))).name;
        Object.assign(out, { newPath: name, mailboxId: mailbox.reference_id, renamed: true });
      }
      if (body.subscribed !== undefined) {
        await setSubscribed(store, account.id, name, body.subscribed);
        out.subscribed = body.subscribed;
      }
      ctx.body = out;
    },
  );

  routes.add(
    {
      method: 'delete',
      path: '/v1/account/:account/mailbox',
      summary: 'Delete a mailbox and its messages (IMAP DELETE; with children it stays as a \\Noselect name)',
      tag: TAG,
      auth: true,
      query: [{ name: 'path', description: 'the mailbox to delete' }],
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'write');
      const { path } = parse(z.object({ path: Path }), queryOf(ctx));
      const mailbox = await findByPath(store, account.id, path);
      if (!mailbox || mailbox.noselect) throw folderNotFound();
      await deleteMailbox(store, account.id, mailbox.name);
      ctx.body = { path: mailbox.name, mailboxId: mailbox.reference_id, deleted: true };
    },
  );
}
