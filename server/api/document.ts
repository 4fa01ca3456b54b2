// Turning rows into JSON:API resource objects: attributes from the column
// whitelist (foreign keys become relationships carrying UUIDs), dates as ISO
// 8601, sparse fieldsets, and links.
import { FOREIGN_KEYS, queryableColumns, referencesFor, type QueryRow, type QueryTable } from '../../schema/index.ts';
import type { ApiServices, ResourceDef } from './resources/types.ts';

export interface ResourceObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  relationships: Record<string, { data?: { type: string; id: string } | null; links: { self: string; related: string } }>;
  links: { self: string };
}

/** UUIDs of every to-one relationship target of these rows, per relation name. */
export async function relationTargets(services: ApiServices, def: ResourceDef, rows: QueryRow[]): Promise<Map<string, Map<number, string>>> {
  const out = new Map<string, Map<number, string>>();
  for (const [name, rel] of Object.entries(def.relations)) {
    if (rel.many) continue;
    const ids = rows.map((r) => r[rel.column]).filter((v): v is number => typeof v === 'number');
    out.set(name, await referencesFor(services.store, rel.type, ids));
  }
  return out;
}

function attributeNames(def: ResourceDef): Array<[string, string]> {
  const hidden = new Set(['reference_id', ...(def.hidden ?? [])]);
  return Object.entries(queryableColumns(def.type)).filter(([name]) => !hidden.has(name) && !(name in FOREIGN_KEYS));
}

export async function present(
  services: ApiServices,
  def: ResourceDef,
  row: QueryRow,
  targets: Map<string, Map<number, string>>,
  options: { full: boolean; fields?: Set<string> },
): Promise<ResourceObject> {
  const self = `/api/${def.type}/${row.reference_id}`;
  let attributes: Record<string, unknown> = {};
  for (const [name, kind] of attributeNames(def)) {
    const value = row[name];
    attributes[name] = kind === 'date' && typeof value === 'number' ? new Date(value).toISOString() : value;
  }
  if (def.present) Object.assign(attributes, await def.present(services, row, options.full));
  if (options.fields) attributes = Object.fromEntries(Object.entries(attributes).filter(([k]) => options.fields!.has(k)));
  const relationships: ResourceObject['relationships'] = {};
  for (const [name, rel] of Object.entries(def.relations)) {
    if (options.fields && !options.fields.has(name)) continue;
    const links = { self: `${self}/relationships/${name}`, related: `${self}/${name}` };
    if (rel.many) {
      relationships[name] = { links };
    } else {
      const key = row[rel.column];
      const id = typeof key === 'number' ? targets.get(name)?.get(key) : undefined;
      relationships[name] = { data: id ? { type: rel.type, id } : null, links };
    }
  }
  return { type: def.type, id: row.reference_id, attributes, relationships, links: { self } };
}

/** Attribute names a `fields` list may name for a type. */
export function fieldNames(def: ResourceDef): Set<string> {
  return new Set([...attributeNames(def).map(([n]) => n), ...Object.keys(def.relations)]);
}
