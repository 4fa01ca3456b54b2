// Relationship routes with Daptin's names: GET /api/<type>/<id>/<relation>
// (the related row, or a list of related rows for to-many relations) and
// GET /api/<type>/<id>/relationships/<relation> (linkage only).
import { findRowByReference, referencesFor, type UserAccountRow } from '../../../schema/index.ts';
import { currentUser } from '../auth.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';
import { listDocument, presentRows } from '../query/list.ts';
import { parseListParams } from '../query/params.ts';
import { scopeFor } from '../query/scope.ts';
import { RESOURCES } from '../resources/index.ts';
import type { ApiServices, ResourceDef } from '../resources/types.ts';
import { LIST_QUERY, send, visibleRow } from './respond.ts';

/** A to-one target, if the caller may see it. */
async function relatedRow(services: ApiServices, user: UserAccountRow, type: ResourceDef['type'], id: number) {
  const ref = (await referencesFor(services.store, type, [id])).get(id);
  return ref ? findRowByReference(services.store, type, ref, scopeFor(user, RESOURCES[type])) : undefined;
}

export function relationshipRoutes(routes: DocumentedRoutes, services: ApiServices, def: ResourceDef): void {
  const base = `/api/${def.type}`;
  const tag = def.type;
  for (const [name, rel] of Object.entries(def.relations)) {
    const target = RESOURCES[rel.type];
    routes.add(
      { method: 'get', path: `${base}/:id/${name}`, summary: `The ${rel.type} row${rel.many ? 's' : ''} related by ${name}`, tag, auth: true, query: rel.many ? LIST_QUERY : undefined },
      async (ctx) => {
        const row = await visibleRow(services, ctx, def);
        const user = currentUser(ctx);
        if (rel.many) {
          const params = parseListParams(ctx.query, target);
          const extra = [{ column: rel.column, operator: 'is' as const, value: row.reference_id }];
          send(ctx, 200, await listDocument(services, user, target, params, { path: ctx.path, query: ctx.query, extra }));
          return;
        }
        const key = row[rel.column];
        const related = typeof key === 'number' ? await relatedRow(services, user, rel.type, key) : undefined;
        const [data] = related ? await presentRows(services, target, [related], { full: false }) : [null];
        send(ctx, 200, { data, links: { self: ctx.path } });
      },
    );
    routes.add(
      { method: 'get', path: `${base}/:id/relationships/${name}`, summary: `Linkage of relationship ${name}`, tag, auth: true, query: rel.many ? LIST_QUERY.slice(0, 2) : undefined },
      async (ctx) => {
        const row = await visibleRow(services, ctx, def);
        const user = currentUser(ctx);
        const links = { self: ctx.path, related: `${base}/${row.reference_id}/${name}` };
        if (rel.many) {
          const params = parseListParams({ 'page[number]': ctx.query['page[number]'], 'page[size]': ctx.query['page[size]'] }, target);
          const extra = [{ column: rel.column, operator: 'is' as const, value: row.reference_id }];
          const doc = await listDocument(services, user, target, params, { path: ctx.path, query: ctx.query, extra });
          send(ctx, 200, { data: doc.data.map((r) => ({ type: r.type, id: r.id })), links: { ...doc.links, related: links.related }, meta: doc.meta });
          return;
        }
        const key = row[rel.column];
        const related = typeof key === 'number' ? await relatedRow(services, user, rel.type, key) : undefined;
        send(ctx, 200, { data: related ? { type: rel.type, id: related.reference_id } : null, links });
      },
    );
  }
}

