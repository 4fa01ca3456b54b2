// Renews ACME certificates when fewer than 30 days remain. Checks at start and
// then every hour; a failure is logged and kept in last_error by the issuer,
// the old certificate stays in use, and the next check tries again.
import type { Logger } from 'pino';
import { listAcmeCertificates, type Store } from '../../schema/index.ts';
import type { AcmeIssuer } from './client.ts';

export const RENEW_BEFORE_MS = 30 * 86400_000;
export const RENEWAL_CHECK_MS = 3600_000;

export interface RenewalOutcome {
  hostname: string;
  renewed: boolean;
  error?: string;
}

function altNames(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

export function renewalService(deps: { store: Store; issuer: AcmeIssuer; log: Pick<Logger, 'info' | 'warn' | 'error'>; intervalMs?: number }) {
  let timer: NodeJS.Timeout | null = null;
  let first: NodeJS.Immediate | null = null;
  let running: Promise<RenewalOutcome[]> | null = null;

  /** One pass over the ACME certificates; renews the ones due. Concurrent calls share the pass. */
  const runOnce = (now = Date.now()): Promise<RenewalOutcome[]> => {
    running ??= (async () => {
      const outcomes: RenewalOutcome[] = [];
      for (const row of await listAcmeCertificates(deps.store)) {
        if (row.expires_at !== null && row.expires_at - now > RENEW_BEFORE_MS) continue;
        if (!row.acme_email || !row.acme_directory_url) {
          deps.log.warn({ hostname: row.hostname }, 'ACME renewal: no account email or directory recorded; skipped');
          continue;
        }
        try {
          await deps.issuer.issue({
            hostname: row.hostname,
            altNames: altNames(row.alt_names),
            email: row.acme_email,
            directoryUrl: row.acme_directory_url,
          });
          outcomes.push({ hostname: row.hostname, renewed: true });
        } catch (err) {
          // The issuer has logged it and stored last_error; retried at the next check.
          outcomes.push({ hostname: row.hostname, renewed: false, error: (err as Error).message });
        }
      }
      return outcomes;
    })().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    name: 'acme-renewal',
    async start() {
      const tick = () => {
        runOnce().catch((err: unknown) => deps.log.error({ err }, 'ACME renewal check failed'));
      };
      timer = setInterval(tick, deps.intervalMs ?? RENEWAL_CHECK_MS);
      timer.unref();
      first = setImmediate(tick);
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (first) clearImmediate(first);
      timer = null;
      await running?.catch(() => undefined);
    },
    describe: () => [`ACME renewal checks every ${Math.round((deps.intervalMs ?? RENEWAL_CHECK_MS) / 60000)} min, renews < 30 days`],
    runOnce,
  };
}
