// A TLS listener using Heron's SNI contexts serves a changed certificate to new
// connections at once, without a restart (SMTP and IMAP use the same contexts).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { generateSelfSigned, selfSignedMaterial } from '../../certs/self-signed.ts';
import { findCertificate, saveCertificate } from '../../schema/index.ts';
import { WAIT_MS, within } from '../helpers/deadline.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';

let heron: Awaited<ReturnType<typeof startTestHeron>>;
let server: tls.Server;
let port: number;

before(async () => {
  heron = await startTestHeron();
  server = tls.createServer({ SNICallback: heron.tls.sniCallback }, (socket) => {
    socket.on('data', (d) => socket.write(d));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  server?.close();
  await heron?.stop();
  if (heron) removeDir(heron.dataDir);
});

function connect(servername: string): Promise<tls.TLSSocket> {
  const connected = new Promise<tls.TLSSocket>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => resolve(socket));
    socket.once('error', reject);
  });
  return within(connected, WAIT_MS, `TLS handshake for ${servername}`);
}

const fingerprintOf = (pem: string) => new crypto.X509Certificate(pem).fingerprint256;

async function echo(socket: tls.TLSSocket, text: string): Promise<string> {
  const echoed = new Promise<string>((resolve) => {
    socket.once('data', (d: Buffer) => resolve(d.toString()));
    socket.write(text);
  });
  return within(echoed, WAIT_MS, `the echo of ${JSON.stringify(text)}`);
}

test('new connections see a saved certificate at once; open ones keep theirs', async () => {
  const original = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  const first = await connect(TEST_HOSTNAME);
  assert.equal(first.getPeerCertificate().fingerprint256, fingerprintOf(original.certificate_pem));

  const replacement = generateSelfSigned(TEST_HOSTNAME, ['mail.heron.test']);
  await saveCertificate(heron.store, TEST_HOSTNAME, selfSignedMaterial(replacement, heron.secret.seal));

  const second = await connect(TEST_HOSTNAME);
  assert.equal(second.getPeerCertificate().fingerprint256, fingerprintOf(replacement.certificatePem));
  assert.notEqual(fingerprintOf(replacement.certificatePem), fingerprintOf(original.certificate_pem));
  assert.equal(await echo(first, 'still here'), 'still here', 'the earlier connection is unaffected');
  assert.equal(first.getPeerCertificate().fingerprint256, fingerprintOf(original.certificate_pem));
  first.end();
  second.end();
});

test('SNI picks a per-hostname certificate; unknown names get the default hostname', async () => {
  const other = generateSelfSigned('imap.other.test');
  await saveCertificate(heron.store, 'imap.other.test', selfSignedMaterial(other, heron.secret.seal));
  const byName = await connect('imap.other.test');
  assert.equal(byName.getPeerCertificate().fingerprint256, fingerprintOf(other.certificatePem));
  const fallback = await connect('unknown.example');
  const current = (await findCertificate(heron.store, TEST_HOSTNAME))!;
  assert.equal(fallback.getPeerCertificate().fingerprint256, fingerprintOf(current.certificate_pem));
  byName.end();
  fallback.end();
});
