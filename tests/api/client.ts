// A small HTTP client for the admin API tests: JSON:API requests with a token,
// sign-in, and a world with an admin, an owner and another user.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Heron } from '../../server/heron.ts';
import { fetchWithDeadline } from '../helpers/deadline.ts';
import { dataTables } from '../helpers/database.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, startTestHeron } from '../helpers/heron.ts';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // Parsed JSON body (undefined when empty or not JSON).
  body: any;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Raw body text, sent as is. */
  raw?: string;
  contentType?: string | null;
  accept?: string;
  headers?: Record<string, string>;
}

export class Api {
  constructor(readonly base: string) {}

  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.accept) headers.Accept = options.accept;
    const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (payload !== undefined && options.contentType !== null) {
      headers['Content-Type'] = options.contentType ?? (path.startsWith('/api/') ? 'application/vnd.api+json' : 'application/json');
    }
    const res = await fetchWithDeadline(this.base + path, { method, headers, body: payload });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, headers: res.headers, text, body };
  }

  get = (path: string, token?: string, options: RequestOptions = {}) => this.request('GET', path, { ...options, token });
  post = (path: string, token: string | undefined, body: unknown, options: RequestOptions = {}) => this.request('POST', path, { ...options, token, body });
  patch = (path: string, token: string | undefined, body: unknown, options: RequestOptions = {}) => this.request('PATCH', path, { ...options, token, body });
  delete = (path: string, token?: string) => this.request('DELETE', path, { token });

  async signin(email: string, password: string): Promise<string> {
    const reply = await this.post('/action/user_account/signin', undefined, { attributes: { email, password } });
    assert.equal(reply.status, 200, reply.text);
    const entry = (reply.body as Array<{ ResponseType: string; Attributes: { key?: string; value?: string } }>).find(
      (e) => e.ResponseType === 'client.store.set' && e.Attributes.key === 'token',
    );
    assert.ok(entry?.Attributes.value);
    return entry.Attributes.value;
  }

  /** Creates a resource and returns its id, asserting the status. */
  async create(token: string, type: string, attributes: Record<string, unknown>, relationships: Record<string, { type: string; id: string }> = {}): Promise<string> {
    const rels = Object.fromEntries(Object.entries(relationships).map(([k, v]) => [k, { data: v }]));
    const reply = await this.post(`/api/${type}`, token, { data: { type, attributes, relationships: rels } });
    assert.ok(reply.status === 201 || reply.status === 200, `create ${type}: ${reply.status} ${reply.text}`);
    return reply.body.data.id as string;
  }
}

export const api = (heron: Heron) => new Api(`http://127.0.0.1:${heron.ports.api}`);

export const message = (subject: string, body = 'Hello.') =>
  `From: Bob <bob@remote.test>\r\nTo: someone@heron.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@remote.test>\r\n\r\n${body}\r\n`;

/** An admin, an owner with a mail account, and another user with their own account. */
export interface World {
  admin: string;
  owner: string;
  other: string;
  serverId: string;
  ownerUserId: string;
  otherUserId: string;
  ownerAccountId: string;
  otherAccountId: string;
  ownerInboxId: string;
  otherInboxId: string;
  ownerMailId: string;
  otherMailId: string;
}

async function inboxOf(a: Api, token: string, accountId: string): Promise<string> {
  const reply = await a.get(`/api/mail_account/${accountId}/mail_box?filter[name]=INBOX`, token);
  assert.equal(reply.status, 200, reply.text);
  return reply.body.data[0].id as string;
}

export async function buildWorld(a: Api): Promise<World> {
  const admin = await a.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
  const servers = await a.get('/api/mail_server', admin);
  const serverId = servers.body.data[0].id as string;
  const ownerUserId = await a.create(admin, 'user_account', { email: 'owner@heron.test', password: 'owner-password' });
  const otherUserId = await a.create(admin, 'user_account', { email: 'other@heron.test', password: 'other-password' });
  const ownerAccountId = await a.create(
    admin,
    'mail_account',
    { username: 'owner@heron.test', password: 'mail-password' },
    { mail_server_id: { type: 'mail_server', id: serverId }, user_account_id: { type: 'user_account', id: ownerUserId } },
  );
  const otherAccountId = await a.create(
    admin,
    'mail_account',
    { username: 'other@heron.test', password: 'mail-password' },
    { mail_server_id: { type: 'mail_server', id: serverId }, user_account_id: { type: 'user_account', id: otherUserId } },
  );
  const ownerInboxId = await inboxOf(a, admin, ownerAccountId);
  const otherInboxId = await inboxOf(a, admin, otherAccountId);
  const ownerMailId = await a.create(admin, 'mail', { mail: message('Owner mail') }, { mail_box_id: { type: 'mail_box', id: ownerInboxId } });
  const otherMailId = await a.create(admin, 'mail', { mail: message('Other mail') }, { mail_box_id: { type: 'mail_box', id: otherInboxId } });
  return {
    admin,
    owner: await a.signin('owner@heron.test', 'owner-password'),
    other: await a.signin('other@heron.test', 'other-password'),
    serverId,
    ownerUserId,
    otherUserId,
    ownerAccountId,
    otherAccountId,
    ownerInboxId,
    otherInboxId,
    ownerMailId,
    otherMailId,
  };
}

/** A fingerprint of every table's rows, to check that a rejected request changed nothing. */
export async function snapshot(heron: Heron): Promise<string> {
  const tables = await dataTables(heron.store);
  return JSON.stringify(
    await Promise.all(tables.map(async (name) => [name, await heron.store.all(`SELECT * FROM "${name}" ORDER BY 1`)])),
    (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v),
  );
}

/** JSON:API error document with the given status, and no stack trace. */
export function assertError(reply: Reply, status: number): void {
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /application\/vnd\.api\+json/);
  assert.equal(reply.body.errors[0].status, String(status));
  assert.ok(reply.body.errors[0].title);
  assert.doesNotMatch(reply.text, /\n\s+at |node_modules|\.ts:\d+/);
}

export type TestHeron = Heron & { dataDir: string };

/** Starts a Heron before the suite's tests (then runs `setup`) and removes it after them. */
export function useHeron(setup: (heron: TestHeron) => Promise<void>, env: Record<string, string> = {}): void {
  let heron: TestHeron | undefined;
  before(async () => {
    heron = await startTestHeron({ env });
    await setup(heron);
  });
  after(async () => {
    if (!heron) return;
    await heron.stop();
    removeDir(heron.dataDir);
  });
}
