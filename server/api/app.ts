// The admin HTTP surface: Koa with JSON:API errors, caller resolution, and the
// route groups under server/api/routes.
import Router from '@koa/router';
import Koa from 'koa';
import type { ChallengeStore } from '../../certs/acme/challenges.ts';
import type { AcmeIssuer } from '../../certs/acme/client.ts';
import type { SecretBox } from '../../certs/secret.ts';
import type { AuthThrottle, Store } from '../../schema/index.ts';
import type { HeronConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { authenticate } from './auth.ts';
import { errorMiddleware } from './errors.ts';
import { acmeRoutes } from './routes/acme.ts';
import { autoconfigRoutes } from './routes/autoconfig.ts';
import { dkimRoutes } from './routes/dkim.ts';
import { dnsRoutes } from './routes/dns.ts';
import type { OutboundDeps } from '../../smtpd/outbound/deps.ts';
import { healthRoutes } from './routes/health.ts';
import { outboxRoutes } from './routes/outbox.ts';
import { resourceRoutes } from './routes/resources.ts';
import { sendRoutes } from './routes/send.ts';
import { signinRoutes } from './routes/signin.ts';

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
}

export function createApiApp(deps: ApiDeps): Koa {
  const app = new Koa({ proxy: false });
  const router = new Router();
  healthRoutes(router, { store: deps.store, startedAt: Date.now() });
  signinRoutes(router, deps);
  resourceRoutes(router, deps);
  acmeRoutes(router, deps);
  dkimRoutes(router, deps);
  dnsRoutes(router, deps);
  autoconfigRoutes(router, deps);
  if (deps.outbound) outboxRoutes(router, deps.outbound);
  if (deps.outbound) sendRoutes(router, deps.outbound);
  app.use(errorMiddleware(deps.log));
  app.use(authenticate(deps.store));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
