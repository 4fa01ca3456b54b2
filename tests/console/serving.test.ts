// The console's server side, over plain HTTP: static files with their caching
// and security headers, index.html only for browser navigation outside the
// API's paths, the session cookie and its CSRF rule, and the API routes the
// console added (GET /session, GET /stats, mail_alias actions, current_password).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { ensureConsoleBuilt } from '../../scripts/build-console.ts';
import { fetchWithDeadline, IMAP_CLIENT_DEADLINES, WAIT_MS } from '../helpers/deadline.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { RawSmtp } from '../smtp/client.ts';
import { api, type Api, assertError, buildWorld, type TestHeron, useHeron, type World } from '../api/client.ts';

const CONSOLE_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console/src');
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** The session cookie from a sign-in answer, as a browser would send it back. */
async function cookieSignIn(a: Api, email: string, password: string): Promise<{ cookie: string; setCookie: string }> {
  const reply = await a.post('/action/user_account/signin', undefined, { attributes: { email, password } });
  assert.equal(reply.status, 200, reply.text);
  const setCookie = reply.headers.get('set-cookie') ?? '';
  const value = /token=([^;]+)/.exec(setCookie)?.[1];
  assert.ok(value, setCookie);
  return { cookie: `token=${value}`, setCookie };
}

describe('web console serving', () => {
  let heron: TestHeron;
  let a: Api;
  let w: World;

  before(async () => {
    await ensureConsoleBuilt();
  });
  useHeron(async (h) => {
    heron = h;
    a = api(heron);
    w = await buildWorld(a);
  });

  test('/ serves index.html with a strict CSP, no-cache and the other security headers; hashed assets are immutable', async () => {
    const index = await a.request('GET', '/');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    const csp = index.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) assert.ok(csp.includes(directive), csp);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(index.headers.get('referrer-policy'), 'no-referrer');
    // No inline script or style for the CSP to block.
    assert.doesNotMatch(index.text, /<script(?![^>]*\bsrc=)[^>]*>|<style|style=/);

    const assets = [...index.text.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.some((p) => p.endsWith('.js')) && assets.some((p) => p.endsWith('.css')), index.text);
    for (const asset of assets) {
      const reply = await a.request('GET', asset);
      assert.equal(reply.status, 200, asset);
      assert.equal(reply.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(reply.headers.get('content-type') ?? '', asset.endsWith('.js') ? /javascript/ : /text\/css/);
    }
    const etag = index.headers.get('etag');
    assert.ok(etag);
    // node:http, not fetch: fetch adds "Cache-Control: no-cache" to a conditional request.
    assert.equal(await statusOf(`${a.base}/`, { 'If-None-Match': etag }), 304);
    const head = await fetchWithDeadline(`${a.base}${assets[0]}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(Buffer.byteLength((await a.request('GET', assets[0])).text)));
    // A missing asset is a 404, never the page.
    assertError(await a.request('GET', '/assets/nothing-here.js', { accept: BROWSER_ACCEPT }), 404);
  });

  test('a browser navigating to a console page gets index.html; API paths and non-browser clients keep JSON 404s', async () => {
    for (const page of ['/overview', '/accounts', '/domains/heron.test', '/no-such-page']) {
      const reply = await a.request('GET', page, { accept: BROWSER_ACCEPT });
      assert.equal(reply.status, 200, page);
      assert.match(reply.text, /<div id="app">/);
    }
    assertError(await a.request('GET', '/no-such-page'), 404);
    assertError(await a.request('GET', '/no-such-page', { accept: 'application/json' }), 404);
    for (const path of ['/api/no_such_type', '/action/no/such', '/v1/account/x/nothing', '/.well-known/nothing', '/health/more']) {
      assertError(await a.request('GET', path, { accept: BROWSER_ACCEPT }), 404);
    }
    assertError(await a.request('POST', '/overview', { accept: BROWSER_ACCEPT, body: {} }), 404);
    // The API itself is untouched.
    assert.equal((await a.get('/health')).status, 200);
    assert.equal((await a.get('/api/mail_server', w.admin)).status, 200);
    assert.match((await a.get('/openapi.json')).headers.get('content-type') ?? '', /json/);
  });

  test('no back door: every fixed path the console calls is a documented API route', async () => {
    const doc = (await a.get('/openapi.json')).body as { paths: Record<string, unknown> };
    const documented = Object.keys(doc.paths).map((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`));
    const sources = fs.readdirSync(CONSOLE_SRC, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f));
    const called = new Set<string>();
    for (const file of sources) {
      const text = fs.readFileSync(path.join(CONSOLE_SRC, file), 'utf8');
      // Literal paths, with template holes standing for one segment; the query string is not part of the route.
      for (const m of text.matchAll(/['`](\/(?:action|api|session|stats|\.well-known)[^'`?]*)/g)) called.add(m[1].replace(/\$\{[^}]*\}/g, 'x').split('${')[0]);
    }
    const generic = new Set(['/api/', '/api/x', '/api/x/x']); // api.ts's list/create/update helpers, for the documented /api/<type> routes
    const missing = [...called].filter((p) => !generic.has(p) && !documented.some((r) => r.test(p)));
    assert.ok(called.size > 20, [...called].join(' '));
    assert.deepEqual(missing, []);
  });

  test('sign-in sets an HttpOnly, SameSite=Strict session cookie for path /, without Secure over plain HTTP', async () => {
    const { setCookie } = await cookieSignIn(a, ADMIN_EMAIL, ADMIN_PASSWORD);
    assert.match(setCookie, /httponly/i);
    assert.match(setCookie, /samesite=strict/i);
    assert.match(setCookie, /path=\//i);
    assert.doesNotMatch(setCookie, /secure/i);
  });

  test('cookie sessions: reads work; writes need X-Requested-With or this Origin; without the header a foreign Origin is refused; bearer tokens are unaffected', async () => {
    const { cookie } = await cookieSignIn(a, ADMIN_EMAIL, ADMIN_PASSWORD);
    const session = await a.get('/session', undefined, { headers: { Cookie: cookie } });
    assert.equal(session.status, 200, session.text);
    assert.deepEqual(session.body.data.attributes, { email: ADMIN_EMAIL, name: 'Administrator', is_admin: true });
    assertError(await a.get('/session'), 401);

    const create = (hostname: string, headers: Record<string, string>) =>
      a.post('/api/mail_server', undefined, { data: { type: 'mail_server', attributes: { hostname } } }, { headers: { Cookie: cookie, ...headers } });
    const forged = await create('forged.test', {});
    assertError(forged, 403);
    assert.match(forged.body.errors[0].detail, /X-Requested-With/);
    assertError(await create('forged.test', { Origin: 'http://evil.test' }), 403);
    assertError(await create('forged.test', { Origin: 'null' }), 403);
    assert.equal((await a.get('/api/mail_server?filter[hostname]=forged.test', w.admin)).body.data.length, 0, 'nothing was created');
    assert.equal((await create('script.test', { 'X-Requested-With': 'heron-console' })).status, 201);
    // What makes the header proof: a cross-origin page must first pass a preflight, which grants nothing.
    const preflight = await a.request('OPTIONS', '/api/mail_server', {
      headers: { Origin: 'http://evil.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-requested-with' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(preflight.headers.get('access-control-allow-headers'), null);
    // Behind a proxy that rewrites Host, the console's header still passes (a foreign page cannot send it without CORS).
    assert.equal((await create('proxied.test', { 'X-Requested-With': 'heron-console', Origin: 'https://mail.example.com' })).status, 201);
    assert.equal((await create('origin.test', { Origin: a.base })).status, 201);
    // Login CSRF: a cross-site form cannot sign a browser in either.
    assertError(await a.post('/action/user_account/signin', undefined, { attributes: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }, { headers: { Origin: 'http://evil.test' } }), 403);
    // Bearer tokens (and ?token=) are not browser-ambient: no check.
    const bearer = await a.post('/api/mail_server', w.admin, { data: { type: 'mail_server', attributes: { hostname: 'bearer.test' } } }, { headers: { Origin: 'http://elsewhere.test', Cookie: cookie } });
    assert.equal(bearer.status, 201, bearer.text);

    // Sign-out with the cookie revokes its token and clears the cookie.
    const out = await a.post('/action/user_account/signout', undefined, undefined, { headers: { Cookie: cookie, 'X-Requested-With': 'heron-console' } });
    assert.equal(out.status, 200, out.text);
    assert.match(out.headers.get('set-cookie') ?? '', /token=;.*expires=Thu, 01 Jan 1970/i);
    assertError(await a.get('/session', undefined, { headers: { Cookie: cookie } }), 401);
  });

  test('GET /stats: administrators only; listeners, queue and the counters the services update', async () => {
    assertError(await a.get('/stats', w.owner), 403);
    assertError(await a.get('/stats'), 401);
    // One failed IMAP login and one SMTP rejection, counted by the services themselves.
    const imap = new ImapFlow({ host: '127.0.0.1', port: heron.ports.imaps, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'owner@heron.test', pass: 'wrong' }, logger: false, ...IMAP_CLIENT_DEADLINES });
    await assert.rejects(imap.connect());
    const smtp = await RawSmtp.connect(heron.ports.smtp);
    try {
      await smtp.hello('test.example');
      assert.equal((await smtp.cmd('MAIL FROM:<someone@remote.example>')).code, 250);
      assert.equal(Math.floor((await smtp.cmd('RCPT TO:<nobody@heron.test>')).code / 100), 5, 'an unknown recipient is refused');
    } finally {
      await smtp.quit();
    }
    await a.post('/action/user_account/signin', undefined, { attributes: { email: 'owner@heron.test', password: 'wrong' } });

    const reply = await a.get('/stats', w.admin);
    assert.equal(reply.status, 200, reply.text);
    const s = reply.body.data.attributes;
    const names = s.listeners.map((l: { name: string }) => l.name);
    for (const name of ['api', 'imap', 'imaps', 'smtp', 'submission', 'submissions']) assert.ok(names.includes(name), names.join());
    for (const l of s.listeners) assert.equal(l.listening, true, l.name);
    const imaps = s.listeners.find((l: { name: string }) => l.name === 'imaps');
    assert.equal(imaps.tls, 'implicit');
    assert.equal(imaps.port, heron.ports.imaps);
    assert.equal(imaps.certificate.source, 'self-signed');
    assert.ok(Date.parse(imaps.certificate.expires_at) > Date.now());
    assert.equal(s.listeners.find((l: { name: string }) => l.name === 'submission').tls, 'starttls');
    assert.deepEqual(Object.keys(s.queue).sort(), ['cancelled', 'failed', 'partial', 'queued', 'sending', 'sent']);
    assert.equal(s.totals.authFailures.imap, 1);
    assert.equal(s.totals.authFailures.api, 1);
    assert.equal(s.totals.rejected['550'], 1);
    assert.equal(s.recent.rejected[0].enhanced, '5.1.1');
    assert.equal(s.recent.auth_failures[0].protocol, 'api');
    assert.equal(s.today.authFailures, 2);
  });

  test('aliases: administrators add them in hosted domains only; owners list their own; others see a 404', async () => {
    const add = (token: string, address: string, account = w.ownerAccountId) => a.post('/action/mail_alias/create', token, { attributes: { address, mail_account_id: account } });
    assertError(await add(w.owner, 'sales@heron.test'), 403);
    assertError(await add(w.admin, 'sales@elsewhere.test'), 422);
    assertError(await add(w.admin, 'not-an-address'), 400);
    const created = await add(w.admin, 'Sales@heron.test');
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.data.attributes.address, 'sales@heron.test');
    assert.equal(created.body.data.attributes.mail_account_id, w.ownerAccountId);
    assertError(await add(w.admin, 'sales@heron.test', w.otherAccountId), 409);
    assertError(await add(w.admin, 'other@heron.test'), 409);

    const mine = await a.get(`/action/mail_alias/list?mail_account_id=${w.ownerAccountId}`, w.owner);
    assert.deepEqual(mine.body.data.map((x: { attributes: { address: string } }) => x.attributes.address), ['sales@heron.test']);
    assert.deepEqual((await a.get('/action/mail_alias/list', w.owner)).body.data.length, 1);
    assert.equal((await a.get('/action/mail_alias/list', w.other)).body.data.length, 0);
    assertError(await a.get(`/action/mail_alias/list?mail_account_id=${w.ownerAccountId}`, w.other), 404);

    assertError(await a.post('/action/mail_alias/delete', w.owner, { attributes: { mail_alias_id: created.body.data.id } }), 403);
    assert.equal((await a.post('/action/mail_alias/delete', w.admin, { attributes: { mail_alias_id: created.body.data.id } })).status, 200);
    assertError(await a.post('/action/mail_alias/delete', w.admin, { attributes: { mail_alias_id: created.body.data.id } }), 404);
  });

  test('changing a password with current_password checks it first', async () => {
    const wrong = await a.patch(`/api/user_account/${w.ownerUserId}`, w.owner, { data: { type: 'user_account', attributes: { password: 'another-password', current_password: 'nope' } } });
    assertError(wrong, 422);
    await a.signin('owner@heron.test', 'owner-password');
    const right = await a.patch(`/api/user_account/${w.ownerUserId}`, w.owner, {
      data: { type: 'user_account', attributes: { password: 'another-password', current_password: 'owner-password' } },
    });
    assert.equal(right.status, 200, right.text);
    await a.signin('owner@heron.test', 'another-password');
  });
});

function statusOf(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, timeout: WAIT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
