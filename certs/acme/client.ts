// ACME issuance with acme-client (RFC 8555), HTTP-01 only. The account key is
// kept per contact email and directory in acme_account, sealed; the new
// certificate replaces the old one only once it is saved, so a failed order
// never leaves a listener without a certificate.
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import * as acme from 'acme-client';
import type { Logger } from 'pino';
import {
  type CertificateRow,
  findAcmeAccount,
  findCertificate,
  recordCertificateError,
  saveAcmeAccount,
  saveCertificate,
  type Store,
} from '../../schema/index.ts';
import type { SecretBox } from '../secret.ts';
import type { ChallengeStore } from './challenges.ts';

export const LETS_ENCRYPT_DIRECTORY = acme.directory.letsencrypt.production;

export interface AcmeRequest {
  hostname: string;
  /** Extra subject alternative names beyond the hostname. */
  altNames: string[];
  email: string;
  directoryUrl: string;
}

/**
 * Trust extra CA certificates (PEM file) for the ACME directory's HTTPS, for a
 * private ACME CA or Pebble in tests. acme-client has one HTTP client per process.
 */
export function trustAcmeCa(caFile: string): void {
  const extra = fs.readFileSync(caFile, 'utf8');
  acme.axios.defaults.httpsAgent = new https.Agent({ ca: [...tls.rootCertificates, extra] });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class AcmeIssuer {
  /** One order per hostname at a time (the API and the renewal service share this). */
  private readonly inFlight = new Map<string, Promise<CertificateRow>>();

  constructor(
    private readonly deps: { store: Store; secret: SecretBox; challenges: ChallengeStore; log: Pick<Logger, 'info' | 'warn' | 'error'> },
  ) {}

  issue(request: AcmeRequest): Promise<CertificateRow> {
    const hostname = request.hostname.trim().toLowerCase();
    let running = this.inFlight.get(hostname);
    if (!running) {
      running = this.order({ ...request, hostname }).finally(() => this.inFlight.delete(hostname));
      this.inFlight.set(hostname, running);
    }
    return running;
  }

  /**
   * The account key for email+directory, created and stored (sealed) on first use.
   * Each order registers with it again: RFC 8555 §7.3.1 returns the existing
   * account for a known key, so a CA that lost the account URL is no problem.
   */
  private async accountKey(email: string, directoryUrl: string): Promise<string> {
    const { store, secret } = this.deps;
    const account = await findAcmeAccount(store, email, directoryUrl);
    if (account) return secret.open(account.account_key_pem);
    const key = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await saveAcmeAccount(store, { email, directoryUrl, sealedAccountKeyPem: secret.seal(key), accountUrl: '' });
    return key;
  }

  private async order(request: AcmeRequest): Promise<CertificateRow> {
    const { store, secret, challenges, log } = this.deps;
    const { hostname, email, directoryUrl } = request;
    const names = [...new Set([hostname, ...request.altNames.map((n) => n.trim().toLowerCase())])];
    log.info({ hostname, names, directoryUrl }, 'ACME: ordering certificate');
    try {
      const accountKey = await this.accountKey(email, directoryUrl);
      const client = new acme.Client({ directoryUrl, accountKey });
      const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const [, csr] = await acme.crypto.createCsr({ commonName: hostname, altNames: names }, privateKeyPem);
      const chain = await client.auto({
        csr,
        email,
        termsOfServiceAgreed: true,
        challengePriority: ['http-01'],
        // The CA checks the challenge itself; a self-check would need this host's
        // public DNS and port 80 as seen from here, which a NAT or proxy may hide.
        skipChallengeVerification: true,
        challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
          if (challenge.type !== 'http-01') throw new Error(`unsupported ACME challenge ${challenge.type}`);
          await challenges.set(challenge.token, keyAuthorization);
        },
        challengeRemoveFn: async (_authz, challenge) => {
          await challenges.delete(challenge.token);
        },
      });
      const account = (await findAcmeAccount(store, email, directoryUrl))!;
      if (account.account_url !== client.getAccountUrl()) {
        await saveAcmeAccount(store, { email, directoryUrl, sealedAccountKeyPem: account.account_key_pem, accountUrl: client.getAccountUrl() });
      }
      const [leaf, ...intermediates] = acme.crypto.splitPemChain(chain);
      if (!leaf) throw new Error('ACME server returned an empty certificate chain');
      const info = acme.crypto.readCertificateInfo(leaf);
      const row = await saveCertificate(store, hostname, {
        source: 'acme',
        issuer: info.issuer.commonName ?? '',
        generated_at: Date.now(),
        expires_at: info.notAfter.getTime(),
        certificate_pem: leaf,
        root_certificate: intermediates.join('\n'),
        private_key_pem: secret.seal(privateKeyPem),
        public_key_pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        alt_names: JSON.stringify(names.filter((n) => n !== hostname)),
        acme_email: email.trim().toLowerCase(),
        acme_directory_url: directoryUrl,
        last_error: '',
      });
      log.info({ hostname, expires: info.notAfter.toISOString(), issuer: row.issuer }, 'ACME: certificate saved');
      return row;
    } catch (err) {
      const why = message(err);
      log.error({ hostname, err: why }, 'ACME: issuance failed; the current certificate stays in use');
      if (await findCertificate(store, hostname)) await recordCertificateError(store, hostname, `${new Date().toISOString()} ${why}`);
      throw new AcmeError(why);
    }
  }
}

export class AcmeError extends Error {}
