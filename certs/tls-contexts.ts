// TLS contexts for SMTP and IMAP listeners, chosen by SNI from the certificate
// table. Cached per hostname and dropped when the store reports a certificate
// change, so new connections use a new certificate without a restart.
import tls from 'node:tls';
import { findCertificate, type Store } from '../schema/index.ts';
import type { SecretBox } from './secret.ts';

export interface TlsContexts {
  /** The context for a server name, falling back to the default hostname's. */
  contextFor(servername: string | undefined): Promise<tls.SecureContext>;
  /** For tls.createServer / smtp-server / each TLSSocket: SNICallback, used as it is (it needs no `this`; no wrapper per connection). */
  readonly sniCallback: (servername: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => void;
  /** The default hostname's key and certificate, for servers that need them up front. */
  defaultMaterial(): Promise<{ key: string; cert: string }>;
  close(): void;
}

export function createTlsContexts(store: Store, secret: SecretBox, defaultHostname: string): TlsContexts {
  const cache = new Map<string, Promise<tls.SecureContext | null>>();
  const onChange = () => cache.clear();
  store.events.on('certificate', onChange);

  const material = async (hostname: string) => {
    const row = await findCertificate(store, hostname);
    if (!row || !row.certificate_pem || !row.private_key_pem) return null;
    const cert = row.root_certificate ? `${row.certificate_pem.trim()}\n${row.root_certificate.trim()}\n` : row.certificate_pem;
    return { key: secret.open(row.private_key_pem), cert };
  };
  const load = (hostname: string) => {
    let entry = cache.get(hostname);
    if (!entry) {
      entry = material(hostname).then((m) => (m ? tls.createSecureContext(m) : null));
      cache.set(hostname, entry);
    }
    return entry;
  };
  const contextFor = async (servername: string | undefined) => {
    const name = (servername || defaultHostname).toLowerCase();
    const ctx = (await load(name)) ?? (await load(defaultHostname));
    if (!ctx) throw new Error(`no certificate for ${name} or ${defaultHostname}`);
    return ctx;
  };
  return {
    contextFor,
    sniCallback: (servername, cb) => {
      contextFor(servername).then(
        (ctx) => cb(null, ctx),
        (err: Error) => cb(err),
      );
    },
    async defaultMaterial() {
      const m = await material(defaultHostname);
      if (!m) throw new Error(`no certificate for ${defaultHostname}`);
      return m;
    },
    close() {
      store.events.off('certificate', onChange);
    },
  };
}
