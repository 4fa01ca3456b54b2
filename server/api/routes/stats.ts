// GET /stats (admin): what the console's overview shows — listeners and whether
// they are bound, with the TLS mode and the default certificate's expiry; the
// outbound queue by status; counters and recent events from server/stats.ts
// (the numbers issue 15's /metrics will export).
import { countOutboxByStatus, listCertificates, type Store } from '../../../schema/index.ts';
import type { ListenerState } from '../../service.ts';
import type { Stats } from '../../stats.ts';
import { requireAdmin } from '../auth.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';

export interface ActivitySources {
  stats: Stats;
  /** Every service's listeners, read at request time. */
  listeners(): ListenerState[];
}

const iso = (at: number | null | undefined) => (typeof at === 'number' ? new Date(at).toISOString() : null);

export function statsRoutes(routes: DocumentedRoutes, deps: { store: Store; hostname: string; activity: ActivitySources }): void {
  routes.add({ method: 'get', path: '/stats', summary: 'Listeners, outbound queue by status, message and authentication counters, recent events', tag: 'meta', auth: true }, async (ctx) => {
    requireAdmin(ctx);
    const certificates = new Map((await listCertificates(deps.store)).map((c) => [c.hostname, c]));
    const listeners = deps.activity.listeners().map((l) => {
      const cert = l.tls === 'none' ? undefined : (certificates.get(l.hostname ?? deps.hostname) ?? certificates.get(deps.hostname));
      return {
        ...l,
        certificate: cert ? { hostname: cert.hostname, source: cert.source, issuer: cert.issuer, expires_at: iso(cert.expires_at) } : null,
      };
    });
    const queue = await countOutboxByStatus(deps.store);
    const snapshot = deps.activity.stats.snapshot();
    const stamp = <T extends { at: number }>(events: T[]) => events.map(({ at, ...rest }) => ({ at: iso(at), ...rest }));
    ctx.body = {
      data: {
        type: 'stats',
        id: deps.hostname,
        attributes: {
          hostname: deps.hostname,
          started_at: iso(snapshot.startedAt),
          listeners,
          queue,
          totals: snapshot.totals,
          today: snapshot.today,
          recent: {
            received: stamp(snapshot.recent.received),
            rejected: stamp(snapshot.recent.rejected),
            outbound: stamp(snapshot.recent.outbound),
            auth_failures: stamp(snapshot.recent.authFailures),
          },
        },
      },
    };
  });
}
