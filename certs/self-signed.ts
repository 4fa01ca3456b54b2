// Self-signed certificates with node-forge: SHA-256, RSA-2048 key from node:crypto,
// SANs for the hostname and any extra names, valid one year.
import crypto from 'node:crypto';
import forge from 'node-forge';
import type { CertificateMaterial } from '../schema/index.ts';

export interface GeneratedCertificate {
  certificatePem: string;
  privateKeyPem: string;
  publicKeyPem: string;
  notAfter: Date;
}

export function generateSelfSigned(hostname: string, extraNames: string[] = [], days = 365): GeneratedCertificate {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = '01' + crypto.randomBytes(15).toString('hex');
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + days * 86400_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const attrs = [{ name: 'commonName', value: hostname }, { name: 'organizationName', value: 'Heron self-signed' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const names = [...new Set([hostname, ...extraNames])];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: names.map((n) => (/^[\d.]+$/.test(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem), forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem, publicKeyPem, notAfter };
}

/** Row material for the certificate table; the private key sealed with the server secret. */
export function selfSignedMaterial(generated: GeneratedCertificate, seal: (pem: string) => string): CertificateMaterial {
  return {
    source: 'self-signed',
    issuer: 'self-signed',
    generated_at: Date.now(),
    expires_at: generated.notAfter.getTime(),
    certificate_pem: generated.certificatePem,
    root_certificate: '',
    private_key_pem: seal(generated.privateKeyPem),
    public_key_pem: generated.publicKeyPem,
  };
}
