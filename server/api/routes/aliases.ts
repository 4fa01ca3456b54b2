// Aliases (mail_alias): extra addresses delivered to, and sendable as by, a mail
// account. Listing follows the account's visibility (an owner sees their own);
// creating and deleting need an administrator, and an alias must be in a hosted
// domain (elsewhere it would only widen what the account may send as).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import {
  createMailAlias,
  deleteMailAlias,
  findRowByReference,
  listHostedDomains,
  listMailAliases,
  type MailAliasRow,
  queryRows,
  referencesFor,
  type Store,
  type UserAccountRow,
} from '../../../schema/index.ts';
import { currentUser, requireAdmin } from '../auth.ts';
import { readJson } from '../body.ts';
import { HttpError } from '../errors.ts';
import type { RouteDoc } from '../openapi/registry.ts';
import { scopeFor } from '../query/scope.ts';
import { mailAccountResource } from '../resources/mail-account.ts';

const address = z.string().trim().toLowerCase().max(320).regex(/^[^@\s]+@[^@\s]+$/, 'expected a full address like sales@example.com');
const CreateBody = z.object({ attributes: z.object({ address, mail_account_id: z.string().uuid() }) });
const DeleteBody = z.object({ attributes: z.object({ mail_alias_id: z.string().uuid() }) });

const attributes = (properties: Record<string, unknown>, required: string[]) => ({
  type: 'object',
  properties: { attributes: { type: 'object', required, properties } },
});

export const ALIAS_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/action/mail_alias/list',
    summary: 'Aliases of the mail accounts the caller may see (?mail_account_id=<uuid> for one account)',
    tag: 'mail_alias',
    auth: true,
    query: [{ name: 'mail_account_id', description: 'UUID of a mail account' }],
  },
  {
    method: 'post',
    path: '/action/mail_alias/create',
    summary: 'Add an alias (an address in a hosted domain) to a mail account',
    tag: 'mail_alias',
    auth: true,
    bodyType: 'json',
    body: attributes({ address: { type: 'string' }, mail_account_id: { type: 'string' } }, ['address', 'mail_account_id']),
  },
  {
    method: 'post',
    path: '/action/mail_alias/delete',
    summary: 'Remove an alias',
    tag: 'mail_alias',
    auth: true,
    bodyType: 'json',
    body: attributes({ mail_alias_id: { type: 'string' } }, ['mail_alias_id']),
  },
];

async function parse<T>(ctx: Context, schema: z.ZodType<T>, shape: string): Promise<T> {
  const parsed = schema.safeParse(await readJson(ctx, 16 * 1024));
  if (!parsed.success) throw new HttpError(400, 'Bad Request', `expected ${shape}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** A mail account the caller may see, by UUID (someone else's is a 404). */
async function visibleAccount(store: Store, user: UserAccountRow, id: string) {
  const row = await findRowByReference(store, 'mail_account', id, scopeFor(user, mailAccountResource));
  if (!row) throw new HttpError(404, 'Not Found', `mail_account ${id} not found`);
  return row;
}

async function present(store: Store, aliases: MailAliasRow[]) {
  const accounts = await referencesFor(store, 'mail_account', aliases.map((a) => a.mail_account_id));
  return aliases.map((a) => ({
    type: 'mail_alias',
    id: a.reference_id,
    attributes: { address: a.address, mail_account_id: accounts.get(a.mail_account_id) ?? null, created_at: new Date(a.created_at).toISOString() },
  }));
}

export function aliasRoutes(router: Router, deps: { store: Store }): void {
  const { store } = deps;

  router.get('/action/mail_alias/list', async (ctx) => {
    const user = currentUser(ctx);
    const wanted = ctx.query.mail_account_id;
    let aliases: MailAliasRow[];
    if (typeof wanted === 'string' && wanted !== '') {
      aliases = await listMailAliases(store, (await visibleAccount(store, user, wanted)).id);
    } else if (user.is_admin) {
      aliases = await listMailAliases(store);
    } else {
      const { rows } = await queryRows(store, { table: 'mail_account', scope: scopeFor(user, mailAccountResource) });
      const mine = new Set(rows.map((r) => r.id));
      aliases = (await listMailAliases(store)).filter((a) => mine.has(a.mail_account_id));
    }
    ctx.body = { data: await present(store, aliases.sort((a, b) => a.address.localeCompare(b.address))) };
  });

  router.post('/action/mail_alias/create', async (ctx) => {
    const user = requireAdmin(ctx);
    const a = (await parse(ctx, CreateBody, '{"attributes":{"address","mail_account_id"}}')).attributes;
    const account = await visibleAccount(store, user, a.mail_account_id);
    const domain = a.address.slice(a.address.lastIndexOf('@') + 1);
    if (!(await listHostedDomains(store)).includes(domain)) throw new HttpError(422, 'Unprocessable Entity', `${domain} is not a hosted domain; an alias must be in one`);
    const alias = await createMailAlias(store, { address: a.address, mailAccountId: account.id });
    ctx.status = 201;
    ctx.body = { data: (await present(store, [alias]))[0] };
  });

  router.post('/action/mail_alias/delete', async (ctx) => {
    requireAdmin(ctx);
    const id = (await parse(ctx, DeleteBody, '{"attributes":{"mail_alias_id"}}')).attributes.mail_alias_id;
    const alias = (await listMailAliases(store)).find((a) => a.reference_id === id);
    if (!alias) throw new HttpError(404, 'Not Found', `mail_alias ${id} not found`);
    await deleteMailAlias(store, alias.id);
    ctx.body = { data: (await present(store, [alias]))[0], meta: { deleted: true } };
  });
}
