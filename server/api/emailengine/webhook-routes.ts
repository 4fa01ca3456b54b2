// Webhook configuration as EmailEngine's /v1/settings (webhooksEnabled,
// webhooks, webhookEvents, serviceSecret: the HMAC key of the signature
// header) and the delivery history, GET /v1/webhooks/deliveries (newest first,
// paged like the message listing) and GET /v1/webhooks/delivery/:id. Settings
// are process-wide: only an administrator (a sign-in token, or an API token of
// an administrator over all their accounts) may read or change them.
import type { Context } from 'koa';
import { z } from 'zod';
import {
  type AccessScope,
  findWebhookDelivery,
  listWebhookDeliveries,
  StoreError,
  type Store,
  updateWebhookSettings,
  type WebhookEventRow,
  webhookSettings,
  type WebhookSettingRow,
} from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';
import { mailApiCaller } from './access.ts';
import { bodyOf, JoiBoolean, parse, pathParam, QueryInt, queryOf } from './input.ts';

const TAG = 'mail API: webhooks';

/**
 * EmailEngine's event names. Heron sends those in WEBHOOK_EVENTS
 * (schema/store/webhooks.ts); the others are accepted (an app written for
 * EmailEngine may subscribe to them) and never sent.
 */
const EVENT_NAMES = [
  '*',
  'messageNew',
  'messageDeleted',
  'messageUpdated',
  'messageMissing',
  'mailboxNew',
  'mailboxDeleted',
  'mailboxReset',
  'messageSent',
  'messageDeliveryError',
  'messageFailed',
  'messageBounce',
  'messageComplaint',
  'accountAdded',
  'accountDeleted',
  'accountInitialized',
  'authenticationError',
  'authenticationSuccess',
  'connectError',
  'trackOpen',
  'trackClick',
  'listUnsubscribe',
  'listSubscribe',
] as const;

const SettingsBody = z.strictObject({
  webhooksEnabled: JoiBoolean.optional(),
  webhooks: z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(2048)]).optional(),
  webhookEvents: z.array(z.enum(EVENT_NAMES)).max(EVENT_NAMES.length).optional(),
  serviceSecret: z.string().min(16).max(256).optional(),
});
type SettingKey = keyof z.infer<typeof SettingsBody>;
const SETTING_KEYS: SettingKey[] = ['webhooksEnabled', 'webhooks', 'webhookEvents', 'serviceSecret'];

const DeliveryQuery = z.object({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  event: z.string().min(1).max(64).optional(),
  page: QueryInt(0, 1024 * 1024).default(0),
  pageSize: QueryInt(1, 1000).default(20),
});

function administrator(ctx: Context, scope: AccessScope): void {
  const caller = mailApiCaller(ctx, scope);
  if (!caller.user.is_admin || (caller.grant && caller.grant.accountIds !== null)) {
    throw new HttpError(403, 'Forbidden', 'webhook settings are an administrator’s (with a sign-in token or an API token over all accounts)');
  }
}

function settingsView(row: WebhookSettingRow): Record<SettingKey, unknown> {
  return { webhooksEnabled: row.enabled, webhooks: row.url, webhookEvents: JSON.parse(row.events) as string[], serviceSecret: row.secret };
}

function deliveryView(row: WebhookEventRow) {
  return {
    id: row.reference_id,
    event: row.event,
    account: row.account,
    ...(row.path !== null ? { path: row.path } : {}),
    status: row.status,
    attempts: row.attempts,
    responseCode: row.response_code,
    lastError: row.last_error || null,
    created: new Date(row.created_at).toISOString(),
    ...(row.status === 'pending' ? { nextAttempt: new Date(Math.max(row.next_attempt_at, row.locked_until)).toISOString() } : {}),
    ...(row.delivered_at !== null ? { delivered: new Date(row.delivered_at).toISOString() } : {}),
  };
}

export function webhookRoutes(routes: DocumentedRoutes, store: Store): void {
  routes.add(
    {
      method: 'get',
      path: '/v1/settings',
      summary: 'Webhook settings (EmailEngine): webhooksEnabled, webhooks, webhookEvents, serviceSecret; `?webhooks=true&…` picks keys (default all)',
      tag: TAG,
      auth: true,
      query: SETTING_KEYS.map((name) => ({ name, description: `true: include ${name}` })),
    },
    async (ctx) => {
      administrator(ctx, 'read');
      const query = queryOf(ctx);
      const picked = SETTING_KEYS.filter((key) => query[key] !== undefined && parse(JoiBoolean, query[key]));
      const view = settingsView(await webhookSettings(store));
      ctx.body = Object.fromEntries((picked.length > 0 ? picked : SETTING_KEYS).map((key) => [key, view[key]]));
    },
  );

  routes.add(
    {
      method: 'put',
      path: '/v1/settings',
      summary: 'Change webhook settings (EmailEngine): {webhooksEnabled, webhooks, webhookEvents, serviceSecret}; answers {updated: [keys]}',
      tag: TAG,
      auth: true,
      bodyType: 'json',
      body: z.toJSONSchema(SettingsBody, { io: 'input', unrepresentable: 'any' }),
    },
    async (ctx) => {
      administrator(ctx, 'write');
      const body = await bodyOf(ctx, SettingsBody);
      await updateWebhookSettings(store, { enabled: body.webhooksEnabled, url: body.webhooks, events: body.webhookEvents, secret: body.serviceSecret });
      ctx.body = { updated: SETTING_KEYS.filter((key) => body[key] !== undefined) };
    },
  );

  routes.add(
    {
      method: 'get',
      path: '/v1/webhooks/deliveries',
      summary: 'Webhook delivery history, newest first: id (the event id), event, status (pending, delivered, failed), attempts, responseCode, lastError',
      tag: TAG,
      auth: true,
      query: [
        { name: 'status', description: 'pending, delivered or failed' },
        { name: 'event', description: 'an event name, e.g. messageNew' },
        { name: 'page', description: 'page number, from 0' },
        { name: 'pageSize', description: 'entries per page (1-1000, default 20)' },
      ],
    },
    async (ctx) => {
      administrator(ctx, 'read');
      const q = parse(DeliveryQuery, queryOf(ctx));
      const { total, rows } = await listWebhookDeliveries(store, { status: q.status, event: q.event, offset: q.page * q.pageSize, limit: q.pageSize });
      ctx.body = { total, page: q.page, pages: Math.ceil(total / q.pageSize) || 1, deliveries: rows.map(deliveryView) };
    },
  );

  routes.add(
    { method: 'get', path: '/v1/webhooks/delivery/:id', summary: 'One webhook delivery by its event id, with the body as POSTed (once attempted)', tag: TAG, auth: true },
    async (ctx) => {
      administrator(ctx, 'read');
      try {
        const row = await findWebhookDelivery(store, pathParam(ctx, 'id'));
        ctx.body = { ...deliveryView(row), body: row.body === null ? null : (JSON.parse(row.body) as unknown) };
      } catch (err) {
        if (err instanceof StoreError) throw new HttpError(404, 'Not Found', 'Webhook delivery was not found', { code: 'NotFound' });
        throw err;
      }
    },
  );
}
