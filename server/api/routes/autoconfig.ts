// Unauthenticated discovery documents mail clients and senders fetch:
// Thunderbird autoconfig, Outlook autodiscover and the MTA-STS policy.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { autodiscoverRequestAddress, outlookAutodiscover, parseAddress, thunderbirdConfig } from '../../../certs/autoconfig.ts';
import { mtaStsPolicy } from '../../../certs/dns/zone.ts';
import { listHostedDomains, type Store } from '../../../schema/index.ts';
import type { HeronConfig } from '../../config.ts';
import { zoneSettings } from '../../zone-settings.ts';
import { readText } from '../body.ts';
import { HttpError } from '../errors.ts';

const MAX_AUTODISCOVER_BODY = 16 * 1024;

export function autoconfigRoutes(router: Router, deps: { store: Store; config: HeronConfig }): void {
  const settings = zoneSettings(deps.config);

  const thunderbird = async (ctx: Context) => {
    // Thunderbird sends ?emailaddress=; otherwise the Host is autoconfig.<domain>.
    const param = ctx.query.emailaddress;
    let domain: string;
    if (typeof param === 'string') {
      const parsed = parseAddress(param);
      if (!parsed) throw new HttpError(400, 'Bad Request', 'emailaddress is not an email address');
      domain = parsed.domain;
    } else {
      domain = ctx.hostname.toLowerCase().replace(/^autoconfig\./, '');
    }
    const hosted = await listHostedDomains(deps.store);
    if (!hosted.includes(domain)) {
      if (typeof param === 'string') throw new HttpError(404, 'Not Found', `${domain} is not hosted here`);
      domain = deps.config.hostname;
    }
    ctx.type = 'application/xml';
    ctx.body = thunderbirdConfig(domain, settings);
  };
  router.get('/.well-known/autoconfig/mail/config-v1.1.xml', thunderbird);
  router.get('/mail/config-v1.1.xml', thunderbird);

  const autodiscover = async (ctx: Context) => {
    const address = parseAddress(autodiscoverRequestAddress(await readText(ctx, MAX_AUTODISCOVER_BODY)) ?? '');
    if (!address) throw new HttpError(400, 'Bad Request', 'expected an Autodiscover request with <EMailAddress>');
    if (!(await listHostedDomains(deps.store)).includes(address.domain)) {
      throw new HttpError(404, 'Not Found', `${address.domain} is not hosted here`);
    }
    ctx.type = 'application/xml';
    ctx.body = outlookAutodiscover(address.address, settings);
  };
  // @koa/router matches case-insensitively: /Autodiscover/Autodiscover.xml too.
  router.post('/autodiscover/autodiscover.xml', autodiscover);

  router.get('/.well-known/mta-sts.txt', (ctx) => {
    if (settings.mtaStsMode === 'none') throw new HttpError(404, 'Not Found', 'MTA-STS is off (HERON_MTA_STS_MODE=none)');
    ctx.type = 'text/plain';
    ctx.body = mtaStsPolicy(settings.mailHost, settings.mtaStsMode);
  });
}
