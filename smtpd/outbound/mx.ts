// Where mail for a domain goes (RFC 5321 §5.1): its MX hosts in preference
// order, or the domain itself when it has no MX records (the implicit MX); a
// null MX (RFC 7505: a single "0 .") means the domain accepts no mail.
import { Resolver } from 'node:dns/promises';

export type Destination =
  | { kind: 'hosts'; hosts: string[] }
  /** Permanent: the domain does not exist, accepts no mail, or has no address. */
  | { kind: 'undeliverable'; reason: string; enhanced: string }
  /** Temporary: DNS did not answer properly; try again later. */
  | { kind: 'dns-error'; reason: string };

/** A resolver using HERON_DNS ("host:port") when set, the system's otherwise. */
export function createResolver(server: string | undefined): Resolver {
  const resolver = new Resolver({ timeout: 5000, tries: 2 });
  if (server) resolver.setServers([server]);
  return resolver;
}

const NO_DATA = new Set(['ENODATA', 'ENOTFOUND']);

function dnsCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'EUNKNOWN';
}

export async function findDestination(resolver: Resolver, domain: string): Promise<Destination> {
  let records: Array<{ exchange: string; priority: number }>;
  try {
    records = await resolver.resolveMx(domain);
  } catch (err) {
    const code = dnsCode(err);
    if (code === 'ENOTFOUND') return { kind: 'undeliverable', reason: `domain ${domain} does not exist`, enhanced: '5.1.2' };
    if (!NO_DATA.has(code)) return { kind: 'dns-error', reason: `MX lookup for ${domain} failed: ${code}` };
    records = [];
  }
  if (records.length === 1 && (records[0].exchange === '' || records[0].exchange === '.')) {
    return { kind: 'undeliverable', reason: `domain ${domain} accepts no mail (null MX)`, enhanced: '5.1.10' };
  }
  if (records.length === 0) return { kind: 'hosts', hosts: [domain] }; // implicit MX
  // Same preference: any order is allowed; shuffling spreads load (RFC 5321 §5.1).
  const shuffled = records.map((r) => ({ ...r, tie: Math.random() })).sort((a, b) => a.priority - b.priority || a.tie - b.tie);
  return { kind: 'hosts', hosts: shuffled.map((r) => r.exchange.replace(/\.$/, '')).filter((h) => h !== '') };
}

/** IPv4 then IPv6 addresses of a host; an IP literal is its own address. */
export async function hostAddresses(resolver: Resolver, host: string): Promise<string[]> {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(':')) return [host];
  const [v4, v6] = await Promise.all([
    resolver.resolve4(host).catch(() => [] as string[]),
    resolver.resolve6(host).catch(() => [] as string[]),
  ]);
  return [...v4, ...v6];
}
