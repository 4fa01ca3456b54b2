// What the outbound parts need from the process.
import type { SecretBox } from '../../certs/secret.ts';
import type { Store } from '../../schema/index.ts';

export interface OutboundSettings {
  port: number;
  retryMinMs: number;
  retryMaxMs: number;
  lifetimeMs: number;
  delayNoticeMs: number;
  concurrency: number;
  perDestination: number;
  tlsStrict: boolean;
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
}
