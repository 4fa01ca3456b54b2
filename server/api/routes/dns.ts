// DNS zone actions (admin only): the records each hosted domain needs, as data
// and as zone-file text, and a check of what the resolver (HERON_DNS) returns.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { checkRecords, createResolver } from '../../../certs/dns/check.ts';
import { domainZone } from '../../../certs/dns/records.ts';
import type { SecretBox } from '../../../certs/secret.ts';
import { listHostedDomains, type Store } from '../../../schema/index.ts';
import type { HeronConfig } from '../../config.ts';
import { zoneSettings } from '../../zone-settings.ts';
import { requireAdmin } from '../auth.ts';
import { readJson } from '../body.ts';
import { HttpError } from '../errors.ts';
import { DnsName } from './dns-name.ts';

const DomainBody = z.object({ attributes: z.object({ domain: DnsName.optional() }).default({}) });

export function dnsRoutes(router: Router, deps: { store: Store; secret: SecretBox; config: HeronConfig }): void {
  const settings = zoneSettings(deps.config);

  /** The requested hosted domain, or all of them. Body optional. */
  const domains = async (ctx: Context): Promise<string[]> => {
    const raw = ctx.request.length ? await readJson(ctx, 16 * 1024) : {};
    const parsed = DomainBody.safeParse(raw);
    if (!parsed.success) throw new HttpError(400, 'Bad Request', 'expected {"attributes":{"domain"?: "example.com"}}');
    const hosted = await listHostedDomains(deps.store);
    const wanted = parsed.data.attributes.domain;
    if (!wanted) return hosted;
    if (!hosted.includes(wanted)) throw new HttpError(404, 'Not Found', `${wanted} is not a hosted domain`);
    return [wanted];
  };

  router.post('/action/mail_server/dns_records', async (ctx) => {
    requireAdmin(ctx);
    const zones = [];
    for (const domain of await domains(ctx)) zones.push(await domainZone(deps.store, deps.secret, settings, domain));
    ctx.body = {
      data: zones.map((z) => ({ type: 'dns_zone', id: z.domain, attributes: z })),
      meta: { text: zones.map((z) => z.text).join('\n') },
    };
  });

  router.post('/action/mail_server/check_dns', async (ctx) => {
    requireAdmin(ctx);
    const resolver = createResolver(deps.config.dns);
    const data = [];
    for (const domain of await domains(ctx)) {
      const zone = await domainZone(deps.store, deps.secret, settings, domain);
      const results = await checkRecords(resolver, zone.records);
      const summary = { present: 0, missing: 0, different: 0, error: 0 };
      for (const r of results) summary[r.status]++;
      data.push({ type: 'dns_check', id: domain, attributes: { domain, summary, results } });
    }
    ctx.body = { data };
  });
}
