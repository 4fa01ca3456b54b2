// The generic list engine: runs a list query for a resource type within the
// caller's scope, then builds the JSON:API document with included rows,
// pagination links and totals.
import querystring, { type ParsedUrlQuery } from 'node:querystring';
import { queryRows, StoreError, type QueryCondition, type QueryRow, type UserAccountRow } from '../../../schema/index.ts';
import { present, relationTargets, type ResourceObject } from '../document.ts';
import { HttpError } from '../errors.ts';
import { RESOURCES } from '../resources/index.ts';
import type { ApiServices, ResourceDef } from '../resources/types.ts';
import type { ListParams } from './params.ts';
import { scopeFor } from './scope.ts';

const MAX_INCLUDED = 1000;

/** Store complaints about condition values are the caller's mistake: 400. */
async function asBadRequest<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof StoreError && err.code === 'CANNOT') throw new HttpError(400, 'Bad Request', err.message);
    throw err;
  }
}

export async function presentRows(
  services: ApiServices,
  def: ResourceDef,
  rows: QueryRow[],
  options: { full: boolean; fields?: Set<string> },
): Promise<ResourceObject[]> {
  const targets = await relationTargets(services, def, rows);
  return Promise.all(rows.map((row) => present(services, def, row, targets, options)));
}

export async function included(
  services: ApiServices,
  user: UserAccountRow,
  def: ResourceDef,
  rows: QueryRow[],
  params: ListParams,
): Promise<ResourceObject[]> {
  const out = new Map<string, ResourceObject>();
  const primary = await relationTargets(services, def, rows);
  for (const name of params.include) {
    const rel = def.relations[name];
    const target = RESOURCES[rel.type];
    const condition: QueryCondition = rel.many
      ? { column: rel.column, operator: 'in', value: rows.map((r) => r.reference_id) }
      : { column: 'reference_id', operator: 'in', value: [...(primary.get(name)?.values() ?? [])] };
    const { rows: related } = await queryRows(services.store, {
      table: rel.type,
      conditions: [condition],
      scope: scopeFor(user, target),
      limit: MAX_INCLUDED,
    });
    for (const r of await presentRows(services, target, related, { full: false, fields: params.fields.get(rel.type) })) {
      out.set(`${r.type}/${r.id}`, r);
    }
  }
  return [...out.values()];
}

function pageLink(path: string, query: ParsedUrlQuery, number: number, size: number): string {
  const q: ParsedUrlQuery = { ...query, 'page[number]': String(number), 'page[size]': String(size) };
  delete q.token;
  return `${path}?${querystring.stringify(q)}`;
}

export async function listDocument(
  services: ApiServices,
  user: UserAccountRow,
  def: ResourceDef,
  params: ListParams,
  request: { path: string; query: ParsedUrlQuery; extra?: QueryCondition[] },
) {
  const { rows, total } = await asBadRequest(() =>
    queryRows(services.store, {
      table: def.type,
      conditions: [...params.conditions, ...(request.extra ?? [])],
      scope: scopeFor(user, def),
      search: params.search === undefined ? undefined : { text: params.search, columns: def.search },
      sort: params.sort,
      limit: params.pageSize,
      offset: (params.pageNumber - 1) * params.pageSize,
    }),
  );
  const data = await presentRows(services, def, rows, { full: false, fields: params.fields.get(def.type) });
  const lastPage = Math.max(1, Math.ceil(total / params.pageSize));
  const link = (n: number) => pageLink(request.path, request.query, n, params.pageSize);
  return {
    data,
    ...(params.include.length > 0 ? { included: await included(services, user, def, rows, params) } : {}),
    links: {
      self: link(params.pageNumber),
      first: link(1),
      last: link(lastPage),
      prev: params.pageNumber > 1 ? link(Math.min(params.pageNumber - 1, lastPage)) : null,
      next: params.pageNumber < lastPage ? link(params.pageNumber + 1) : null,
    },
    meta: { total_count: total, page: { number: params.pageNumber, size: params.pageSize, count: lastPage } },
  };
}
