// The DNS resolver mailauth uses: HERON_DNS when set (so tests can run a DNS
// server on loopback), every query bounded by a timeout so a slow or dead DNS
// server turns into a temperror, never a stuck SMTP session.
//
// Answers are cached briefly: mail from one sender domain arrives in bursts,
// and every message asks the same SPF and DMARC questions. A cached answer
// also keeps the message on the event loop's current turn, so the messages
// that arrive together reach the store together and share one commit.
import dns from 'node:dns';
import type { DNSResolver } from 'mailauth';

/**
 * Node's resolver does not report TTLs for TXT answers, so an answer is kept
 * for at most this long, shorter than the TTL of nearly every published SPF,
 * DKIM or DMARC record (a record with a shorter TTL is seen up to this late).
 */
export const DNS_CACHE_MS = 30_000;
/** Names kept at most; the oldest go first. */
export const DNS_CACHE_ENTRIES = 10_000;

/** Outcomes that are answers (RFC 2308: NXDOMAIN and NODATA are cacheable); timeouts and SERVFAIL are asked again. */
const NEGATIVE = new Set(['ENOTFOUND', 'ENODATA']);

type Answer = string[][] | string[];

interface Entry {
  expires: number;
  answer: Promise<Answer>;
}

export function createResolver(server: string | undefined, timeoutMs: number): DNSResolver {
  // c-ares' own timeout is per try; two tries plus the outer cap keep the total bounded.
  const resolver = new dns.promises.Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 2 });
  if (server) resolver.setServers([server]);
  const query = (name: string, rrtype: string): Promise<Answer> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`DNS ${rrtype} ${name} timed out`), { code: 'ETIMEOUT' })), timeoutMs);
    });
    return Promise.race([resolver.resolve(name, rrtype) as Promise<Answer>, timeout]).finally(() => clearTimeout(timer));
  };
  return cached(query, DNS_CACHE_MS, DNS_CACHE_ENTRIES);
}

/**
 * Wraps a lookup with a bounded cache: concurrent identical questions share one
 * lookup; answers and negative answers are kept for `lifetimeMs`; any other
 * failure is forgotten at once so the next message asks again.
 */
export function cached(lookup: (name: string, rrtype: string) => Promise<Answer>, lifetimeMs: number, maxEntries: number): DNSResolver {
  const entries = new Map<string, Entry>();
  return (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    const now = Date.now();
    const hit = entries.get(key);
    if (hit && hit.expires > now) return hit.answer;
    if (hit) entries.delete(key);
    const answer = lookup(name, rrtype);
    const entry: Entry = { expires: now + lifetimeMs, answer };
    entries.set(key, entry);
    answer.catch((err: { code?: string }) => {
      if (!NEGATIVE.has(err?.code ?? '') && entries.get(key) === entry) entries.delete(key);
    });
    // Map keeps insertion order: the first key is the oldest.
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    return answer;
  };
}
