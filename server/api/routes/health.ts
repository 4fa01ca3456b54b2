// GET /health: liveness and a database round trip, no authentication.
import type Router from '@koa/router';
import type { Store } from '../../../schema/index.ts';

export function healthRoutes(router: Router, deps: { store: Store; startedAt: number }): void {
  router.get('/health', (ctx) => {
    deps.store.sqlite.prepare('SELECT 1').get();
    ctx.body = { status: 'ok', uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000) };
  });
}
