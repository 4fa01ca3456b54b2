// Importing TLS material an operator brings (PATCHed PEM): the certificate and
// key must parse, the key must belong to the certificate, the chain must parse
// and issue the leaf, and the certificate must cover the hostname and be current.
import crypto from 'node:crypto';
import type { CertificateMaterial } from '../schema/index.ts';

export class ImportError extends Error {}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificates(pem: string, what: string): crypto.X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new ImportError(`${what}: no PEM certificate found`);
  return blocks.map((block, i) => {
    try {
      return new crypto.X509Certificate(block);
    } catch {
      throw new ImportError(`${what}: certificate ${i + 1} does not parse`);
    }
  });
}

export interface ImportInput {
  hostname: string;
  certificatePem: string;
  privateKeyPem: string;
  /** Intermediate (and optionally root) certificates; may also follow the leaf in certificatePem. */
  chainPem?: string;
  now?: number;
}

/** Checks imported PEM and returns row material with the private key sealed by `seal`. */
export function importMaterial(input: ImportInput, seal: (pem: string) => string): CertificateMaterial {
  const [leaf, ...rest] = certificates(input.certificatePem, 'certificate_pem');
  const chain = [...rest, ...(input.chainPem?.trim() ? certificates(input.chainPem, 'root_certificate') : [])];
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey(input.privateKeyPem);
  } catch {
    throw new ImportError('private_key_pem: not a readable PEM private key (encrypted keys are not supported)');
  }
  if (!leaf.checkPrivateKey(key)) throw new ImportError('private_key_pem does not belong to certificate_pem');
  if (chain.length > 0 && !leaf.checkIssued(chain[0])) throw new ImportError('the first chain certificate did not issue certificate_pem');
  const now = input.now ?? Date.now();
  const notAfter = Date.parse(leaf.validTo);
  if (notAfter <= now) throw new ImportError(`certificate_pem expired on ${leaf.validTo}`);
  if (!leaf.checkHost(input.hostname)) throw new ImportError(`certificate_pem does not cover ${input.hostname}`);
  const pem = (c: crypto.X509Certificate) => c.toString().trim() + '\n';
  return {
    source: 'imported',
    issuer: leaf.issuer.replace(/\n/g, ', '),
    generated_at: now,
    expires_at: notAfter,
    certificate_pem: pem(leaf),
    root_certificate: chain.map(pem).join(''),
    private_key_pem: seal(key.export({ type: 'pkcs8', format: 'pem' }).toString()),
    public_key_pem: leaf.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
