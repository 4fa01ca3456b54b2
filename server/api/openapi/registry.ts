// Routes that document themselves: every route added here is registered on the
// Koa router and recorded for the OpenAPI document. Routes registered elsewhere
// (plain router calls) are recorded with describe() so the document stays whole;
// a test checks the router and the document list the same routes.
import type Router from '@koa/router';
import type { Middleware } from 'koa';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDoc {
  method: HttpMethod;
  /** Koa path, e.g. /api/mail_box/:id */
  path: string;
  summary: string;
  tag: string;
  /** false for routes anyone may call. */
  auth: boolean;
  /** JSON Schema of the request body, if any. */
  body?: Record<string, unknown>;
  /** JSON:API media type bodies (resources) or plain JSON (actions). */
  bodyType?: 'jsonapi' | 'json';
  query?: Array<{ name: string; description: string }>;
  /** The success answer, when the route documents it (media type defaults to JSON). */
  response?: { description: string; media?: string; schema?: Record<string, unknown> };
}

export class DocumentedRoutes {
  readonly docs: RouteDoc[] = [];
  constructor(readonly router: Router) {}

  add(doc: RouteDoc, handler: Middleware): void {
    this.docs.push(doc);
    this.router[doc.method](doc.path, handler);
  }

  /** Records a route registered directly on the router by other code. */
  describe(doc: RouteDoc): void {
    this.docs.push(doc);
  }
}
