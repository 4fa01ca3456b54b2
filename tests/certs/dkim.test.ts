// DKIM keys: the API actions (generate, rotate, activate, list) and a
// sign/verify round trip with mailauth against a loopback DNS server that
// publishes the generated TXT records split into 255-byte strings.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { promises as dnsPromises } from 'node:dns';
import { after, before, test } from 'node:test';
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { dkimSigningKey } from '../../certs/dkim.ts';
import { txtStrings } from '../../certs/dns/zone.ts';
import { createMailServer, createUserAccount, type DkimKeyRow, findActiveDkimKey, listDkimKeys } from '../../schema/index.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';
import { call, signIn } from './api.ts';
import { startTestDns, type TestDns } from './dns-server.ts';

let heron: Awaited<ReturnType<typeof startTestHeron>>;
let base: string;
let token: string;
let dns: TestDns;

before(async () => {
  heron = await startTestHeron();
  base = `http://127.0.0.1:${heron.ports.api}`;
  token = await signIn(base);
  dns = await startTestDns();
});

after(async () => {
  await heron?.stop();
  await dns?.close();
  if (heron) removeDir(heron.dataDir);
});

const message = (from: string) =>
  [
    `From: Sender <${from}>`,
    'To: someone@example.org',
    'Subject: DKIM round trip',
    'Date: Sat, 21 Nov 2026 12:00:00 +0000',
    'Message-ID: <dkim-test@heron.test>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Hello from Heron.',
    '',
  ].join('\r\n');

/** Publishes every key the API lists, as the zone would (255-byte strings). */
async function publishKeys(): Promise<void> {
  const list = await call(base, 'GET', `/action/dkim_key/list?domain=${TEST_HOSTNAME}`, { token });
  assert.equal(list.status, 200);
  dns.records.length = 0;
  for (const key of list.json.data) {
    const strings = txtStrings(key.attributes.dns_txt);
    if (key.attributes.algorithm === 'rsa') assert.ok(strings.length > 1, 'a 2048-bit RSA record needs several strings');
    dns.records.push({ name: key.attributes.dns_name, type: 'TXT', data: strings });
  }
}

/** mailauth signs only the entries of signatureData; dkimSigningKey is one such entry. */
function sign(raw: string, key: DkimKeyRow) {
  const entry = dkimSigningKey(key, heron.secret);
  // One timestamp: without signTime mailauth reads the clock twice and a second boundary between the reads breaks the signature.
  return dkimSign(raw, { ...entry, signatureData: [entry], signTime: new Date() });
}

async function signAndVerify(raw: string, tamper = false) {
  const key = (await findActiveDkimKey(heron.store, TEST_HOSTNAME))!;
  const signed = await sign(raw, key);
  assert.deepEqual(signed.errors, []);
  let full = signed.signatures + raw;
  if (tamper) full = full.replace('Hello from Heron.', 'Hello from Mallory.');
  const resolver = new dnsPromises.Resolver();
  resolver.setServers([dns.server]);
  const verified = await dkimVerify(full, { resolver: (name, rrtype) => resolver.resolve(name, rrtype) as Promise<string[][]> });
  return { key, result: verified.results[0] };
}

test('the first start created the domain key: RSA-2048, selector d1, active, sealed; list never returns the private key', async () => {
  const list = await call(base, 'GET', `/action/dkim_key/list?domain=${TEST_HOSTNAME}`, { token });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.data.length, 1);
  const a = list.json.data[0].attributes;
  assert.equal(a.selector, 'd1');
  assert.equal(a.algorithm, 'rsa');
  assert.equal(a.is_active, true);
  assert.equal(a.dns_name, `d1._domainkey.${TEST_HOSTNAME}`);
  assert.match(a.dns_txt, /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{360,}$/);
  assert.equal(list.text.includes('PRIVATE KEY'), false);
  const [row] = await listDkimKeys(heron.store, TEST_HOSTNAME);
  assert.match(row.private_key_pem, /^enc:v1:/);
  assert.equal(crypto.createPrivateKey(heron.secret.open(row.private_key_pem)).asymmetricKeyDetails?.modulusLength, 2048);
});

test('generate on a domain without keys makes the first one (d1) the signing key', async () => {
  await createMailServer(heron.store, { hostname: 'second.test' });
  const reply = await call(base, 'POST', '/action/dkim_key/generate', { token, body: { attributes: { domain: 'Second.Test' } } });
  assert.equal(reply.status, 201, reply.text);
  assert.deepEqual(
    [reply.json.data.attributes.domain, reply.json.data.attributes.selector, reply.json.data.attributes.is_active],
    ['second.test', 'd1', true],
  );
  assert.equal(reply.text.includes('PRIVATE KEY'), false);
});

test('an RSA signature verifies with mailauth against the published record; tampering fails', async () => {
  await publishKeys();
  const ok = await signAndVerify(message(`alice@${TEST_HOSTNAME}`));
  assert.equal(ok.result.status.result, 'pass', JSON.stringify(ok.result.status));
  assert.equal(ok.result.selector, 'd1');
  const bad = await signAndVerify(message(`alice@${TEST_HOSTNAME}`), true);
  assert.equal(bad.result.status.result, 'neutral');
  assert.match(bad.result.status.comment ?? '', /body hash/);
});

test('rotation: an ed25519 selector is added unpublished-inactive, then activated; the old one stays published and verifying', async () => {
  const added = await call(base, 'POST', '/action/dkim_key/generate', {
    token,
    body: { attributes: { domain: TEST_HOSTNAME, algorithm: 'ed25519' } },
  });
  assert.equal(added.status, 201, added.text);
  assert.equal(added.json.data.attributes.selector, 'd2', 'next free selector');
  assert.equal(added.json.data.attributes.is_active, false, 'a second key does not sign until activated');
  assert.match(added.json.data.attributes.dns_txt, /^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/);
  assert.equal((await findActiveDkimKey(heron.store, TEST_HOSTNAME))!.selector, 'd1');

  // A message signed with d1 before the switch.
  const raw = message(`bob@${TEST_HOSTNAME}`);
  const oldKey = (await findActiveDkimKey(heron.store, TEST_HOSTNAME))!;
  const oldSignature = (await sign(raw, oldKey)).signatures;

  const activated = await call(base, 'POST', '/action/dkim_key/activate', { token, body: { attributes: { domain: TEST_HOSTNAME, selector: 'd2' } } });
  assert.equal(activated.status, 200, activated.text);
  assert.deepEqual(
    activated.json.data.map((k: { attributes: { selector: string; is_active: boolean } }) => [k.attributes.selector, k.attributes.is_active]),
    [
      ['d1', false],
      ['d2', true],
    ],
  );
  await publishKeys();
  assert.equal(dns.records.length, 2, 'both selectors published');
  const ed = await signAndVerify(raw);
  assert.equal(ed.key.algorithm, 'ed25519');
  assert.equal(ed.result.status.result, 'pass', JSON.stringify(ed.result.status));
  assert.equal(ed.result.selector, 'd2');

  const resolver = new dnsPromises.Resolver();
  resolver.setServers([dns.server]);
  const old = await dkimVerify(oldSignature + raw, { resolver: (name, rrtype) => resolver.resolve(name, rrtype) as Promise<string[][]> });
  assert.equal(old.results[0].status.result, 'pass', 'mail signed with the old selector still verifies');

  const explicit = await call(base, 'POST', '/action/dkim_key/generate', {
    token,
    body: { attributes: { domain: TEST_HOSTNAME, selector: '2026-11', activate: true } },
  });
  assert.equal(explicit.status, 201, explicit.text);
  assert.equal((await findActiveDkimKey(heron.store, TEST_HOSTNAME))!.selector, '2026-11', 'activate:true signs at once');
  assert.equal((await listDkimKeys(heron.store, TEST_HOSTNAME)).length, 3);
});

test('a key that is not published does not verify', async () => {
  dns.records.length = 0;
  const { result } = await signAndVerify(message(`carol@${TEST_HOSTNAME}`));
  assert.notEqual(result.status.result, 'pass');
});

test('DKIM actions reject bad input and non-admins without changing keys', async () => {
  const before = await listDkimKeys(heron.store);
  const cases: [string, unknown, number][] = [
    ['/action/dkim_key/generate', { attributes: { domain: 'not-hosted.example' } }, 422],
    ['/action/dkim_key/generate', { attributes: { domain: TEST_HOSTNAME, algorithm: 'dsa' } }, 400],
    ['/action/dkim_key/generate', { attributes: { domain: TEST_HOSTNAME, selector: 'bad selector!' } }, 400],
    ['/action/dkim_key/generate', { attributes: { domain: TEST_HOSTNAME, selector: 'd1' } }, 409],
    ['/action/dkim_key/generate', { attributes: {} }, 400],
    ['/action/dkim_key/activate', { attributes: { domain: TEST_HOSTNAME, selector: 'zz' } }, 404],
    ['/action/dkim_key/activate', { domain: TEST_HOSTNAME }, 400],
  ];
  for (const [path, body, status] of cases) {
    const reply = await call(base, 'POST', path, { token, body });
    assert.equal(reply.status, status, `${path} ${JSON.stringify(body)}: ${reply.text}`);
    assert.equal(reply.json.errors[0].status, String(status));
  }
  const notJson = await call(base, 'POST', '/action/dkim_key/generate', { token, raw: '{oops', headers: { 'content-type': 'application/json' } });
  assert.equal(notJson.status, 400);
  assert.equal((await call(base, 'GET', '/action/dkim_key/list')).status, 401);
  await createUserAccount(heron.store, { email: 'user@heron.test', password: 'a long user password', isAdmin: false, name: 'User' });
  const userToken = await signIn(base, 'user@heron.test', 'a long user password');
  assert.equal((await call(base, 'GET', '/action/dkim_key/list', { token: userToken })).status, 403);
  assert.equal((await call(base, 'POST', '/action/dkim_key/generate', { token: userToken, body: { attributes: { domain: TEST_HOSTNAME } } })).status, 403);
  assert.deepEqual(await listDkimKeys(heron.store), before);
});
