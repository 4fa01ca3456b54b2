// The JSON:API resource routes for every type: GET|POST /api/<type>,
// GET|PATCH|DELETE /api/<type>/<id>, and the relationship routes
// /api/<type>/<id>/<relation> and /api/<type>/<id>/relationships/<relation>.
import type { Context } from 'koa';
import { z } from 'zod';
import { findRowByReference, referencesFor, type QueryRow } from '../../../schema/index.ts';
import { currentUser } from '../auth.ts';
import { readJson } from '../body.ts';
import { HttpError } from '../errors.ts';
import { JSONAPI_TYPE } from '../jsonapi.ts';
import type { DocumentedRoutes } from '../openapi/registry.ts';
import { included, listDocument, presentRows } from '../query/list.ts';
import { parseListParams } from '../query/params.ts';
import { scopeFor } from '../query/scope.ts';
import { RESOURCES } from '../resources/index.ts';
import { readWriteInput } from '../resources/input.ts';
import type { ApiServices, ResourceDef, Writer } from '../resources/types.ts';

const LIST_QUERY = [
  { name: 'page[number]', description: 'page, from 1' },
  { name: 'page[size]', description: 'rows per page (default 50, at most 500)' },
  { name: 'sort', description: 'columns, comma-separated; "-" for descending' },
  { name: 'fields', description: 'attributes to return (also fields[<type>])' },
  { name: 'include', description: 'relationships whose rows to include (also included_relations)' },
  { name: 'query', description: 'Daptin conditions: JSON array of {"column","operator","value"}' },
  { name: 'filter', description: 'text searched in the main text columns; filter[<column>]=value for equality' },
];

function allow(ctx: Context, who: Writer): void {
  const user = currentUser(ctx);
  if (who === 'nobody') throw new HttpError(405, 'Method Not Allowed', 'this resource is read-only');
  if (who === 'admin' && !user.is_admin) throw new HttpError(403, 'Forbidden', 'this needs an administrator');
}

const send = (ctx: Context, status: number, body: unknown) => {
  ctx.status = status;
  ctx.type = JSONAPI_TYPE;
  ctx.body = body;
};

function idParam(ctx: Context): string {
  return String((ctx.params as Record<string, string>).id);
}

async function visibleRow(services: ApiServices, ctx: Context, def: ResourceDef): Promise<QueryRow> {
  const id = idParam(ctx);
  const row = await findRowByReference(services.store, def.type, id, scopeFor(currentUser(ctx), def));
  if (!row) throw new HttpError(404, 'Not Found', `${def.type} ${id} not found`);
  return row;
}

async function singleDocument(services: ApiServices, ctx: Context, def: ResourceDef, referenceId: string) {
  const row = await findRowByReference(services.store, def.type, referenceId, scopeFor(currentUser(ctx), def));
  if (!row) throw new HttpError(404, 'Not Found', `${def.type} ${referenceId} not found`);
  const params = parseListParams(ctx.query, def);
  const [data] = await presentRows(services, def, [row], { full: true, fields: params.fields.get(def.type) });
  const related = params.include.length > 0 ? { included: await included(services, currentUser(ctx), def, [row], params) } : {};
  return { data, ...related, links: { self: data.links.self } };
}

function bodySchema(def: ResourceDef, create: boolean): Record<string, unknown> {
  const attributes = z.toJSONSchema(create ? def.createAttributes : def.updateAttributes, { io: 'input', unrepresentable: 'any' });
  const relationships = Object.fromEntries(
    Object.entries(def.relations)
      .filter(([, r]) => !r.many)
      .map(([name, r]) => [name, { type: 'object', properties: { data: { type: ['object', 'null'], properties: { type: { const: r.type }, id: { type: 'string' } } } } }]),
  );
  return {
    type: 'object',
    required: ['data'],
    properties: { data: { type: 'object', required: ['type'], properties: { type: { const: def.type }, attributes, relationships: { type: 'object', properties: relationships } } } },
  };
}

function typeRoutes(routes: DocumentedRoutes, services: ApiServices, def: ResourceDef): void {
  const base = `/api/${def.type}`;
  const tag = def.type;
  routes.add({ method: 'get', path: base, summary: `List ${def.type} rows`, tag, auth: true, query: LIST_QUERY }, async (ctx) => {
    const params = parseListParams(ctx.query, def);
    send(ctx, 200, await listDocument(services, currentUser(ctx), def, params, { path: ctx.path, query: ctx.query }));
  });

  routes.add({ method: 'post', path: base, summary: `Create a ${def.type}`, tag, auth: true, body: bodySchema(def, true), bodyType: 'jsonapi' }, async (ctx) => {
    allow(ctx, def.writers.create);
    const user = currentUser(ctx);
    const input = await readWriteInput(services, user, def, await readJson(ctx), { create: true });
    if (!def.create) throw new HttpError(405, 'Method Not Allowed', 'this resource is read-only');
    const { id, created } = await def.create({ ...services, user }, input);
    ctx.set('Location', `${base}/${id}`);
    send(ctx, created ? 201 : 200, await singleDocument(services, ctx, def, id));
  });

  routes.add({ method: 'get', path: `${base}/:id`, summary: `Read one ${def.type}`, tag, auth: true }, async (ctx) => {
    send(ctx, 200, await singleDocument(services, ctx, def, idParam(ctx)));
  });

  routes.add(
    { method: 'patch', path: `${base}/:id`, summary: `Change a ${def.type}`, tag, auth: true, body: bodySchema(def, false), bodyType: 'jsonapi' },
    async (ctx) => {
      const row = await visibleRow(services, ctx, def);
      allow(ctx, def.writers.update);
      const user = currentUser(ctx);
      const input = await readWriteInput(services, user, def, await readJson(ctx), { create: false, id: row.reference_id });
      if (!def.update) throw new HttpError(405, 'Method Not Allowed', 'this resource is read-only');
      await def.update({ ...services, user }, row, input);
      send(ctx, 200, await singleDocument(services, ctx, def, row.reference_id));
    },
  );

  routes.add({ method: 'delete', path: `${base}/:id`, summary: `Delete a ${def.type}`, tag, auth: true }, async (ctx) => {
    const row = await visibleRow(services, ctx, def);
    allow(ctx, def.writers.remove);
    if (!def.remove) throw new HttpError(405, 'Method Not Allowed', 'this resource is read-only');
    await def.remove({ ...services, user: currentUser(ctx) }, row);
    ctx.status = 204;
  });

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

/** A to-one target, if the caller may see it. */
async function relatedRow(services: ApiServices, user: ReturnType<typeof currentUser>, type: ResourceDef['type'], id: number) {
  const ref = (await referencesFor(services.store, type, [id])).get(id);
  return ref ? findRowByReference(services.store, type, ref, scopeFor(user, RESOURCES[type])) : undefined;
}

export function resourceRoutes(routes: DocumentedRoutes, services: ApiServices): void {
  for (const def of Object.values(RESOURCES)) typeRoutes(routes, services, def);
}
