// GET /metrics: the Prometheus text exposition (server/metrics.ts) for an
// administrator: signed in, or a mail API token with the `metrics` scope that
// an administrator made (the figures are the whole server's, not one
// account's). A scraper without a token uses the separate listener of
// HERON_METRICS_PORT instead (server/metrics-http.ts).
import type { Context } from 'koa';
import type { Metrics } from '../../metrics.ts';
import { type AuthState, requireAdmin } from '../auth.ts';
import { HttpError } from '../errors.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';

export function metricsRoutes(routes: DocumentedRoutes, metrics: Metrics): void {
  routes.add({ method: 'get', path: '/metrics', summary: 'Prometheus metrics (text exposition format)', tag: 'meta', auth: true }, async (ctx) => {
    allowMetrics(ctx);
    const { contentType, body } = await metrics.text();
    ctx.type = contentType;
    ctx.body = body;
  });
}

function allowMetrics(ctx: Context): void {
  const auth = ctx.state.auth as AuthState | undefined;
  if (!auth?.grant) {
    requireAdmin(ctx);
    return;
  }
  if (!auth.grant.scopes.has('metrics')) throw new HttpError(403, 'Forbidden', 'this token lacks the "metrics" scope');
  if (!auth.user?.is_admin) throw new HttpError(403, 'Forbidden', "metrics are the whole server's: the token must be an administrator's");
}
