// List parameters: JSON:API page[number]/page[size], sort, fields, include
// (and Daptin's included_relations), Daptin's query=[{column,operator,value}],
// filter=<text> (search) and filter[column]=value (equality). Everything is
// checked against the resource's whitelist; a bad parameter is a 400.
import type { ParsedUrlQuery } from 'node:querystring';
import { z } from 'zod';
import { QUERY_OPERATORS, queryableColumns, type QueryCondition } from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import type { ResourceDef } from '../resources/types.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface ListParams {
  pageNumber: number;
  pageSize: number;
  sort: Array<{ column: string; descending: boolean }>;
  /** Sparse fieldsets per type; the primary type's also from plain `fields=`. */
  fields: Map<string, Set<string>>;
  include: string[];
  conditions: QueryCondition[];
  search: string | undefined;
}

const badRequest = (detail: string) => new HttpError(400, 'Bad Request', detail);

function single(query: ParsedUrlQuery, key: string): string | undefined {
  const v = query[key];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw badRequest(`${name} must be a positive integer`);
  return Number(value);
}

const DaptinQuery = z.array(
  z.strictObject({
    column: z.string().min(1).max(100),
    operator: z.enum(QUERY_OPERATORS),
    value: z.unknown().optional(),
  }),
).max(50);

/** Column names a caller may use: the whitelist, with `id` meaning the UUID. */
export function checkColumn(def: ResourceDef, column: string): string {
  const name = column === 'id' ? 'reference_id' : column;
  if (!(name in queryableColumns(def.type)) || def.hidden?.includes(name)) throw badRequest(`unknown column "${column}" for ${def.type}`);
  return name;
}

const names = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

export function parseListParams(query: ParsedUrlQuery, def: ResourceDef): ListParams {
  const pageSize = positiveInt(single(query, 'page[size]') ?? single(query, 'page[limit]'), 'page[size]', DEFAULT_PAGE_SIZE);
  if (pageSize > MAX_PAGE_SIZE) throw badRequest(`page[size] is at most ${MAX_PAGE_SIZE}`);
  const pageNumber = positiveInt(single(query, 'page[number]'), 'page[number]', 1);

  const sort = names(single(query, 'sort') ?? '').map((s) => {
    const descending = s.startsWith('-');
    return { column: checkColumn(def, descending ? s.slice(1) : s.replace(/^\+/, '')), descending };
  });

  const fields = new Map<string, Set<string>>();
  for (const [key, value] of Object.entries(query)) {
    const m = /^fields(?:\[([a-z_]+)\])?$/.exec(key);
    if (m && typeof value === 'string') fields.set(m[1] ?? def.type, new Set(names(value)));
  }

  const include = [...new Set([...names(single(query, 'include') ?? ''), ...names(single(query, 'included_relations') ?? '')])];
  for (const rel of include) {
    if (!(rel in def.relations)) throw badRequest(`unknown relationship "${rel}" for ${def.type} (nested paths are not supported)`);
  }

  const conditions: QueryCondition[] = [];
  const raw = single(query, 'query');
  if (raw !== undefined && raw !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw badRequest('query must be a JSON array of {"column","operator","value"}');
    }
    const checked = DaptinQuery.safeParse(parsed);
    if (!checked.success) {
      throw badRequest(`query must be a JSON array of {"column","operator","value"}; operators: ${QUERY_OPERATORS.join(', ')}`);
    }
    for (const c of checked.data) conditions.push({ ...c, column: checkColumn(def, c.column) });
  }
  for (const [key, value] of Object.entries(query)) {
    const m = /^filter\[([^\]]+)\]$/.exec(key);
    if (m && typeof value === 'string') conditions.push({ column: checkColumn(def, m[1]), operator: 'is', value });
  }
  const search = single(query, 'filter');
  return { pageNumber, pageSize, sort, fields, include, conditions, search: search === '' ? undefined : search };
}
