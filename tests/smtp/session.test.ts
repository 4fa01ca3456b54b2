// Session-level options: certificates chosen by SNI, plaintext AUTH only when
// the operator allows it, and the idle timeout.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateSelfSigned, selfSignedMaterial } from '../../certs/self-signed.ts';
import { saveCertificate } from '../../schema/index.ts';
import { ALICE, ALICE_PASSWORD, smtpHeron, stopHeron, type TestHeron } from './fixtures.ts';
import { presentedCertificate } from '../helpers/line-socket.ts';
import { RawSmtp } from './client.ts';
import { startDns, type TestDns } from './dns.ts';

let dns: TestDns;
before(async () => {
  dns = await startDns();
});
after(() => dns.close());

async function peerCommonName(port: number, servername: string): Promise<string> {
  const cn = (await presentedCertificate(port, servername)).subject.CN;
  return String(Array.isArray(cn) ? cn[0] : cn);
}

describe('SMTP session options', () => {
  test('implicit TLS picks the certificate by SNI, falling back to the default hostname', async () => {
    const heron = await smtpHeron({ env: { HERON_DNS: dns.address } });
    try {
      await saveCertificate(heron.store, 'mail.other.test', selfSignedMaterial(generateSelfSigned('mail.other.test'), heron.secret.seal));
      assert.equal(await peerCommonName(heron.ports.submissions, 'mail.other.test'), 'mail.other.test');
      assert.equal(await peerCommonName(heron.ports.submissions, 'unknown.test'), 'heron.test');
    } finally {
      await stopHeron(heron);
    }
  });

  test('HERON_ALLOW_PLAINTEXT_AUTH=true offers and accepts AUTH before TLS', async () => {
    const heron = await smtpHeron({ env: { HERON_DNS: dns.address, HERON_ALLOW_PLAINTEXT_AUTH: 'true' } });
    try {
      const c = await RawSmtp.connect(heron.ports.submission);
      assert.match((await c.hello()).text, /AUTH PLAIN LOGIN/);
      assert.equal((await c.authPlain(ALICE, ALICE_PASSWORD)).code, 235);
      assert.equal((await c.cmd(`MAIL FROM:<${ALICE}>`)).code, 250);
      await c.quit();
    } finally {
      await stopHeron(heron);
    }
  });

  test('an idle session is closed after HERON_SMTP_TIMEOUT_SECONDS with a 421', async () => {
    // Long enough that no reply of the exchange before the silence is ever late on a loaded machine.
    const heron = await smtpHeron({ env: { HERON_DNS: dns.address, HERON_SMTP_TIMEOUT_SECONDS: '2' } });
    try {
      const c = await RawSmtp.connect(heron.ports.smtp);
      await c.hello();
      assert.equal((await c.cmd('MAIL FROM:<bob@remote.test>')).code, 250);
      // Say nothing more: the server ends the session.
      assert.match((await c.reply()).text, /^421 /);
      c.close();
    } finally {
      await stopHeron(heron);
    }
  });
});
