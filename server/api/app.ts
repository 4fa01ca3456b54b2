// The admin HTTP surface: Koa with JSON:API errors and media types, caller
// resolution, and the route groups under server/api/routes.
import Router from '@koa/router';
import Koa from 'koa';
import type { SecretBox } from '../../certs/secret.ts';
import type { AuthThrottle, Store } from '../../schema/index.ts';
import type { Logger } from '../logger.ts';
import { authenticate } from './auth.ts';
import { errorMiddleware } from './errors.ts';
import { jsonApiMediaType } from './media.ts';
import { openapiRoute } from './openapi/document.ts';
import { DocumentedRoutes } from './openapi/registry.ts';
import { actionRoutes } from './routes/actions.ts';
import { configRoutes } from './routes/config.ts';
import { healthRoutes } from './routes/health.ts';
import { resourceRoutes } from './routes/resources.ts';
import { signinRoutes } from './routes/signin.ts';
import { accountActionRoutes } from './routes/signup.ts';

export interface ApiDeps {
  store: Store;
  log: Logger;
  throttle: AuthThrottle;
  tokenTtlMs: number;
  secret: SecretBox;
  allowSignup: boolean;
  /** The default mail server's hostname: its certificate is every listener's fallback. */
  hostname: string;
  /** What Daptin's /_config/backend answers with. */
  bind: string;
  imapPort: number;
}

/** Every route, documented; tests compare the router with the document. */
export function buildRoutes(deps: ApiDeps): DocumentedRoutes {
  const router = new Router();
  const routes = new DocumentedRoutes(router);
  healthRoutes(router, { store: deps.store, startedAt: Date.now() });
  routes.describe({ method: 'get', path: '/health', summary: 'Liveness and a database round trip', tag: 'meta', auth: false });
  signinRoutes(router, deps);
  routes.describe({
    method: 'post',
    path: '/action/user_account/signin',
    summary: 'Sign in with email and password; the answer carries the token (client.store.set)',
    tag: 'actions',
    auth: false,
    bodyType: 'json',
    body: { type: 'object', properties: { attributes: { type: 'object', required: ['email', 'password'], properties: { email: { type: 'string' }, password: { type: 'string' } } } } },
  });
  accountActionRoutes(routes, deps);
  const services = { store: deps.store, secret: deps.secret, hostname: deps.hostname };
  resourceRoutes(routes, services);
  actionRoutes(routes, services);
  configRoutes(routes, { hostname: deps.hostname, bind: deps.bind, imapPort: deps.imapPort });
  openapiRoute(routes);
  return routes;
}

export function createApiApp(deps: ApiDeps): Koa {
  const app = new Koa({ proxy: false });
  const { router } = buildRoutes(deps);
  app.use(errorMiddleware(deps.log));
  app.use(jsonApiMediaType());
  app.use(authenticate(deps.store));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
