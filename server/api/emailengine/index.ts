// EmailEngine's REST API (https://api.emailengine.app) served for Heron's own
// accounts: an app written for EmailEngine works by changing its base URL.
// `:account` is the mail account's address or its id. Submit (sending) lives
// with the other sending routes (server/api/routes/send.ts).
import type { Store } from '../../../schema/index.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';
import { changeRoutes } from './change-routes.ts';
import { mailboxRoutes } from './mailbox-routes.ts';
import { messageRoutes } from './message-routes.ts';
import { tokenRoutes } from './tokens.ts';
import { webhookRoutes } from './webhook-routes.ts';

export function emailEngineRoutes(routes: DocumentedRoutes, deps: { store: Store }): void {
  mailboxRoutes(routes, deps.store);
  messageRoutes(routes, deps.store);
  changeRoutes(routes, deps.store);
  tokenRoutes(routes, deps.store);
  webhookRoutes(routes, deps.store);
}
