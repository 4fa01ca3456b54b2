// The admin HTTP surface: Koa with JSON:API errors and media types, caller
// resolution, and the route groups under server/api/routes.
import Router from '@koa/router';
import Koa from 'koa';
import type { ChallengeStore } from '../../certs/acme/challenges.ts';
import type { AcmeIssuer } from '../../certs/acme/client.ts';
import type { SecretBox } from '../../certs/secret.ts';
import type { AuthThrottle, Store } from '../../schema/index.ts';
import type { OutboundDeps } from '../../smtpd/outbound/deps.ts';
import type { HeronConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { authenticate } from './auth.ts';
import { csrfGuard, sessionRoutes } from './console/session.ts';
import { emailEngineRoutes } from './emailengine/index.ts';
import { consoleFiles, securityHeaders } from './console/static.ts';
import { errorMiddleware } from './errors.ts';
import { jsonApiMediaType } from './media.ts';
import { closeUnreadBodies, requestLimits } from './request-limits.ts';
import { openapiRoute } from './openapi/document.ts';
import { DocumentedRoutes, type RouteDoc } from './openapi/registry.ts';
import { acmeRoutes } from './routes/acme.ts';
import { actionRoutes } from './routes/actions.ts';
import { ALIAS_ROUTES, aliasRoutes } from './routes/aliases.ts';
import { autoconfigRoutes } from './routes/autoconfig.ts';
import { configRoutes } from './routes/config.ts';
import { dkimRoutes } from './routes/dkim.ts';
import { dnsRoutes } from './routes/dns.ts';
import { healthRoutes, readyRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { docsRoutes } from './routes/docs.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { resourceRoutes } from './routes/resources.ts';
import { sendRoutes } from './routes/send.ts';
import { signinRoutes } from './routes/signin.ts';
import { accountActionRoutes } from './routes/signup.ts';
import { type ActivitySources, statsRoutes } from './routes/stats.ts';
import { Stats } from '../stats.ts';

export interface ApiDeps {
  store: Store;
  log: Logger;
  throttle: AuthThrottle;
  tokenTtlMs: number;
  config: HeronConfig;
  secret: SecretBox;
  challenges: ChallengeStore;
  acme: AcmeIssuer;
  /** The outbound queue (send_mail, submit, outbox actions); absent in API-only tests. */
  outbound?: OutboundDeps;
  /** Counters and listener states for GET /stats (the console's overview). */
  activity?: ActivitySources;
}

const attributes = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  properties: { attributes: { type: 'object', required, properties } },
});
const str = { type: 'string' };

/** Routes that their groups register directly on the router, documented here. */
const CERTIFICATE_ROUTES: RouteDoc[] = [
  { method: 'get', path: '/.well-known/acme-challenge/:token', summary: 'ACME HTTP-01 challenge answer', tag: 'certificates', auth: false },
  {
    method: 'post',
    path: '/action/certificate/generate_acme_certificate',
    summary: 'Obtain a certificate by ACME (HTTP-01); renewed automatically',
    tag: 'certificates',
    auth: true,
    bodyType: 'json',
    body: attributes({ hostname: str, certificate_id: str, email: str, directory_url: str, alt_names: { type: 'array', items: str } }),
  },
  {
    method: 'post',
    path: '/action/dkim_key/generate',
    summary: 'Generate a DKIM key for a hosted domain',
    tag: 'dkim',
    auth: true,
    bodyType: 'json',
    body: attributes({ domain: str, selector: str, algorithm: { enum: ['rsa', 'ed25519'] }, activate: { type: 'boolean' } }, ['domain']),
  },
  { method: 'post', path: '/action/dkim_key/activate', summary: 'Make a selector the signing key', tag: 'dkim', auth: true, bodyType: 'json', body: attributes({ domain: str, selector: str }, ['domain', 'selector']) },
  { method: 'post', path: '/action/dkim_key/list', summary: 'DKIM keys with their DNS names and TXT values', tag: 'dkim', auth: true },
  { method: 'get', path: '/action/dkim_key/list', summary: 'DKIM keys with their DNS names and TXT values', tag: 'dkim', auth: true },
  { method: 'post', path: '/action/mail_server/dns_records', summary: 'The DNS records to publish, as data and zone text', tag: 'dns', auth: true, bodyType: 'json', body: attributes({ mail_server_id: str, domain: str }) },
  { method: 'post', path: '/action/mail_server/check_dns', summary: 'Resolve each record: present, missing or different', tag: 'dns', auth: true, bodyType: 'json', body: attributes({ mail_server_id: str, domain: str }) },
  { method: 'get', path: '/.well-known/autoconfig/mail/config-v1.1.xml', summary: 'Thunderbird autoconfig', tag: 'autoconfig', auth: false },
  { method: 'get', path: '/mail/config-v1.1.xml', summary: 'Thunderbird autoconfig', tag: 'autoconfig', auth: false },
  { method: 'post', path: '/autodiscover/autodiscover.xml', summary: 'Outlook autodiscover', tag: 'autoconfig', auth: false },
  { method: 'get', path: '/.well-known/mta-sts.txt', summary: 'MTA-STS policy', tag: 'autoconfig', auth: false },
];

const OUTBOUND_ROUTES: RouteDoc[] = [
  { method: 'post', path: '/action/outbox/process_outbox', summary: 'Deliver every due queued message now', tag: 'outbox', auth: true },
  { method: 'post', path: '/action/outbox/retry', summary: 'Retry a queued message now', tag: 'outbox', auth: true, bodyType: 'json', body: attributes({ outbox_id: str }, ['outbox_id']) },
  { method: 'post', path: '/action/outbox/cancel', summary: 'Cancel a queued message', tag: 'outbox', auth: true, bodyType: 'json', body: attributes({ outbox_id: str }, ['outbox_id']) },
  { method: 'post', path: '/action/mail_account/send_mail', summary: 'Send a message (Daptin mail.send, routable)', tag: 'send', auth: true, bodyType: 'json' },
  { method: 'post', path: '/v1/account/:account/submit', summary: 'Send a message (EmailEngine-style submit; a mail API token needs the send scope)', tag: 'send', auth: true, bodyType: 'json' },
];

/** Every route, documented; tests compare the router with the document. */
export function buildRoutes(deps: ApiDeps): DocumentedRoutes {
  const { config } = deps;
  const router = new Router();
  const routes = new DocumentedRoutes(router);
  healthRoutes(router, { store: deps.store, startedAt: Date.now() });
  routes.describe({ method: 'get', path: '/health', summary: 'Liveness and a database round trip', tag: 'meta', auth: false });
  const activity = deps.activity ?? { stats: new Stats(), listeners: () => [] };
  readyRoutes(router, { store: deps.store, listeners: () => activity.listeners() });
  routes.describe({ method: 'get', path: '/ready', summary: 'Ready: the database answers and every listener is bound (503 with the problems otherwise)', tag: 'meta', auth: false });
  metricsRoutes(routes, activity.stats.metrics);
  signinRoutes(router, { ...deps, stats: deps.activity?.stats });
  routes.describe({
    method: 'post',
    path: '/action/user_account/signin',
    summary: 'Sign in with email and password; the answer carries the token (client.store.set)',
    tag: 'actions',
    auth: false,
    bodyType: 'json',
    body: attributes({ email: str, password: str }, ['email', 'password']),
  });
  accountActionRoutes(routes, { store: deps.store, allowSignup: config.allowSignup });
  const services = { store: deps.store, secret: deps.secret, hostname: config.hostname };
  resourceRoutes(routes, services);
  actionRoutes(routes, services);
  configRoutes(routes, { hostname: config.hostname, bind: config.bind, imapPort: config.ports.imap });
  acmeRoutes(router, deps);
  dkimRoutes(router, deps);
  dnsRoutes(router, deps);
  autoconfigRoutes(router, deps);
  CERTIFICATE_ROUTES.forEach((doc) => routes.describe(doc));
  // The mail API: EmailEngine's /v1 routes for Heron's own accounts.
  emailEngineRoutes(routes, { store: deps.store });
  if (deps.outbound) {
    outboxRoutes(router, deps.outbound);
    sendRoutes(router, deps.outbound);
    OUTBOUND_ROUTES.forEach((doc) => routes.describe(doc));
  }
  // The web console's calls (console/): who is signed in, the overview's numbers, aliases.
  sessionRoutes(routes);
  statsRoutes(routes, { store: deps.store, hostname: config.hostname, activity });
  aliasRoutes(router, deps);
  ALIAS_ROUTES.forEach((doc) => routes.describe(doc));
  openapiRoute(routes);
  docsRoutes(router);
  routes.describe({ method: 'get', path: '/docs', summary: 'This document, browsable (Swagger UI)', tag: 'meta', auth: false });
  routes.describe({ method: 'get', path: '/docs/start.js', summary: 'The reference page\'s start script', tag: 'meta', auth: false });
  routes.describe({ method: 'get', path: '/docs/:file', summary: 'Swagger UI\'s own files (swagger-ui-dist)', tag: 'meta', auth: false });
  return routes;
}

export function createApiApp(deps: ApiDeps): Koa {
  const app = new Koa({ proxy: false });
  // Errors after the headers went out (a streamed body that failed or a client that left): the response is cut, the process goes on.
  app.on('error', (err: unknown, ctx?: Koa.Context) => deps.log.warn({ err, path: ctx?.path }, 'API response cut short'));
  const { router, docs } = buildRoutes(deps);
  const { limits } = deps.config;
  app.use(closeUnreadBodies());
  app.use(errorMiddleware(deps.log));
  app.use(securityHeaders());
  // The console's pages are served at any path outside the API's own first segments.
  app.use(consoleFiles({ reserved: new Set(docs.map((d) => d.path.split('/')[1])) }));
  app.use(jsonApiMediaType());
  app.use(csrfGuard());
  app.use(authenticate(deps.store));
  app.use(
    requestLimits({ anonymousBody: limits.apiAnonymousBodyBytes, maxBody: limits.apiMaxBodyBytes, maxAnonymousPerClient: limits.apiMaxAnonymousPerClient }),
  );
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
