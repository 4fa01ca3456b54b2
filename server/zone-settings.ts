// What the DNS zone, MTA-STS policy and client autoconfig say about this
// server, from configuration (configured ports, not the bound ones: port 0 in
// tests, and a NAT or proxy may sit in front anyway).
import type { ClientSettings } from '../certs/autoconfig.ts';
import { caaIssuerFor, type ZoneSettings } from '../certs/dns/zone.ts';
import type { HeronConfig } from './config.ts';

export function zoneSettings(config: HeronConfig): ZoneSettings & ClientSettings {
  const { submission, submissions, imap, imaps } = config.ports;
  return {
    mailHost: config.hostname,
    ports: { submission, submissions, imap, imaps },
    caaIssuer: config.caaIssuer ?? caaIssuerFor(config.acme.directoryUrl),
    mtaStsMode: config.mtaStsMode,
  };
}
