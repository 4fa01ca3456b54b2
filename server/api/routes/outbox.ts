// Queue actions, as plain routes beside the generic /api/outbox listing:
// Daptin's process_outbox, and retry-now and cancel for one queued row
// ({"attributes":{"outbox_id":"<uuid>"}}). An admin acts on every row, a user
// only on rows sent from their own mail accounts.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { cancelOutbox, findOutbox, makeOutboxDue, type OutboxRow, retryOutboxNow, type Store } from '../../../schema/index.ts';
import { currentUser } from '../auth.ts';
import { readJson } from '../body.ts';
import { HttpError } from '../errors.ts';

const RowAction = z.object({ attributes: z.object({ outbox_id: z.string().uuid() }) });

const notify = (message: string) => ({ ResponseType: 'client.notify', Attributes: { message, title: 'Success', type: 'success' } });

/** The row as a resource, without the message bytes. */
export function outboxResource(row: OutboxRow) {
  const { mail, id: _id, reference_id, ...attributes } = row;
  return { type: 'outbox', id: reference_id, attributes: { ...attributes, size: mail.length } };
}

async function visibleRow(ctx: Context, store: Store) {
  const user = currentUser(ctx);
  const parsed = RowAction.safeParse(await readJson(ctx));
  if (!parsed.success) throw new HttpError(400, 'Bad Request', 'expected {"attributes":{"outbox_id":"<uuid>"}}');
  const row = await findOutbox(store, parsed.data.attributes.outbox_id);
  // Someone else's row is reported as missing, not forbidden: ids of other users' mail stay unknown.
  if (!row || (!user.is_admin && row.owner_user_id !== user.id)) throw new HttpError(404, 'Not Found', 'no such outbox row');
  return row;
}

export function outboxRoutes(router: Router, deps: { store: Store }): void {
  router.post('/action/outbox/process_outbox', async (ctx) => {
    const user = currentUser(ctx);
    const due = await makeOutboxDue(deps.store, user.is_admin ? null : user.id);
    ctx.body = [notify(`${due} queued message(s) are being delivered now`), { ResponseType: 'outbox.process', Attributes: { due } }];
  });
  router.post('/action/outbox/retry', async (ctx) => {
    const row = await visibleRow(ctx, deps.store);
    const updated = await retryOutboxNow(deps.store, row.reference_id);
    ctx.body = [notify('Delivery will be attempted now'), { ResponseType: 'outbox', Attributes: outboxResource(updated) }];
  });
  router.post('/action/outbox/cancel', async (ctx) => {
    const row = await visibleRow(ctx, deps.store);
    const updated = await cancelOutbox(deps.store, row.reference_id);
    ctx.body = [notify('Delivery cancelled'), { ResponseType: 'outbox', Attributes: outboxResource(updated) }];
  });
}
