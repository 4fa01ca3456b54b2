// DKIM keys per sending domain (RSA-2048 by default, ed25519 optional) and the
// DNS TXT value that publishes them. Signing itself is mailauth's dkimSign.
import crypto from 'node:crypto';
import { addDkimKey, findActiveDkimKey, type DkimKeyRow, type Store } from '../schema/index.ts';
import type { SecretBox } from './secret.ts';

export const DEFAULT_DKIM_SELECTOR = 'd1';

export function generateDkimKeyPair(algorithm: 'rsa' | 'ed25519'): { privateKeyPem: string; publicKeyPem: string } {
  const pair =
    algorithm === 'rsa' ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }) : crypto.generateKeyPairSync('ed25519');
  return {
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The domain's active key, created (RSA-2048, selector d1) when it has none. */
export async function ensureDkimKey(store: Store, secret: SecretBox, domain: string): Promise<DkimKeyRow> {
  const existing = await findActiveDkimKey(store, domain);
  if (existing) return existing;
  const { privateKeyPem, publicKeyPem } = generateDkimKeyPair('rsa');
  return addDkimKey(store, {
    domain,
    selector: DEFAULT_DKIM_SELECTOR,
    algorithm: 'rsa',
    sealedPrivateKeyPem: secret.seal(privateKeyPem),
    publicKeyPem,
  });
}

/** The p= value: the public key's DER (SPKI for RSA, raw 32 bytes for ed25519, RFC 8463) in base64. */
export function dkimPublicKeyValue(key: Pick<DkimKeyRow, 'algorithm' | 'public_key_pem'>): string {
  const der = crypto.createPublicKey(key.public_key_pem).export({ type: 'spki', format: 'der' });
  return (key.algorithm === 'ed25519' ? der.subarray(der.length - 32) : der).toString('base64');
}

/** The TXT record value for <selector>._domainkey.<domain>. */
export function dkimTxtValue(key: Pick<DkimKeyRow, 'algorithm' | 'public_key_pem'>): string {
  return `v=DKIM1; k=${key.algorithm === 'ed25519' ? 'ed25519' : 'rsa'}; p=${dkimPublicKeyValue(key)}`;
}

/**
 * One entry of mailauth dkimSign's `signatureData` for this row; dkimSign signs only
 * those entries: `dkimSign(msg, { ...k, signatureData: [k] })`.
 */
export function dkimSigningKey(key: DkimKeyRow, secret: SecretBox) {
  return {
    signingDomain: key.domain,
    selector: key.selector,
    privateKey: secret.open(key.private_key_pem),
    algorithm: key.algorithm === 'ed25519' ? 'ed25519-sha256' : 'rsa-sha256',
    canonicalization: 'relaxed/relaxed',
  };
}
