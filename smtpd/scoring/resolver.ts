// The DNS resolver mailauth uses: HERON_DNS when set (so tests can run a DNS
// server on loopback), every query bounded by a timeout so a slow or dead DNS
// server turns into a temperror, never a stuck SMTP session.
import dns from 'node:dns';
import type { DNSResolver } from 'mailauth';

export function createResolver(server: string | undefined, timeoutMs: number): DNSResolver {
  // c-ares' own timeout is per try; two tries plus the outer cap keep the total bounded.
  const resolver = new dns.promises.Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 2 });
  if (server) resolver.setServers([server]);
  return (name, rrtype) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`DNS ${rrtype} ${name} timed out`), { code: 'ETIMEOUT' })), timeoutMs);
    });
    const query = resolver.resolve(name, rrtype) as Promise<string[][] | string[]>;
    return Promise.race([query, timeout]).finally(() => clearTimeout(timer));
  };
}
