// Every call the console makes goes through here, to Heron's documented API
// routes (nothing else exists for it). The session cookie rides along; the
// X-Requested-With header is the server's CSRF check for cookie sessions.
// Errors carry the API's JSON:API `detail`.

export interface Resource<A = Record<string, unknown>> {
  type: string;
  id: string;
  attributes: A;
  relationships?: Record<string, { data?: { type: string; id: string } | null }>;
}

export interface ListDocument<A> {
  data: Resource<A>[];
  meta?: { total_count?: number };
  links?: { next?: string | null; prev?: string | null };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Fired when the API says the session is gone (401), so the app shows the sign-in form. */
export const SIGNED_OUT_EVENT = 'heron:signed-out';

const JSONAPI = 'application/vnd.api+json';

async function errorOf(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { errors?: Array<{ title?: string; detail?: string }> };
    const first = body.errors?.[0];
    if (first) message = first.detail ?? first.title ?? message;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, message);
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: `${JSONAPI}, application/json`, 'X-Requested-With': 'heron-console' };
  if (body !== undefined) headers['Content-Type'] = path.startsWith('/api/') ? JSONAPI : 'application/json';
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && path !== '/action/user_account/signin') window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string) => request<T>('GET', path);

/** A documented route that answers with text (MTA-STS policy, autoconfig XML); null on 404. */
export async function getText(path: string): Promise<string | null> {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (res.status === 404) return null;
  if (!res.ok) throw await errorOf(res);
  return res.text();
}

/** GET /api/<type> with list parameters (filter, sort, page[size], query, …). */
export function list<A>(type: string, params: Record<string, string> = {}): Promise<ListDocument<A>> {
  const query = new URLSearchParams(params).toString();
  return get<ListDocument<A>>(`/api/${type}${query ? `?${query}` : ''}`);
}

export async function getOne<A>(type: string, id: string): Promise<Resource<A>> {
  return (await get<{ data: Resource<A> }>(`/api/${type}/${encodeURIComponent(id)}`)).data;
}

type Relationships = Record<string, { type: string; id: string }>;
const linkage = (relationships: Relationships) => Object.fromEntries(Object.entries(relationships).map(([k, v]) => [k, { data: v }]));

export async function create<A>(type: string, attributes: Record<string, unknown>, relationships: Relationships = {}): Promise<Resource<A>> {
  return (await request<{ data: Resource<A> }>('POST', `/api/${type}`, { data: { type, attributes, relationships: linkage(relationships) } })).data;
}

export async function update<A>(type: string, id: string, attributes: Record<string, unknown>): Promise<Resource<A>> {
  return (await request<{ data: Resource<A> }>('PATCH', `/api/${type}/${encodeURIComponent(id)}`, { data: { type, id, attributes } })).data;
}

export const remove = (type: string, id: string) => request<void>('DELETE', `/api/${type}/${encodeURIComponent(id)}`);

/** POST /action/<type>/<name> with {"attributes": …} (and a subject id at the top level, as Daptin sends it). */
export const action = <T>(path: string, attributes: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  request<T>('POST', path, { attributes, ...top });

/** Daptin's action answers are lists of {ResponseType, Attributes}. */
export type ActionAnswer = Array<{ ResponseType: string; Attributes: Record<string, unknown> }>;

/** The relationship's target id, if set. */
export const related = <A>(r: Resource<A>, name: string): string | null => r.relationships?.[name]?.data?.id ?? null;
