// What a person needs after `npm start`: where things listen, how to sign in,
// where the data lives.
import { describeBudget } from './descriptor-budget.ts';
import type { Heron } from './heron.ts';

export function startupBanner(heron: Heron): string {
  const { config, boot } = heron;
  const api = `http://${config.bind === '0.0.0.0' ? 'localhost' : config.bind}:${heron.ports.api}`;
  const lines = [
    '',
    `Heron is running for ${config.hostname}`,
    '',
    ...heron.services.flatMap((s) => s.describe().map((d) => `  ${d}`)),
    '',
    `  data folder ${config.dataDir}`,
    `  limits      ${describeBudget(config.limits.budget)}`,
    '',
  ];
  if (boot.adminCreated) {
    lines.push(`First admin created: ${boot.adminEmail}`);
    if (boot.generatedAdminPassword) {
      lines.push(`  password: ${boot.generatedAdminPassword}   (shown once; set HERON_ADMIN_PASSWORD to choose your own)`);
    }
  } else {
    lines.push(`Admin: ${boot.adminEmail} (existing account)`);
  }
  if (boot.postmasterPassword) {
    lines.push(`Mail account created: ${boot.postmaster}  password: ${boot.postmasterPassword}`);
  }
  lines.push(
    '',
    'Sign in to the admin API:',
    `  curl -s -X POST ${api}/action/user_account/signin -H 'Content-Type: application/json' \\`,
    `    -d '{"attributes":{"email":"${boot.adminEmail}","password":"<password>"}}'`,
    `  then send the token as: -H "Authorization: Bearer $TOKEN"   e.g. curl -s ${api}/api/mail_server -H "Authorization: Bearer $TOKEN"`,
    '',
  );
  if (heron.firstStartZone) {
    // Records only; the commented version: scripts/dns.ts or the dns_records action.
    lines.push(`DNS records to publish for ${config.hostname} (commented: npm run dns; check them later: npm run dns -- --check):`);
    lines.push(...heron.firstStartZone.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => `  ${l}`));
    lines.push(`  plus A/AAAA records for ${config.hostname} pointing at this server`, '');
  }
  return lines.join('\n');
}
