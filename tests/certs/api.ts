// Small HTTP helpers for calling Heron's admin API from tests.
import { fetchWithDeadline, SLOW_WAIT_MS } from '../helpers/deadline.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';

export interface Reply {
  status: number;
  json: any; // test-side only: assertions inspect arbitrary response shapes
  text: string;
  type: string;
}

export async function call(base: string, method: string, path: string, options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  // Generous: some actions run a whole ACME order against pebble.
  const res = await fetchWithDeadline(`${base}${path}`, { method, headers, body }, SLOW_WAIT_MS);
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (XML, plain text)
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') ?? '' };
}

export async function signIn(base: string, email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<string> {
  const reply = await call(base, 'POST', '/action/user_account/signin', { body: { attributes: { email, password } } });
  const entry = (reply.json as { ResponseType: string; Attributes: { key?: string; value?: string } }[]).find(
    (e) => e.ResponseType === 'client.store.set' && e.Attributes.key === 'token',
  );
  if (!entry?.Attributes.value) throw new Error(`sign-in failed: ${reply.text}`);
  return entry.Attributes.value;
}
