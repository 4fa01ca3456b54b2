// A certificate saved while Heron runs is what the next TLS client sees, on
// every TLS listener, without a restart (Daptin needs one for IMAP).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generateSelfSigned, selfSignedMaterial } from '../../certs/self-signed.ts';
import { saveCertificate } from '../../schema/index.ts';
import { presentedCertificate } from '../helpers/line-socket.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';

type TestHeron = Awaited<ReturnType<typeof startTestHeron>>;

/** The fingerprint of the certificate an implicit-TLS listener presents for a server name. */
async function presented(port: number, servername: string): Promise<string> {
  return (await presentedCertificate(port, servername)).fingerprint256;
}

describe('certificate hot swap on the TLS listeners', () => {
  let heron: TestHeron;
  before(async () => {
    heron = await startTestHeron();
  });
  after(async () => {
    await heron.stop();
    removeDir(heron.dataDir);
  });

  it('new connections get the new certificate at once; other names keep theirs', async () => {
    const listeners: Array<[string, number]> = [
      ['submissions', heron.ports.submissions],
      ['imaps', heron.ports.imaps],
    ];
    const before = new Map<string, string>();
    for (const [name, port] of listeners) before.set(name, await presented(port, TEST_HOSTNAME));

    const fresh = generateSelfSigned(TEST_HOSTNAME, ['localhost']);
    await saveCertificate(heron.store, TEST_HOSTNAME, selfSignedMaterial(fresh, heron.secret.seal));
    const expected = new X509Certificate(fresh.certificatePem).fingerprint256;

    for (const [name, port] of listeners) {
      const now = await presented(port, TEST_HOSTNAME);
      assert.notEqual(now, before.get(name), `${name} changed`);
      assert.equal(now, expected, `${name} serves the saved certificate`);
    }

    // A second hostname gets its own certificate by SNI; the default one stays.
    const other = generateSelfSigned('mx2.heron.test');
    await saveCertificate(heron.store, 'mx2.heron.test', selfSignedMaterial(other, heron.secret.seal));
    for (const [name, port] of listeners) {
      assert.equal(await presented(port, 'mx2.heron.test'), new X509Certificate(other.certificatePem).fingerprint256, `${name} by SNI`);
      assert.equal(await presented(port, TEST_HOSTNAME), expected, `${name} default unchanged`);
    }
  });
});
