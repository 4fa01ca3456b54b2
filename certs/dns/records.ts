// A hosted domain's zone from the store: its DKIM keys (a first RSA key is
// created when the domain has none, so the zone is complete) and the settings.
import { listDkimKeys, type Store } from '../../schema/index.ts';
import { ensureDkimKey } from '../dkim.ts';
import type { SecretBox } from '../secret.ts';
import { buildZone, type DnsRecord, type ZoneSettings, zoneText } from './zone.ts';

export interface DomainZone {
  domain: string;
  records: DnsRecord[];
  text: string;
}

export async function domainZone(store: Store, secret: SecretBox, settings: ZoneSettings, domainInput: string): Promise<DomainZone> {
  const domain = domainInput.trim().toLowerCase().replace(/\.$/, '');
  await ensureDkimKey(store, secret, domain);
  const records = buildZone(domain, settings, await listDkimKeys(store, domain));
  return { domain, records, text: zoneText(domain, settings, records) };
}
