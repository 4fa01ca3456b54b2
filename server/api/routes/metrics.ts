// GET /metrics: the Prometheus text exposition (server/metrics.ts) for an
// administrator's token. A scraper without a token uses the separate listener
// of HERON_METRICS_PORT instead (server/metrics-http.ts).
import type { Metrics } from '../../metrics.ts';
import { requireAdmin } from '../auth.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';

export function metricsRoutes(routes: DocumentedRoutes, metrics: Metrics): void {
  routes.add({ method: 'get', path: '/metrics', summary: 'Prometheus metrics (text exposition format)', tag: 'meta', auth: true }, async (ctx) => {
    requireAdmin(ctx);
    const { contentType, body } = await metrics.text();
    ctx.type = contentType;
    ctx.body = body;
  });
}
