// The DNS records a hosted mail domain needs, as data and as commented
// zone-file lines (the records Mox's quickstart prints, for Heron's ports).
import crypto from 'node:crypto';
import type { DkimKeyRow } from '../../schema/index.ts';
import { dkimTxtValue } from '../dkim.ts';

export type MtaStsMode = 'testing' | 'enforce' | 'none';

export interface ZoneSettings {
  /** The host that runs Heron (MX target, SRV target, certificate name). */
  mailHost: string;
  ports: { submission: number; submissions: number; imap: number; imaps: number };
  /** CAA "issue" value, e.g. letsencrypt.org. */
  caaIssuer: string;
  mtaStsMode: MtaStsMode;
}

export type RecordData =
  | { type: 'MX'; priority: number; exchange: string }
  | { type: 'TXT'; text: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'CNAME'; target: string }
  | { type: 'CAA'; flags: number; tag: 'issue'; value: string };

export type DnsRecord = RecordData & {
  /** Owner name, lowercase, without the trailing dot. */
  name: string;
  comment: string;
};

export const ZONE_TTL = 3600;
export const MTA_STS_MAX_AGE = 86400;

/** RFC 8461 §3.2 policy body served at https://mta-sts.<domain>/.well-known/mta-sts.txt. */
export function mtaStsPolicy(mailHost: string, mode: MtaStsMode): string {
  return `version: STSv1\r\nmode: ${mode}\r\nmx: ${mailHost}\r\nmax_age: ${MTA_STS_MAX_AGE}\r\n`;
}

/** RFC 8461 §3.1: the id changes whenever the policy does. */
export function mtaStsPolicyId(policy: string): string {
  return crypto.createHash('sha256').update(policy).digest('hex').slice(0, 20);
}

/** CAA issuer domain for an ACME directory (RFC 8659 §4.2), for the CAs acme-client knows. */
export function caaIssuerFor(directoryUrl: string): string {
  const host = new URL(directoryUrl).hostname.toLowerCase();
  const known: [RegExp, string][] = [
    [/(^|\.)letsencrypt\.org$/, 'letsencrypt.org'],
    [/(^|\.)zerossl\.com$/, 'sectigo.com'],
    [/(^|\.)buypass\.(com|no)$/, 'buypass.com'],
    [/(^|\.)pki\.goog$/, 'pki.goog'],
  ];
  for (const [pattern, issuer] of known) if (pattern.test(host)) return issuer;
  return host.split('.').slice(-2).join('.');
}

const within = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);

export function buildZone(
  domainInput: string,
  settings: ZoneSettings,
  dkimKeys: Pick<DkimKeyRow, 'selector' | 'algorithm' | 'public_key_pem' | 'is_active'>[],
): DnsRecord[] {
  const domain = domainInput.trim().toLowerCase().replace(/\.$/, '');
  const host = settings.mailHost.toLowerCase();
  const records: DnsRecord[] = [];
  const add = (name: string, data: RecordData, comment: string) => records.push({ name, comment, ...data });

  add(domain, { type: 'MX', priority: 10, exchange: host }, `mail for ${domain} is delivered to ${host}`);
  if (domain === host) {
    add(domain, { type: 'TXT', text: 'v=spf1 a mx -all' }, `SPF: only ${host} sends mail for ${domain}`);
  } else {
    add(domain, { type: 'TXT', text: 'v=spf1 mx -all' }, `SPF: only the MX host sends mail for ${domain}`);
    add(host, { type: 'TXT', text: 'v=spf1 a -all' }, `SPF for the mail host itself (HELO name, bounces)`);
  }
  for (const key of dkimKeys) {
    add(
      `${key.selector}._domainkey.${domain}`,
      { type: 'TXT', text: dkimTxtValue(key) },
      `DKIM ${key.algorithm === 'ed25519' ? 'ed25519' : 'RSA'} key, selector ${key.selector}${key.is_active ? ' (signing)' : ' (kept published for rotation)'}`,
    );
  }
  add(`_dmarc.${domain}`, { type: 'TXT', text: `v=DMARC1; p=reject; rua=mailto:postmaster@${domain}` }, 'DMARC: reject mail failing SPF and DKIM alignment; aggregate reports to postmaster');
  if (settings.mtaStsMode !== 'none') {
    const id = mtaStsPolicyId(mtaStsPolicy(host, settings.mtaStsMode));
    add(`_mta-sts.${domain}`, { type: 'TXT', text: `v=STSv1; id=${id}` }, `MTA-STS (RFC 8461), policy mode ${settings.mtaStsMode}; id changes with the policy`);
    add(`mta-sts.${domain}`, { type: 'CNAME', target: host }, `MTA-STS policy host (HTTPS /.well-known/mta-sts.txt, served by Heron)`);
  }
  add(`_smtp._tls.${domain}`, { type: 'TXT', text: `v=TLSRPTv1; rua=mailto:postmaster@${domain}` }, 'TLS-RPT (RFC 8460): TLS failure reports to postmaster');
  const srv = (service: string, port: number, what: string) =>
    add(`_${service}._tcp.${domain}`, { type: 'SRV', priority: 0, weight: 1, port, target: host }, what);
  srv('submission', settings.ports.submission, 'RFC 6186: mail submission with STARTTLS');
  srv('submissions', settings.ports.submissions, 'RFC 8314: mail submission over implicit TLS');
  srv('imap', settings.ports.imap, 'RFC 6186: IMAP with STARTTLS');
  srv('imaps', settings.ports.imaps, 'RFC 8314: IMAP over implicit TLS');
  add(`autoconfig.${domain}`, { type: 'CNAME', target: host }, 'Thunderbird autoconfig (/mail/config-v1.1.xml, served by Heron)');
  add(`autodiscover.${domain}`, { type: 'CNAME', target: host }, 'Outlook autodiscover (/autodiscover/autodiscover.xml, served by Heron)');
  add(domain, { type: 'CAA', flags: 0, tag: 'issue', value: settings.caaIssuer }, `CAA: only ${settings.caaIssuer} may issue certificates for ${domain}`);
  if (!within(host, domain)) {
    add(host, { type: 'CAA', flags: 0, tag: 'issue', value: settings.caaIssuer }, `CAA: only ${settings.caaIssuer} may issue certificates for ${host}`);
  }
  return records;
}

/** RFC 1035 §3.3: a TXT character-string holds at most 255 bytes; longer values are split. */
export function txtStrings(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) parts.push(bytes.subarray(i, i + 255).toString('utf8'));
  return parts.length ? parts : [''];
}

const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/** The record's RDATA in zone-file presentation format. */
export function rdata(record: RecordData): string {
  switch (record.type) {
    case 'MX':
      return `${record.priority} ${record.exchange}.`;
    case 'TXT':
      return txtStrings(record.text).map(quote).join(' ');
    case 'SRV':
      return `${record.priority} ${record.weight} ${record.port} ${record.target}.`;
    case 'CNAME':
      return `${record.target}.`;
    case 'CAA':
      return `${record.flags} ${record.tag} ${quote(record.value)}`;
  }
}

export function zoneLine(record: DnsRecord): string {
  return `${record.name}. ${ZONE_TTL} IN ${record.type} ${rdata(record)}`;
}

/** Commented zone-file text: one comment line, then the record. */
export function zoneText(domain: string, settings: ZoneSettings, records: DnsRecord[]): string {
  const lines = [
    `; DNS records for ${domain} (mail host ${settings.mailHost}), generated by Heron`,
    `; ${settings.mailHost} also needs A/AAAA records for this server's public addresses, and matching reverse (PTR) names`,
  ];
  for (const record of records) lines.push(`; ${record.comment}`, zoneLine(record));
  return lines.join('\n') + '\n';
}
