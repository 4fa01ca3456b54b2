// Prometheus metrics (prom-client): the instruments that server/stats.ts feeds
// as events happen, and the gauges read when /metrics is scraped (sessions by
// protocol and state, the outbound queue by status, certificate expiry). One
// registry per Heron, so that several in one process (tests) do not mix.
import client from 'prom-client';
import { countOutboxByStatus, countWebhookEventsByStatus, listCertificates, type Store } from '../schema/index.ts';
import type { SessionCount } from './service.ts';

export interface GaugeSources {
  store: Store;
  sessions(): SessionCount[];
}

const SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly registry = new client.Registry();
  readonly smtpAccepted = new client.Counter({ name: 'heron_smtp_messages_accepted_total', help: 'Messages accepted over SMTP (250 after DATA: stored or queued)', labelNames: ['listener'], registers: [this.registry] });
  readonly smtpRejected = new client.Counter({ name: 'heron_smtp_messages_rejected_total', help: 'SMTP refusals by reply code', labelNames: ['code'], registers: [this.registry] });
  readonly smtpDelivery = new client.Histogram({ name: 'heron_smtp_delivery_seconds', help: 'End of DATA to the 250: scoring and the commit', buckets: SECONDS, registers: [this.registry] });
  readonly imapCommands = new client.Counter({ name: 'heron_imap_commands_total', help: 'IMAP commands by name and tagged result', labelNames: ['command', 'result'], registers: [this.registry] });
  readonly imapLatency = new client.Histogram({ name: 'heron_imap_command_seconds', help: 'IMAP command duration until its tagged reply', labelNames: ['command'], buckets: SECONDS, registers: [this.registry] });
  readonly outboundAttempts = new client.Counter({ name: 'heron_outbound_attempts_total', help: 'Outbound delivery attempts by result', labelNames: ['result'], registers: [this.registry] });
  readonly authFailures = new client.Counter({ name: 'heron_auth_failures_total', help: 'Wrong credentials by protocol', labelNames: ['protocol'], registers: [this.registry] });
  readonly authThrottled = new client.Counter({ name: 'heron_auth_throttled_total', help: 'Sign-ins refused by the throttle, by protocol', labelNames: ['protocol'], registers: [this.registry] });
  readonly commitLatency = new client.Histogram({ name: 'heron_store_commit_seconds', help: 'Store transactions: BEGIN to durable COMMIT', buckets: SECONDS, registers: [this.registry] });
  readonly writeRetries = new client.Counter({ name: 'heron_store_write_retries_total', help: 'Writes run again (PostgreSQL): after a deadlock or serialization failure (conflict), or a connection lost before BEGIN', labelNames: ['reason'], registers: [this.registry] });
  readonly commitBatch = new client.Histogram({ name: 'heron_store_commit_writes', help: 'Writes carried by one commit (SQLite group commit)', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: [this.registry] });
  private sources: GaugeSources | null = null;

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'heron_' });
    const metrics = this;
    new client.Gauge({
      name: 'heron_sessions',
      help: 'Open sessions by protocol and state (IMAP idle = in IDLE)',
      labelNames: ['protocol', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const s of metrics.sources?.sessions() ?? []) this.set({ protocol: s.protocol, state: s.state }, s.count);
      },
    });
    new client.Gauge({
      name: 'heron_outbound_queue',
      help: 'Outbound queue rows by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        if (!metrics.sources) return;
        this.reset();
        for (const [status, count] of Object.entries(await countOutboxByStatus(metrics.sources.store))) this.set({ status }, count);
      },
    });
    new client.Gauge({
      name: 'heron_webhook_queue',
      help: 'Webhook events by status (pending: to be sent or retried; failed: given up after the retry lifetime)',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        if (!metrics.sources) return;
        this.reset();
        for (const [status, count] of Object.entries(await countWebhookEventsByStatus(metrics.sources.store))) this.set({ status }, count);
      },
    });
    new client.Gauge({
      name: 'heron_certificate_expiry_timestamp_seconds',
      help: 'When each stored certificate expires (Unix time)',
      labelNames: ['hostname', 'source'],
      registers: [this.registry],
      async collect() {
        if (!metrics.sources) return;
        this.reset();
        for (const cert of await listCertificates(metrics.sources.store)) {
          if (typeof cert.expires_at === 'number') this.set({ hostname: cert.hostname, source: cert.source }, Math.floor(cert.expires_at / 1000));
        }
      },
    });
  }

  /** Where the scrape-time gauges read from; set once the services exist. */
  attach(sources: GaugeSources): void {
    this.sources = sources;
  }

  /** The Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
