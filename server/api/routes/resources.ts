// Read access to resources. (The admin API issue grows this into the full
// Daptin-compatible surface.)
import type Router from '@koa/router';
import { listMailServers, listUserAccounts, type Store } from '../../../schema/index.ts';
import { currentUser } from '../auth.ts';
import { JSONAPI_TYPE, toResource } from '../jsonapi.ts';

export function resourceRoutes(router: Router, deps: { store: Store }): void {
  router.get('/api/user_account', async (ctx) => {
    const user = currentUser(ctx);
    const rows = user.is_admin ? await listUserAccounts(deps.store) : [user];
    ctx.type = JSONAPI_TYPE;
    ctx.body = { data: rows.map((r) => toResource('user_account', r)) };
  });
  router.get('/api/mail_server', async (ctx) => {
    currentUser(ctx);
    ctx.type = JSONAPI_TYPE;
    ctx.body = { data: (await listMailServers(deps.store)).map((r) => toResource('mail_server', r)) };
  });
}
