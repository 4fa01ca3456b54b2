// Checks that a zone's records are published: resolves each through the
// configured resolver (HERON_DNS) and reports present / missing / different.
import { promises as dns } from 'node:dns';
import { type DnsRecord, rdata } from './zone.ts';

export type CheckStatus = 'present' | 'missing' | 'different' | 'error';

export interface RecordCheck {
  name: string;
  type: DnsRecord['type'];
  expected: string;
  status: CheckStatus;
  /** What the resolver returned for this name and type (same kind only), in presentation format. */
  found: string[];
  detail?: string;
}

const NO_DATA = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);
const host = (n: string) => n.toLowerCase().replace(/\.$/, '');

export function createResolver(server: string | undefined): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: 3000, tries: 2 });
  if (server) resolver.setServers([server]);
  return resolver;
}

/** The v=… tag of a TXT value (SPF, DKIM, DMARC, MTA-STS, TLS-RPT), which tells records at one name apart. */
function txtKind(text: string): string {
  return /^v=([^;\s]+)/i.exec(text)?.[1]?.toLowerCase() ?? '';
}

/** Answers of the record's kind, in presentation format, and whether one matches. */
async function lookup(resolver: dns.Resolver, record: DnsRecord): Promise<{ found: string[]; match: boolean }> {
  switch (record.type) {
    case 'MX': {
      const answers = await resolver.resolveMx(record.name);
      const found = answers.map((a) => `${a.priority} ${host(a.exchange)}.`);
      return { found, match: answers.some((a) => host(a.exchange) === record.exchange) };
    }
    case 'TXT': {
      const kind = txtKind(record.text);
      const answers = (await resolver.resolveTxt(record.name)).map((chunks) => chunks.join(''));
      const same = answers.filter((t) => txtKind(t) === kind);
      return { found: same, match: same.some((t) => t.replace(/\s+/g, ' ').trim() === record.text) };
    }
    case 'SRV': {
      const answers = await resolver.resolveSrv(record.name);
      return {
        found: answers.map((a) => `${a.priority} ${a.weight} ${a.port} ${host(a.name)}.`),
        match: answers.some((a) => a.port === record.port && host(a.name) === record.target),
      };
    }
    case 'CNAME': {
      const answers = await resolver.resolveCname(record.name);
      return { found: answers.map((a) => `${host(a)}.`), match: answers.some((a) => host(a) === record.target) };
    }
    case 'CAA': {
      const answers = (await resolver.resolveCaa(record.name)).filter((a) => a.issue !== undefined);
      return {
        found: answers.map((a) => `${a.critical} issue "${a.issue}"`),
        match: answers.some((a) => a.issue?.split(';')[0].trim().toLowerCase() === record.value),
      };
    }
  }
}

export async function checkRecords(resolver: dns.Resolver, records: DnsRecord[]): Promise<RecordCheck[]> {
  return Promise.all(
    records.map(async (record): Promise<RecordCheck> => {
      const base = { name: record.name, type: record.type, expected: rdata(record) };
      try {
        const { found, match } = await lookup(resolver, record);
        return { ...base, found, status: match ? 'present' : found.length ? 'different' : 'missing' };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (NO_DATA.has(code)) return { ...base, found: [], status: 'missing' };
        return { ...base, found: [], status: 'error', detail: `${code} ${(err as Error).message}`.trim() };
      }
    }),
  );
}
