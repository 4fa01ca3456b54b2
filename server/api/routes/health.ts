// GET /health: liveness and a database round trip, no authentication.
import type Router from '@koa/router';
import { pingStore, type Store } from '../../../schema/index.ts';

export function healthRoutes(router: Router, deps: { store: Store; startedAt: number }): void {
  router.get('/health', async (ctx) => {
    await pingStore(deps.store);
    ctx.body = { status: 'ok', uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000) };
  });
}
