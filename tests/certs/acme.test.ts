// ACME issuance and renewal against a real ACME server (Debian's pebble) on
// loopback: HTTP-01 answered on Heron's API port, names resolved by a loopback DNS.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { findAcmeAccount, findCertificate } from '../../schema/index.ts';
import { WAIT_MS, within } from '../helpers/deadline.ts';
import { removeDir, startTestHeron, tempDir, TEST_HOSTNAME } from '../helpers/heron.ts';
import { call, signIn } from './api.ts';
import { startTestDns, type TestDns } from './dns-server.ts';
import { type Pebble, preparePebble, startPebble } from './pebble.ts';

const ACME_EMAIL = 'ops@heron.test';
let dns: TestDns;
let pebble: Pebble;
let heron: Awaited<ReturnType<typeof startTestHeron>>;
let base: string;
let token: string;
let workDir: string;

before(async () => {
  workDir = tempDir('heron-acme-');
  dns = await startTestDns([], { wildcardA: '127.0.0.1' });
  const prepared = await preparePebble(workDir);
  heron = await startTestHeron({
    env: { HERON_ACME_DIRECTORY_URL: prepared.directoryUrl, HERON_ACME_CA_FILE: prepared.caFile, HERON_ACME_EMAIL: ACME_EMAIL },
  });
  base = `http://127.0.0.1:${heron.ports.api}`;
  pebble = await startPebble(prepared, { httpPort: heron.ports.api, dnsServer: dns.server });
  token = await signIn(base);
});

after(async () => {
  await heron?.stop();
  await pebble?.stop();
  await dns?.close();
  if (heron) removeDir(heron.dataDir);
  removeDir(workDir);
});

/** The certificate a TLS client sees for a server name, through Heron's SNI contexts. */
async function servedCertificate(servername: string, ca?: string): Promise<{ fingerprint: string; authorized: boolean; issuer: string }> {
  const server = tls.createServer({ SNICallback: heron.tls.sniCallback }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const served = new Promise<{ fingerprint: string; authorized: boolean; issuer: string }>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, servername, ca, rejectUnauthorized: false }, () => {
        const cert = socket.getPeerCertificate();
        resolve({ fingerprint: cert.fingerprint256, authorized: socket.authorized, issuer: String(cert.issuer.CN) });
        socket.end();
      });
      socket.on('error', reject);
    });
    return await within(served, WAIT_MS, `TLS handshake for ${servername}`);
  } finally {
    server.close();
  }
}

const fingerprintOf = (pem: string) => new crypto.X509Certificate(pem).fingerprint256;

test('generate_acme_certificate issues through pebble, seals the key and serves the certificate', async () => {
  const before = await servedCertificate(TEST_HOSTNAME);
  const reply = await call(base, 'POST', '/action/certificate/generate_acme_certificate', {
    token,
    body: { attributes: { hostname: TEST_HOSTNAME, alt_names: [`mail.${TEST_HOSTNAME}`] } },
  });
  assert.equal(reply.status, 200, reply.text);
  const attrs = reply.json.data.attributes;
  assert.equal(attrs.source, 'acme');
  assert.match(attrs.issuer, /Pebble/);
  assert.deepEqual(attrs.alt_names, [`mail.${TEST_HOSTNAME}`]);
  assert.equal(JSON.stringify(reply.json).includes('PRIVATE KEY'), false, 'no private key in the answer');

  const row = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  assert.equal(row.source, 'acme');
  assert.equal(row.acme_email, ACME_EMAIL);
  assert.equal(row.acme_directory_url, pebble.directoryUrl);
  assert.equal(row.last_error, '');
  assert.match(row.private_key_pem, /^enc:v1:/, 'private key sealed at rest');
  assert.match(heron.secret.open(row.private_key_pem), /BEGIN PRIVATE KEY/);
  const x509 = new crypto.X509Certificate(row.certificate_pem);
  assert.match(x509.subjectAltName ?? '', /DNS:mail\.heron\.test/);
  assert.equal(row.expires_at, new Date(x509.validTo).getTime());
  assert.ok(row.root_certificate.includes('BEGIN CERTIFICATE'), 'intermediate kept');

  const account = (await findAcmeAccount(heron.store, ACME_EMAIL, pebble.directoryUrl))!;
  assert.match(account.account_key_pem, /^enc:v1:/, 'account key sealed');
  assert.match(account.account_url, /^https:\/\/127\.0\.0\.1:\d+\/my-account\//);

  const served = await servedCertificate(TEST_HOSTNAME, await pebble.root());
  assert.notEqual(served.fingerprint, before.fingerprint);
  assert.equal(served.fingerprint, x509.fingerprint256);
  assert.equal(served.authorized, true, 'chain verifies against pebble root');
});

test('renewal: nothing due now; due within 30 days renews and replaces the certificate', async () => {
  const old = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  const accountBefore = (await findAcmeAccount(heron.store, ACME_EMAIL, pebble.directoryUrl))!;
  assert.deepEqual(await heron.renewal.runOnce(), [], 'a fresh certificate is not renewed');

  const outcomes = await heron.renewal.runOnce(old.expires_at! - 29 * 86400_000);
  assert.deepEqual(outcomes, [{ hostname: TEST_HOSTNAME, renewed: true }]);
  const renewed = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  assert.notEqual(fingerprintOf(renewed.certificate_pem), fingerprintOf(old.certificate_pem));
  assert.notEqual(renewed.private_key_pem, old.private_key_pem);
  assert.deepEqual(JSON.parse(renewed.alt_names), [`mail.${TEST_HOSTNAME}`], 'renewal keeps the extra names');
  const account = (await findAcmeAccount(heron.store, ACME_EMAIL, pebble.directoryUrl))!;
  assert.equal(heron.secret.open(account.account_key_pem), heron.secret.open(accountBefore.account_key_pem), 'same account key');
  assert.equal(account.account_url, accountBefore.account_url, 'same ACME account');
  assert.equal((await servedCertificate(TEST_HOSTNAME)).fingerprint, fingerprintOf(renewed.certificate_pem));
});

test('a failed renewal is recorded, keeps the old certificate served, and is retried', async () => {
  const current = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  dns.options.wildcardA = '127.0.0.2'; // pebble's HTTP-01 validation now reaches nobody
  const failed = await heron.renewal.runOnce(current.expires_at! - 29 * 86400_000);
  assert.equal(failed.length, 1);
  assert.equal(failed[0].renewed, false);
  const after = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  assert.notEqual(after.last_error, '');
  assert.equal(after.certificate_pem, current.certificate_pem, 'old certificate kept');
  assert.equal((await servedCertificate(TEST_HOSTNAME)).fingerprint, fingerprintOf(current.certificate_pem));

  dns.options.wildcardA = '127.0.0.1';
  const retried = await heron.renewal.runOnce(current.expires_at! - 29 * 86400_000);
  assert.deepEqual(retried, [{ hostname: TEST_HOSTNAME, renewed: true }]);
  const fixed = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  assert.equal(fixed.last_error, '');
  assert.notEqual(fixed.certificate_pem, current.certificate_pem);
});

test('generate_acme_certificate: admin only, validated input, ACME failures as 502', async () => {
  const anon = await call(base, 'POST', '/action/certificate/generate_acme_certificate', { body: { attributes: { hostname: TEST_HOSTNAME } } });
  assert.equal(anon.status, 401);
  for (const attributes of [{}, { hostname: 'not a name' }, { hostname: TEST_HOSTNAME, email: 'nope' }, { hostname: TEST_HOSTNAME, alt_names: 'x' }]) {
    const bad = await call(base, 'POST', '/action/certificate/generate_acme_certificate', { token, body: { attributes } });
    assert.equal(bad.status, 400, JSON.stringify(attributes));
    assert.equal(bad.json.errors[0].status, '400');
  }
  const unknownId = await call(base, 'POST', '/action/certificate/generate_acme_certificate', {
    token,
    body: { attributes: { certificate_id: crypto.randomUUID() } },
  });
  assert.equal(unknownId.status, 404);
  const before = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  dns.options.wildcardA = '127.0.0.2';
  try {
    const failed = await call(base, 'POST', '/action/certificate/generate_acme_certificate', {
      token,
      body: { attributes: { certificate_id: before.reference_id } },
    });
    assert.equal(failed.status, 502, failed.text);
    assert.match(failed.json.errors[0].detail, /ACME issuance failed/);
  } finally {
    dns.options.wildcardA = '127.0.0.1';
  }
  const after = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  assert.equal(after.certificate_pem, before.certificate_pem);
  assert.match(after.last_error, /\S/);
});

test('the challenge path answers only pending tokens', async () => {
  const missing = await call(base, 'GET', '/.well-known/acme-challenge/aaaaaaaaaaaaaaaaaaaaaaaa');
  assert.equal(missing.status, 404);
  const malformed = await call(base, 'GET', '/.well-known/acme-challenge/..%2f..%2fetc');
  assert.equal(malformed.status, 404);
});

test('HTTP-01 answered on the optional challenge listener (HERON_ACME_HTTP_PORT) when the CA validates there', async () => {
  const dir = tempDir('heron-acme80-');
  const prepared = await preparePebble(dir);
  const other = await startTestHeron({
    env: { HERON_ACME_DIRECTORY_URL: prepared.directoryUrl, HERON_ACME_CA_FILE: prepared.caFile, HERON_ACME_HTTP_PORT: '0' },
  });
  let otherPebble: Pebble | undefined;
  try {
    assert.ok(other.ports.acmeHttp && other.ports.acmeHttp !== other.ports.api);
    const listener = `http://127.0.0.1:${other.ports.acmeHttp}`;
    assert.equal((await call(listener, 'GET', '/.well-known/acme-challenge/aaaaaaaaaaaaaaaaaaaaaaaa')).status, 404);
    assert.equal((await call(listener, 'GET', '/api/user_account')).status, 404, 'the listener serves challenges only');
    otherPebble = await startPebble(prepared, { httpPort: other.ports.acmeHttp!, dnsServer: dns.server });
    const otherBase = `http://127.0.0.1:${other.ports.api}`;
    const reply = await call(otherBase, 'POST', '/action/certificate/generate_acme_certificate', {
      token: await signIn(otherBase),
      body: { attributes: { hostname: TEST_HOSTNAME, email: 'other@heron.test' } },
    });
    assert.equal(reply.status, 200, reply.text);
    assert.equal((await findCertificate(other.store, TEST_HOSTNAME))!.source, 'acme');
  } finally {
    await other.stop();
    await otherPebble?.stop();
    removeDir(other.dataDir);
    removeDir(dir);
  }
});
