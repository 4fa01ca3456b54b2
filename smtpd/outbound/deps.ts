// What the outbound parts need from the process.
import type { SecretBox } from '../../certs/secret.ts';
import type { Store } from '../../schema/index.ts';

/** The HERON_OUTBOUND_* settings (server/config.ts reads them). */
export interface OutboundSettings {
  /** Destination SMTP port (25 in production; tests point it at a loopback sink). */
  port: number;
  retryMinMs: number;
  retryMaxMs: number;
  /** How long a message is retried before it bounces. */
  lifetimeMs: number;
  /** When the sender is told a message is delayed. */
  delayNoticeMs: number;
  /** Deliveries in flight at once, overall and per destination domain. */
  concurrency: number;
  perDestination: number;
  /** Verify the destination's certificate (and never fall back to plaintext when STARTTLS fails). */
  tlsStrict: boolean;
  /** File a copy of relayed mail in the sender's Sent folder. */
  sentCopy: boolean;
}

/** Structured logger (pino's shape) without importing server/. */
export interface OutboundLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OutboundDeps {
  store: Store;
  secret: SecretBox;
  /** The default mail_server host name: EHLO name, Reporting-MTA, Message-ID fallback domain. */
  hostname: string;
  /** HERON_DNS, "host:port", or undefined for the system resolver. */
  dns: string | undefined;
  settings: OutboundSettings;
  log: OutboundLog;
  /** Attempt results are counted here (server/stats.ts; the console's overview, metrics). */
  stats?: OutboundStats;
}

/** What the worker reports after each attempt, without importing server/. */
export interface OutboundStats {
  outboundAttempt(event: { result: 'sent' | 'deferred' | 'failed'; toHost: string; recipients: number; detail: string }): void;
}
