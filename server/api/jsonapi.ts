// JSON:API documents for table rows: the row's UUID is the resource id, the
// integer key and secrets are never exposed.
export const JSONAPI_TYPE = 'application/vnd.api+json';

/** Columns no response ever contains. */
const HIDDEN = new Set(['id', 'reference_id', 'password_hash', 'token_hash', 'private_key_pem']);

export interface ResourceObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
}

export function toResource(type: string, row: Record<string, unknown> & { reference_id: string }): ResourceObject {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (!HIDDEN.has(key)) attributes[key] = value;
  }
  return { type, id: row.reference_id, attributes };
}
