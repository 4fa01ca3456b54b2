// Wires the process together: store, secret, first-run bootstrap, services.
// Used by server/main.ts and by tests, which start the real thing on ephemeral
// loopback ports with a temporary data directory.
import fs from 'node:fs';
import path from 'node:path';
import { ChallengeStore } from '../certs/acme/challenges.ts';
import { AcmeIssuer, trustAcmeCa } from '../certs/acme/client.ts';
import { renewalService } from '../certs/acme/renewal.ts';
import { domainZone } from '../certs/dns/records.ts';
import { loadSecret, type SecretBox } from '../certs/secret.ts';
import { createTlsContexts, type TlsContexts } from '../certs/tls-contexts.ts';
import { AuthThrottle, closeStore, ensureWebhookSettings, openStore, type Store, StoredThrottleState } from '../schema/index.ts';
import type { OutboundDeps } from '../smtpd/outbound/deps.ts';
import { createRelayHandler } from '../smtpd/outbound/relay-handler.ts';
import { createOutboundWorker, type OutboundWorker } from '../smtpd/outbound/worker.ts';
import type { RelayHandler } from '../smtpd/relay.ts';
import { smtpService } from '../smtpd/service.ts';
import { acmeHttpService } from './acme-http.ts';
import type { ApiDeps } from './api/app.ts';
import { imapService } from '../imapd/server.ts';
import { apiService } from './api/service.ts';
import { bootstrap, type BootstrapResult } from './bootstrap.ts';
import type { HeronConfig } from './config.ts';
import { describeBudget } from './descriptor-budget.ts';
import { journalRetentionService } from './journal-retention.ts';
import type { Logger } from './logger.ts';
import { nodeService } from './node.ts';
import type { Service } from './service.ts';
import { sortKeysBackfill } from './sort-keys-backfill.ts';
import { metricsHttpService } from './metrics-http.ts';
import { Stats } from './stats.ts';
import { zoneSettings } from './zone-settings.ts';
import { createWebhookWorker, type WebhookWorker } from './webhooks/worker.ts';

export interface Heron {
  config: HeronConfig;
  store: Store;
  secret: SecretBox;
  tls: TlsContexts;
  boot: BootstrapResult;
  /** On first start, the DNS records to publish for the hostname (zone-file text), for the banner. */
  firstStartZone: string | null;
  services: Service[];
  /** What the admin API was built from (tests rebuild its routes to compare with the OpenAPI document). */
  apiDeps: ApiDeps;
  acme: AcmeIssuer;
  /** ACME renewal; runOnce() checks now (tests force renewals with it). */
  renewal: ReturnType<typeof renewalService>;
  /** Queues relayed mail (what the SMTP submission listener calls for non-local recipients). */
  relay: RelayHandler;
  outbound: OutboundWorker;
  webhooks: WebhookWorker;
  /** Prunes the IMAP change journal; runOnce(at) prunes now as if the clock read `at`. */
  journalRetention: ReturnType<typeof journalRetentionService>;
  /** Actual bound ports (differ from config when it asked for port 0). */
  ports: { api: number; imap: number; imaps: number; smtp: number; submission: number; submissions: number; acmeHttp?: number; metrics?: number };
  stop(): Promise<void>;
}

export class DataDirError extends Error {}

function ensureWritableDataDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, 'ok');
    fs.unlinkSync(probe);
  } catch (err) {
    throw new DataDirError(`data folder ${dir} is not writable: ${(err as Error).message}`);
  }
}

export interface HeronOptions {
  /**
   * The hand-off for authenticated relay. Default: the outbound queue. A test may
   * pass its own handler, or null to have SMTP refuse relay with 451 4.3.2.
   */
  relay?: RelayHandler | null;
}

export async function startHeron(config: HeronConfig, log: Logger, options: HeronOptions = {}): Promise<Heron> {
  ensureWritableDataDir(config.dataDir);
  const budget = config.limits.budget;
  if (budget.overcommitted) log.warn({ budget }, `connection limits exceed the open-file limit: ${describeBudget(budget)}`);
  else log.info({ budget }, 'descriptor budget');
  const stats = new Stats();
  const store = await openStore(config.database, { onCommit: (seconds, writes) => stats.storeCommit(seconds, writes), onRetry: (reason) => stats.storeRetry(reason) });
  const started: Service[] = [];
  try {
    const secret = loadSecret(config.dataDir);
    const boot = await bootstrap(store, config, secret);
    await ensureWebhookSettings(store, config.webhooks.firstUrl);
    const webhooks = createWebhookWorker({ store, settings: config.webhooks, log });
    const tls = createTlsContexts(store, secret, config.hostname);
    // Also creates the domain's first DKIM key, so outbound mail can be signed at once.
    const firstStartZone = boot.adminCreated ? (await domainZone(store, secret, zoneSettings(config), config.hostname)).text : null;
    // In the database, so that every node sharing it counts every node's failures.
    const throttle = new AuthThrottle({ settings: config.authThrottle, state: new StoredThrottleState(store, { keepMs: config.authThrottle.windowMs }) });
    const outboundDeps: OutboundDeps = { store, secret, hostname: config.hostname, dns: config.dns, settings: config.outbound, log, stats };
    const outbound = createOutboundWorker(outboundDeps);
    const relay = createRelayHandler(outboundDeps);
    if (config.acme.caFile) trustAcmeCa(config.acme.caFile);
    const challenges = new ChallengeStore(store);
    const acme = new AcmeIssuer({ store, secret, challenges, log });
    const renewal = renewalService({ store, issuer: acme, log });
    // Several nodes may share the database: this one's row, for what counts across nodes.
    const node = store.dialect.shared ? nodeService(store, config.hostname, config.nodeLeaseMs, log) : null;
    let services: Service[] = [];
    const activity = { stats, listeners: () => services.flatMap((s) => s.listeners?.() ?? []) };
    const apiDeps: ApiDeps = { store, log, throttle, tokenTtlMs: config.tokenTtlMs, config, secret, challenges, acme, outbound: outboundDeps, activity };
    const api = apiService({ ...apiDeps, bind: config.bind, port: config.ports.api });
    const smtpRelay = options.relay === null ? undefined : (options.relay ?? relay);
    const smtp = smtpService({ store, log, tls, throttle, config, relay: smtpRelay, stats });
    const imap = imapService({
      store,
      tls,
      throttle,
      log,
      hostname: config.hostname,
      bind: config.bind,
      port: config.ports.imap,
      tlsPort: config.ports.imaps,
      allowPlaintextAuth: config.allowPlaintextAuth,
      stats,
      limits: {
        maxConnectionsPerUser: config.imapMaxConnectionsPerUser,
        preAuthTimeoutMs: config.imapLoginTimeoutMs,
        metadataMaxValueBytes: config.imapMetadata.maxValueBytes,
        metadataMaxEntries: config.imapMetadata.maxEntries,
        metadataMaxEntriesPerAccount: config.imapMetadata.maxEntriesPerAccount,
      },
      serverMetadata: config.imapMetadata.serverEntries,
      connections: { maxPerClient: config.limits.imapMaxPerClient, maxPerListener: config.limits.budget.imapPerListener },
      nodeId: node?.id,
      secret,
    });
    const journalRetention = journalRetentionService({ store, log, expungeRetentionMs: config.expungeRetentionMs });
    services = [...(node ? [node] : []), outbound, webhooks, api, imap, smtp, renewal, journalRetention, sortKeysBackfill({ store, log })];
    const acmeHttp = config.acme.httpPort === undefined ? null : acmeHttpService(challenges, config.bind, config.acme.httpPort);
    if (acmeHttp) services.push(acmeHttp);
    const metricsHttp = config.metrics.port === undefined ? null : metricsHttpService(stats.metrics, config.metrics.bind, config.metrics.port, log);
    if (metricsHttp) services.push(metricsHttp);
    stats.metrics.attach({ store, sessions: () => services.flatMap((s) => s.sessions?.() ?? []) });
    for (const service of services) {
      await service.start();
      started.push(service);
    }
    let stopping: Promise<void> | null = null;
    return {
      config,
      store,
      secret,
      tls,
      boot,
      firstStartZone,
      services,
      apiDeps,
      acme,
      renewal,
      relay,
      outbound,
      webhooks,
      journalRetention,
      ports: { api: api.port(), ...imap.ports(), ...smtp.ports(), ...(acmeHttp ? { acmeHttp: acmeHttp.port() } : {}), ...(metricsHttp ? { metrics: metricsHttp.port() } : {}) },
      stop() {
        stopping ??= (async () => {
          for (const service of [...started].reverse()) {
            try {
              await service.stop();
            } catch (err) {
              log.error({ err, service: service.name }, 'service did not stop cleanly');
            }
          }
          tls.close();
          await closeStore(store);
        })();
        return stopping;
      },
    };
  } catch (err) {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
    await closeStore(store);
    throw err;
  }
}
