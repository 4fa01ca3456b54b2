// Prints the DNS records to publish for hosted domains, as commented zone-file
// lines, and with --check resolves them through HERON_DNS (or the system
// resolver) and reports present / missing / different.
//   npm run dns -- [domain …] [--check]   (same HERON_* environment as the server)
// Reads the same HERON_* environment as `npm start` (the data folder must exist).
import fs from 'node:fs';
import path from 'node:path';
import { checkRecords, createResolver } from '../certs/dns/check.ts';
import { domainZone } from '../certs/dns/records.ts';
import { loadSecret } from '../certs/secret.ts';
import { closeStore, listHostedDomains, openStore } from '../schema/index.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { zoneSettings } from '../server/zone-settings.ts';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const wanted = args.filter((a) => !a.startsWith('--')).map((d) => d.toLowerCase().replace(/\.$/, ''));
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`dns: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (!config.databaseUrl && !fs.existsSync(config.databaseFile)) {
    console.error(`dns: no database at ${config.databaseFile}; start Heron once (npm start) with the same HERON_DATA_DIR`);
    return 2;
  }
  // On PostgreSQL the data folder still holds the secret that opens the DKIM keys.
  if (config.databaseUrl && !process.env.HERON_SECRET && !fs.existsSync(path.join(config.dataDir, 'secret.key'))) {
    console.error(`dns: no server secret in ${config.dataDir}; use the HERON_DATA_DIR (or HERON_SECRET) Heron runs with`);
    return 2;
  }
  const store = await openStore(config.database);
  try {
    const hosted = await listHostedDomains(store);
    const unknown = wanted.filter((d) => !hosted.includes(d));
    if (unknown.length) {
      console.error(`dns: not hosted here: ${unknown.join(', ')} (hosted: ${hosted.join(', ')})`);
      return 2;
    }
    const secret = loadSecret(config.dataDir);
    const settings = zoneSettings(config);
    const resolver = createResolver(config.dns);
    let allPresent = true;
    for (const domain of wanted.length ? wanted : hosted) {
      const zone = await domainZone(store, secret, settings, domain);
      if (!check) {
        process.stdout.write(zone.text + '\n');
        continue;
      }
      console.log(`; DNS check for ${domain} via ${config.dns ?? 'the system resolver'}`);
      for (const r of await checkRecords(resolver, zone.records)) {
        if (r.status !== 'present') allPresent = false;
        const seen = r.status === 'different' ? `   (found: ${r.found.join(' | ')})` : r.detail ? `   (${r.detail})` : '';
        console.log(`${r.status.padEnd(9)} ${r.name}. ${r.type} ${r.expected}${seen}`);
      }
      console.log('');
    }
    return check && !allPresent ? 1 : 0;
  } finally {
    await closeStore(store);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('dns: failed:', err);
    process.exit(1);
  },
);
