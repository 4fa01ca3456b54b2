// Shared by the resource and relationship routes: the list parameters'
// documentation, sending a JSON:API document, and finding a row the caller may see.
import type { Context } from 'koa';
import { findRowByReference, type QueryRow } from '../../../schema/index.ts';
import { currentUser } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { JSONAPI_TYPE } from '../jsonapi.ts';
import { scopeFor } from '../query/scope.ts';
import type { ApiServices, ResourceDef } from '../resources/types.ts';
import { jsonBody } from '../streamed-json.ts';

export const LIST_QUERY = [
  { name: 'page[number]', description: 'page, from 1' },
  { name: 'page[size]', description: 'rows per page (default 50, at most 500)' },
  { name: 'sort', description: 'columns, comma-separated; "-" for descending' },
  { name: 'fields', description: 'attributes to return (also fields[<type>])' },
  { name: 'include', description: 'relationships whose rows to include (also included_relations)' },
  { name: 'query', description: 'Daptin conditions: JSON array of {"column","operator","value"}' },
  { name: 'filter', description: 'text searched in the main text columns; filter[<column>]=value for equality' },
];

export const send = (ctx: Context, status: number, body: unknown) => {
  ctx.status = status;
  ctx.type = JSONAPI_TYPE;
  // A string, or a stream when the document carries a raw message (streamed-json.ts).
  ctx.body = jsonBody(body);
};

export function idParam(ctx: Context): string {
  return String((ctx.params as Record<string, string>).id);
}

export async function visibleRow(services: ApiServices, ctx: Context, def: ResourceDef): Promise<QueryRow> {
  const id = idParam(ctx);
  const row = await findRowByReference(services.store, def.type, id, scopeFor(currentUser(ctx), def));
  if (!row) throw new HttpError(404, 'Not Found', `${def.type} ${id} not found`);
  return row;
}

