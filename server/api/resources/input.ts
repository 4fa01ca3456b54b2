// Reading a JSON:API write document: {"data":{"type","id"?,"attributes","relationships"}}.
// Shape errors are 400, a type or id that does not match the URL 409, an
// unknown attribute 400, a bad attribute value 422 (JSON:API §Creating/Updating).
import { z } from 'zod';
import { findRowByReference, type UserAccountRow } from '../../../schema/index.ts';
import { HttpError } from '../errors.ts';
import { scopeFor } from '../query/scope.ts';
import { RESOURCES } from './index.ts';
import type { ApiServices, ResourceDef, WriteInput } from './types.ts';

const Linkage = z.strictObject({ type: z.string(), id: z.string() });
const Document = z.object({
  data: z.object({
    type: z.string(),
    id: z.string().optional(),
    attributes: z.record(z.string(), z.unknown()).optional(),
    relationships: z.record(z.string(), z.object({ data: z.union([Linkage, z.null()]) })).optional(),
  }),
});

function attributeErrors(error: z.ZodError): HttpError {
  const unknown = error.issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown && unknown.code === 'unrecognized_keys') {
    return new HttpError(400, 'Bad Request', `unknown attribute ${unknown.keys.map((k) => `"${k}"`).join(', ')}`);
  }
  const detail = error.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
  return new HttpError(422, 'Unprocessable Entity', detail);
}

export async function readWriteInput(
  services: ApiServices,
  user: UserAccountRow,
  def: ResourceDef,
  body: unknown,
  mode: { create: true } | { create: false; id: string },
): Promise<WriteInput> {
  const doc = Document.safeParse(body);
  if (!doc.success) throw new HttpError(400, 'Bad Request', 'expected {"data":{"type":…,"attributes":{…},"relationships":{…}}}');
  const data = doc.data.data;
  if (data.type !== def.type) throw new HttpError(409, 'Conflict', `data.type is "${data.type}" but this endpoint takes "${def.type}"`);
  if (mode.create && data.id !== undefined) throw new HttpError(403, 'Forbidden', 'ids are assigned by the server');
  if (!mode.create && data.id !== undefined && data.id !== mode.id) throw new HttpError(409, 'Conflict', 'data.id does not match the URL');

  const schema = mode.create ? def.createAttributes : def.updateAttributes;
  const parsed = schema.safeParse(data.attributes ?? {});
  if (!parsed.success) throw attributeErrors(parsed.error);

  const relationships: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(data.relationships ?? {})) {
    if (def.ignoredRelationships?.includes(name)) continue;
    const rel = def.relations[name];
    if (!rel || rel.many) throw new HttpError(400, 'Bad Request', `unknown relationship "${name}" for ${def.type}`);
    if (value.data === null) {
      relationships[name] = null;
      continue;
    }
    if (value.data.type !== rel.type) throw new HttpError(409, 'Conflict', `relationship ${name} takes type "${rel.type}", not "${value.data.type}"`);
    const target = await findRowByReference(services.store, rel.type, value.data.id, scopeFor(user, RESOURCES[rel.type]));
    if (!target) throw new HttpError(404, 'Not Found', `${rel.type} ${value.data.id} not found`);
    relationships[name] = target.id;
  }
  return { attributes: parsed.data as Record<string, unknown>, relationships };
}
