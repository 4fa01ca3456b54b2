// GET /health: liveness and a database round trip; GET /ready: the database
// answers and every listener is bound (a load balancer sends traffic only
// then). No authentication: neither reveals more than up or down.
import type Router from '@koa/router';
import { pingStore, type Store } from '../../../schema/index.ts';
import type { ListenerState } from '../../service.ts';

export function healthRoutes(router: Router, deps: { store: Store; startedAt: number }): void {
  router.get('/health', async (ctx) => {
    await pingStore(deps.store);
    ctx.body = { status: 'ok', uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000) };
  });
}

export function readyRoutes(router: Router, deps: { store: Store; listeners(): ListenerState[] }): void {
  router.get('/ready', async (ctx) => {
    const problems: string[] = [];
    try {
      await pingStore(deps.store);
    } catch (err) {
      problems.push(`database: ${(err as Error).message}`);
    }
    for (const l of deps.listeners()) {
      if (!l.listening) problems.push(`${l.name} ${l.address}:${l.port}: ${l.error ?? 'not listening'}`);
    }
    ctx.status = problems.length === 0 ? 200 : 503;
    ctx.body = { status: problems.length === 0 ? 'ready' : 'not ready', problems };
  });
}
