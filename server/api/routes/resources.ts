// The JSON:API resource routes for every type: GET|POST /api/<type> and
// GET|PATCH|DELETE /api/<type>/<id> (relationship routes: relationships.ts).
import type { Context } from 'koa';
import { z } from 'zod';
import { findRowByReference, type QueryRow } from '../../../schema/index.ts';
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
import { relationshipRoutes } from './relationships.ts';
import { idParam, LIST_QUERY, send, visibleRow } from './respond.ts';

// A 25 MB message as base64 inside a JSON:API document.
const MAX_WRITE_BODY = 40 * 1024 * 1024;

function allow(ctx: Context, who: Writer): void {
  const user = currentUser(ctx);
  if (who === 'nobody') throw new HttpError(405, 'Method Not Allowed', 'this resource is read-only');
  if (who === 'admin' && !user.is_admin) throw new HttpError(403, 'Forbidden', 'this needs an administrator');
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
    const input = await readWriteInput(services, user, def, await readJson(ctx, MAX_WRITE_BODY), { create: true });
    if (!def.create) throw new HttpError(405, 'Method Not Allowed', 'this resource is read-only');
    const { id, created, once } = await def.create({ ...services, user }, input);
    ctx.set('Location', `${base}/${id}`);
    const document = await singleDocument(services, ctx, def, id);
    if (once) Object.assign(document.data.attributes, once);
    send(ctx, created ? 201 : 200, document);
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

  relationshipRoutes(routes, services, def);
}

export function resourceRoutes(routes: DocumentedRoutes, services: ApiServices): void {
  for (const def of Object.values(RESOURCES)) typeRoutes(routes, services, def);
}
