// Listeners and session limits: STARTTLS and implicit TLS with the certificate
// from the store, PRIVACYREQUIRED before TLS, the operator's plaintext switch,
// throttling, the per-account connection cap.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { generateSelfSigned, selfSignedMaterial } from '../../certs/self-signed.ts';
import { saveCertificate, setMailAccountPassword } from '../../schema/index.ts';
import { TEST_HOSTNAME } from '../helpers/heron.ts';
import { PASSWORD, startImap } from './fixture.ts';

type Imap = Awaited<ReturnType<typeof startImap>>;

describe('TLS', () => {
  let imap: Imap;
  before(async () => {
    imap = await startImap({ HERON_IMAP_MAX_CONNECTIONS_PER_USER: '3' });
  });
  after(() => imap.stop());

  test('cleartext port: LOGINDISABLED, no AUTH=, PRIVACYREQUIRED; then STARTTLS', async () => {
    const { user } = await imap.account();
    const c = await imap.connect();
    assert.match(c.greeting, /STARTTLS LOGINDISABLED\]/);
    assert.doesNotMatch(c.greeting, / AUTH=/);
    assert.match(await c.command('a', `LOGIN ${user} "${PASSWORD}"`), /^a NO \[PRIVACYREQUIRED\]/);
    const b64 = Buffer.from(`\0${user}\0${PASSWORD}`).toString('base64');
    assert.match(await c.command('b', `AUTHENTICATE PLAIN ${b64}`), /^b NO \[PRIVACYREQUIRED\]/);
    // A command pipelined after STARTTLS is dropped, not run after the handshake (RFC 3501 §6.2.1).
    c.write('c STARTTLS\r\nd NOOP\r\n');
    assert.match(await c.waitTagged('c'), /^c OK/);
    await c.startTls();
    assert.equal(c.tlsSocket.encrypted, true);
    const cap = await c.command('e', 'CAPABILITY');
    assert.doesNotMatch(cap, /\bd OK/);
    assert.match(cap, /AUTH=PLAIN/);
    assert.doesNotMatch(cap, /STARTTLS|LOGINDISABLED/);
    assert.match(await c.command('f', 'STARTTLS'), /^f BAD/);
    assert.match(await c.command('g', `LOGIN ${user} "${PASSWORD}"`), /^g OK/);
  });

  test('implicit TLS presents the store\'s certificate for the server name', async () => {
    const c = await imap.connect({ tls: true });
    const peer = c.tlsSocket.getPeerX509Certificate() as X509Certificate;
    assert.ok(peer.checkHost(TEST_HOSTNAME));
    assert.match(c.greeting, /^\* OK /);
  });

  test('a changed certificate is used by new connections without a restart, on both ports', async () => {
    const first = await imap.connect({ tls: true });
    const before = (first.tlsSocket.getPeerX509Certificate() as X509Certificate).fingerprint256;
    const generated = generateSelfSigned(TEST_HOSTNAME);
    await saveCertificate(imap.heron.store, TEST_HOSTNAME, selfSignedMaterial(generated, (pem) => imap.heron.secret.seal(pem)));
    const expected = new X509Certificate(generated.certificatePem).fingerprint256;
    assert.notEqual(expected, before);
    const second = await imap.connect({ tls: true });
    assert.equal((second.tlsSocket.getPeerX509Certificate() as X509Certificate).fingerprint256, expected);
    const plain = await imap.connect();
    await plain.command('s', 'STARTTLS');
    await plain.startTls();
    assert.equal((plain.tlsSocket.getPeerX509Certificate() as X509Certificate).fingerprint256, expected);
    // The old connection goes on working.
    assert.match(await first.command('n', 'NOOP'), /^n OK/);
  });

  test('per-account connection cap answers NO [LIMIT]; closing frees a slot', async () => {
    const { user } = await imap.account();
    const open = [await imap.login(user), await imap.login(user), await imap.login(user)];
    const d = await imap.connect({ tls: true });
    assert.match(await d.command('a', `LOGIN ${user} "${PASSWORD}"`), /^a NO \[LIMIT\]/);
    await open[0].command('z', 'LOGOUT');
    await open[0].waitClosed();
    assert.match(await d.command('b', `LOGIN ${user} "${PASSWORD}"`), /^b OK/);
  });

  test('a changed password takes effect at once, whatever logins were remembered', async () => {
    const { user, id } = await imap.account();
    (await imap.login(user)).close();
    (await imap.login(user)).close();
    await setMailAccountPassword(imap.heron.store, id, 'a new password');
    const c = await imap.connect({ tls: true });
    assert.match(await c.command('a', `LOGIN ${user} "${PASSWORD}"`), /^a NO \[AUTHENTICATIONFAILED\]/);
    assert.match(await c.command('b', `LOGIN ${user} "a new password"`), /^b OK/);
  });

  test('failed logins are throttled: the right password is refused past the limit', async () => {
    const { user } = await imap.account();
    const c = await imap.connect({ tls: true });
    for (let i = 0; i < 10; i++) assert.match(await c.command(`t${i}`, `LOGIN ${user} bad${i}`), /NO \[AUTHENTICATIONFAILED\]/);
    assert.match(await c.command('u', `LOGIN ${user} "${PASSWORD}"`), /^u NO \[UNAVAILABLE\]/);
  });
});

describe('operator allows plaintext authentication', () => {
  const LOGIN_TIMEOUT_MS = 3000;
  let imap: Imap;
  before(async () => {
    // Short, but long enough that a LOGIN (an scrypt check) fits in it on a loaded machine.
    imap = await startImap({ HERON_ALLOW_PLAINTEXT_AUTH: 'true', HERON_IMAP_LOGIN_TIMEOUT_SECONDS: String(LOGIN_TIMEOUT_MS / 1000) });
  });
  after(() => imap.stop());

  test('LOGIN works on the cleartext port and AUTH=PLAIN is offered', async () => {
    const { user } = await imap.account();
    const connectedAt = Date.now();
    const c = await imap.connect();
    assert.match(c.greeting, /STARTTLS AUTH=PLAIN\]/);
    assert.match(await c.command('a', `LOGIN ${user} "${PASSWORD}"`), /^a OK/);
    // Logged in, the short pre-login timeout no longer applies (RFC 3501 §5.4: 30 minutes):
    // the session is still there once that timeout, counted from the connection, is past.
    await new Promise((r) => setTimeout(r, connectedAt + LOGIN_TIMEOUT_MS + 500 - Date.now()));
    assert.match(await c.command('b', 'NOOP'), /^b OK/);
  });

  test('a connection that does not log in is closed with BYE', async () => {
    const c = await imap.connect();
    await c.readUntil((s) => s.includes('* BYE Autologout'));
    await c.waitClosed();
  });
});
