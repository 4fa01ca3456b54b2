// EmailEngine's message changing routes for Heron's own accounts: flags (one
// message, or every message a search finds), move, delete (to Trash, or for
// good in Trash or Junk or with force). Each is the store call IMAP's STORE,
// MOVE and EXPUNGE make, so IMAP sessions see the change as if a client had
// made it.
import { z } from 'zod';
import { expungeMessages, type FlagOperation, type MailBoxRow, moveMessagesWithIds, storeFlags, type Store } from '../../../schema/index.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';
import { ImapFlag } from '../resources/mail.ts';
import { accountFor } from './access.ts';
import { bodyOf, JoiBoolean, parse, pathParam, queryOf, single } from './input.ts';
import { findByPath, selectableMailbox } from './mailboxes.ts';
import { storedMessage } from './messages.ts';
import { SearchSchema, searchMailbox } from './search.ts';

const TAG = 'mail API: changes';

const FlagList = single(ImapFlag.max(128), 100);
const Operations = z.strictObject({ add: FlagList.optional(), delete: FlagList.optional(), set: FlagList.optional() });
/** EmailEngine's messageUpdateSchema. Labels are Gmail's; for an IMAP account EmailEngine ignores them, and so does Heron. */
const Update = z.strictObject({ flags: Operations.optional(), labels: Operations.optional() });
const MoveBody = z.strictObject({ path: z.string().min(1).max(1024), source: z.string().max(1024).optional() });
const PathQuery = z.object({ path: z.string().min(1).max(1024) });
const ForceQuery = z.object({ force: JoiBoolean.default(false) });

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

type FlagResult = Partial<Record<'add' | 'delete' | 'set', boolean>>;

/** EmailEngine's answer: per operation, whether it ran (on at least one message). `set` replaces the flags and then add/delete are ignored. */
async function updateFlags(store: Store, mailboxId: number, uids: number[], update: z.output<typeof Update>): Promise<{ flags?: FlagResult }> {
  const ops = update.flags;
  if (!ops) return {};
  const run = async (op: FlagOperation, flags: string[]) => {
    if (uids.length > 0) await storeFlags(store, { mailboxId, uids, op, flags });
    return uids.length > 0;
  };
  if (ops.set) return { flags: { set: await run('set', ops.set) } };
  const out: FlagResult = {};
  if (ops.add?.length) out.add = await run('add', ops.add);
  if (ops.delete?.length) out.delete = await run('remove', ops.delete);
  return { flags: out };
}

const isTrashOrJunk = (m: MailBoxRow) => m.special_use === '\\Trash' || m.special_use === '\\Junk';

/**
 * EmailEngine's delete: for good when forced, when the mailbox is Trash or Junk,
 * or when there is no other Trash; otherwise a move to Trash.
 */
async function deleteMessages(store: Store, accountId: number, mailbox: MailBoxRow, uids: number[], force: boolean) {
  const trash = await findByPath(store, accountId, '\\Trash');
  if (force || isTrashOrJunk(mailbox) || !trash || trash.id === mailbox.id) {
    await expungeMessages(store, { mailboxId: mailbox.id, uids, force: true });
    return { deleted: true as const };
  }
  const { moved } = await moveMessagesWithIds(store, { sourceMailboxId: mailbox.id, uids, targetMailboxId: trash.id });
  return { deleted: false as const, destination: trash.name, moved };
}

export function changeRoutes(routes: DocumentedRoutes, store: Store): void {
  routes.add(
    {
      method: 'put',
      path: '/v1/account/:account/message/:message',
      summary: 'Change a message\'s flags: {"flags":{"add":[…],"delete":[…]}} or {"flags":{"set":[…]}} (IMAP STORE)',
      tag: TAG,
      auth: true,
      bodyType: 'json',
      body: jsonSchema(Update),
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'write');
      const { meta, mailbox } = await storedMessage(store, account.id, pathParam(ctx, 'message'));
      ctx.body = await updateFlags(store, mailbox.id, [meta.uid], await bodyOf(ctx, Update));
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/v1/account/:account/messages',
      summary: 'Change the flags of every message a search finds: {"search":{…},"update":{"flags":{…}}}',
      tag: TAG,
      auth: true,
      query: [{ name: 'path', description: 'the mailbox searched' }],
      bodyType: 'json',
      body: jsonSchema(z.strictObject({ search: SearchSchema, update: Update })),
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'write');
      const { path } = parse(PathQuery, queryOf(ctx));
      const body = await bodyOf(ctx, z.strictObject({ search: SearchSchema, update: Update }));
      const mailbox = await selectableMailbox(store, account.id, path);
      ctx.body = await updateFlags(store, mailbox.id, await searchMailbox(store, mailbox.id, body.search), body.update);
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/v1/account/:account/message/:message/move',
      summary: 'Move a message to another mailbox (IMAP MOVE); the answer has its new id and UID',
      tag: TAG,
      auth: true,
      bodyType: 'json',
      body: jsonSchema(MoveBody),
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'write');
      const { meta, mailbox } = await storedMessage(store, account.id, pathParam(ctx, 'message'));
      const target = await selectableMailbox(store, account.id, (await bodyOf(ctx, MoveBody)).path);
      const { moved } = await moveMessagesWithIds(store, { sourceMailboxId: mailbox.id, uids: [meta.uid], targetMailboxId: target.id });
      ctx.body = { path: target.name, ...(moved[0] ? { id: moved[0].targetId, uid: moved[0].targetUid } : {}) };
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/v1/account/:account/messages/move',
      summary: 'Move every message a search finds: {"search":{…},"path":"target"}; idMap pairs old and new ids',
      tag: TAG,
      auth: true,
      query: [{ name: 'path', description: 'the mailbox searched' }],
      bodyType: 'json',
      body: jsonSchema(z.strictObject({ search: SearchSchema, path: z.string() })),
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'write');
      const { path } = parse(PathQuery, queryOf(ctx));
      const body = await bodyOf(ctx, z.strictObject({ search: SearchSchema, path: z.string().min(1).max(1024) }));
      const mailbox = await selectableMailbox(store, account.id, path);
      const target = await selectableMailbox(store, account.id, body.path);
      const uids = await searchMailbox(store, mailbox.id, body.search);
      const { moved } = uids.length ? await moveMessagesWithIds(store, { sourceMailboxId: mailbox.id, uids, targetMailboxId: target.id }) : { moved: [] };
      ctx.body = { path: target.name, ...(moved.length ? { idMap: moved.map((m) => [m.sourceId, m.targetId]) } : {}) };
    },
  );

  routes.add(
    {
      method: 'delete',
      path: '/v1/account/:account/message/:message',
      summary: 'Delete a message: moved to Trash, or removed for good in Trash or Junk or with force=true',
      tag: TAG,
      auth: true,
      query: [{ name: 'force', description: 'true: remove for good wherever the message is' }],
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'write');
      const { force } = parse(ForceQuery, queryOf(ctx));
      const { meta, mailbox } = await storedMessage(store, account.id, pathParam(ctx, 'message'));
      const result = await deleteMessages(store, account.id, mailbox, [meta.uid], force);
      ctx.body = result.deleted
        ? { deleted: true }
        : { deleted: false, moved: { destination: result.destination, ...(result.moved[0] ? { message: result.moved[0].targetId } : {}) } };
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/v1/account/:account/messages/delete',
      summary: 'Delete every message a search finds (to Trash, or for good as DELETE …/message does)',
      tag: TAG,
      auth: true,
      query: [
        { name: 'path', description: 'the mailbox searched' },
        { name: 'force', description: 'true: remove for good' },
      ],
      bodyType: 'json',
      body: jsonSchema(z.strictObject({ search: SearchSchema })),
    },
    async (ctx) => {
      const { account } = await accountFor(ctx, store, 'write');
      const q = parse(PathQuery.extend(ForceQuery.shape), queryOf(ctx));
      const body = await bodyOf(ctx, z.strictObject({ search: SearchSchema }));
      const mailbox = await selectableMailbox(store, account.id, q.path);
      const uids = await searchMailbox(store, mailbox.id, body.search);
      const result = await deleteMessages(store, account.id, mailbox, uids, q.force);
      ctx.body = result.deleted
        ? { deleted: true }
        : { deleted: false, moved: { destination: result.destination, ...(result.moved.length ? { idMap: result.moved.map((m) => [m.sourceId, m.targetId]) } : {}) } };
    },
  );
}
