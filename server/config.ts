// Configuration from environment variables, validated once at start.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { addressKeySchema, domainSchema } from '../schema/address.ts';
import type { AuthThrottleSettings } from '../schema/auth-throttle.ts';
import type { SmtpErrorLimits } from '../smtpd/error-limits.ts';
import type { OutboundSettings } from '../smtpd/outbound/deps.ts';
import { descriptorBudget, openFileLimit, type DescriptorBudget } from './descriptor-budget.ts';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const schema = z.object({
  HERON_DATA_DIR: z.string().min(1).default('./data'),
  HERON_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/i, 'expected postgres://user:password@host:port/database')
    .optional(),
  // Several nodes on one database: how long a node that stops renewing its row still counts (server/node.ts).
  HERON_NODE_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  HERON_HOSTNAME: domainSchema.prefault(os.hostname()),
  HERON_ADMIN_EMAIL: addressKeySchema().optional(),
  HERON_ADMIN_PASSWORD: z.string().min(8).optional(),
  HERON_BIND: z.string().min(1).default('0.0.0.0'),
  HERON_API_PORT: port(6336),
  HERON_SMTP_PORT: port(2525),
  HERON_SUBMISSION_PORT: port(2587),
  HERON_SUBMISSIONS_PORT: port(2465),
  HERON_IMAP_PORT: port(1143),
  HERON_IMAPS_PORT: port(1993),
  HERON_DNS: z
    .string()
    .regex(/^[^\s:]+(:\d+)?$|^\[[0-9a-fA-F:]+\](:\d+)?$/, 'expected host:port')
    .optional(),
  HERON_ACME_DIRECTORY_URL: z.url().default('https://acme-v02.api.letsencrypt.org/directory'),
  // RFC 8555 §7.3 contacts are mailto: URLs; ACME servers take ASCII addresses only.
  HERON_ACME_EMAIL: addressKeySchema({ utf8: false }).optional(),
  HERON_ACME_HTTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HERON_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HERON_METRICS_BIND: z.string().min(1).default('127.0.0.1'),
  HERON_ACME_CA_FILE: z.string().min(1).optional(),
  HERON_CAA_ISSUER: z.string().regex(/^[a-z0-9.-]+$/i, 'expected an issuer domain such as letsencrypt.org').optional(),
  HERON_MTA_STS_MODE: z.enum(['testing', 'enforce', 'none']).default('testing'),
  HERON_TOKEN_TTL_HOURS: z.coerce.number().positive().default(72),
  HERON_ALLOW_PLAINTEXT_AUTH: bool(false),
  HERON_SMTP_MAX_RECIPIENTS: z.coerce.number().int().min(1).default(100),
  HERON_SMTP_MAX_PER_CLIENT: z.coerce.number().int().min(1).default(20),
  HERON_SMTP_MAX_HOPS: z.coerce.number().int().min(1).default(50),
  HERON_SMTP_TIMEOUT_SECONDS: z.coerce.number().positive().default(300),
  HERON_SMTP_DATA_TIMEOUT_SECONDS: z.coerce.number().positive().default(600),
  HERON_DNS_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  HERON_SPAM_SPF_ERROR: z.coerce.number().int().min(0).default(50),
  HERON_SPAM_SPF_FAIL: z.coerce.number().int().min(0).default(200),
  HERON_SPAM_DKIM_FAIL: z.coerce.number().int().min(0).default(100),
  HERON_SPAM_DMARC_FAIL: z.coerce.number().int().min(0).default(100),
  HERON_SPAM_FLAG_ABOVE: z.coerce.number().int().default(50),
  HERON_SPAM_JUNK_ABOVE: z.coerce.number().int().default(299),
  HERON_ALLOW_SIGNUP: bool(false),
  HERON_IMAP_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(50),
  HERON_IMAP_LOGIN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60),
  HERON_IMAP_EXPUNGE_RETENTION_DAYS: z.coerce.number().positive().default(90),
  // IMAP METADATA (RFC 5464): the server's /shared entries and the limits on users' entries.
  HERON_IMAP_METADATA_ADMIN: z.string().min(1).optional(),
  HERON_IMAP_METADATA_COMMENT: z.string().min(1).optional(),
  HERON_IMAP_METADATA_MAX_VALUE_BYTES: z.coerce.number().int().min(1).max(64 * 1024).default(32 * 1024),
  HERON_IMAP_METADATA_MAX_ENTRIES: z.coerce.number().int().min(1).default(100),
  HERON_IMAP_METADATA_MAX_ENTRIES_PER_ACCOUNT: z.coerce.number().int().min(1).default(1000),
  HERON_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Outbound queue (smtpd/outbound).
  HERON_OUTBOUND_PORT: port(25).refine((p) => p > 0, 'must be a port number'),
  HERON_OUTBOUND_RETRY_MIN_SECONDS: z.coerce.number().positive().default(300),
  HERON_OUTBOUND_RETRY_MAX_SECONDS: z.coerce.number().positive().default(4 * 3600),
  HERON_OUTBOUND_LIFETIME_HOURS: z.coerce.number().positive().default(120),
  HERON_OUTBOUND_DELAY_NOTICE_HOURS: z.coerce.number().positive().default(4),
  HERON_OUTBOUND_CONCURRENCY: z.coerce.number().int().min(1).default(20),
  HERON_OUTBOUND_PER_DESTINATION: z.coerce.number().int().min(1).default(2),
  HERON_OUTBOUND_TLS_STRICT: bool(false),
  HERON_OUTBOUND_SENT_COPY: bool(true),
  // Connection and request limits (README "Limits"); unset totals come from the descriptor budget.
  HERON_OPEN_FILES: z.coerce.number().int().min(256).optional(),
  HERON_FD_RESERVE: z.coerce.number().int().min(16).optional(),
  HERON_IMAP_MAX_PER_CLIENT: z.coerce.number().int().min(1).default(50),
  HERON_IMAP_MAX_CONNECTIONS: z.coerce.number().int().min(1).optional(),
  HERON_SMTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).optional(),
  HERON_API_MAX_CONNECTIONS: z.coerce.number().int().min(1).optional(),
  HERON_API_MAX_PER_CLIENT: z.coerce.number().int().min(1).default(32),
  HERON_API_MAX_ANONYMOUS_PER_CLIENT: z.coerce.number().int().min(1).default(8),
  HERON_API_ANONYMOUS_BODY_KB: z.coerce.number().int().min(1).default(64),
  HERON_API_MAX_BODY_MB: z.coerce.number().int().min(1).default(40),
  // Authentication throttling (schema/auth-throttle.ts) and SMTP error limits (smtpd/error-limits.ts).
  HERON_AUTH_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  HERON_AUTH_WINDOW_MINUTES: z.coerce.number().positive().default(15),
  HERON_AUTH_DELAY_MS: z.coerce.number().int().min(0).default(2000),
  HERON_AUTH_MAX_DELAY_MS: z.coerce.number().int().min(0).default(15_000),
  HERON_AUTH_MAX_PENDING_PER_ADDRESS: z.coerce.number().int().min(1).default(5),
  HERON_SMTP_SOFT_ERROR_LIMIT: z.coerce.number().int().min(0).default(10),
  HERON_SMTP_HARD_ERROR_LIMIT: z.coerce.number().int().min(1).default(20),
  HERON_SMTP_ERROR_DELAY_MS: z.coerce.number().int().min(0).default(1000),
  // Webhooks (server/webhooks/): the URL turns them on at a first start; /v1/settings changes them later.
  HERON_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),
  HERON_WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().max(300).default(10),
  HERON_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  HERON_WEBHOOK_RETRY_MIN_SECONDS: z.coerce.number().positive().default(10),
  HERON_WEBHOOK_RETRY_MAX_SECONDS: z.coerce.number().positive().default(3600),
  HERON_WEBHOOK_LIFETIME_HOURS: z.coerce.number().positive().default(24),
  HERON_WEBHOOK_HISTORY_DAYS: z.coerce.number().positive().default(7),
});

export interface HeronConfig {
  dataDir: string;
  /** The SQLite file in the data folder (used when no databaseUrl is set). */
  databaseFile: string;
  /** PostgreSQL connection URL; undefined means the SQLite file. */
  databaseUrl: string | undefined;
  /** Where the store lives: databaseUrl when set, else databaseFile (what openStore takes). */
  database: string;
  /** On a shared database: a node whose lease has run out (it died, or lost the database) no longer counts its IMAP sessions. */
  nodeLeaseMs: number;
  hostname: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  bind: string;
  ports: { api: number; smtp: number; submission: number; submissions: number; imap: number; imaps: number };
  dns: string | undefined;
  acme: {
    directoryUrl: string;
    /** Default contact for generate_acme_certificate when the call names none. */
    email: string | undefined;
    /** Port of the optional challenge-only HTTP listener; undefined = off. */
    httpPort: number | undefined;
    /** Extra CA (PEM) trusted for the ACME directory's HTTPS. */
    caFile: string | undefined;
  };
  /** The token-less /metrics listener (HERON_METRICS_PORT); undefined = off. */
  metrics: { port: number | undefined; bind: string };
  /** CAA issuer domain; derived from the ACME directory when unset. */
  caaIssuer: string | undefined;
  mtaStsMode: 'testing' | 'enforce' | 'none';
  tokenTtlMs: number;
  allowPlaintextAuth: boolean;
  smtp: SmtpLimits;
  spam: SpamWeights;
  dnsTimeoutMs: number;
  /** Whether anyone may create a (non-admin) API user with the sign-up action. */
  allowSignup: boolean;
  imapMaxConnectionsPerUser: number;
  imapLoginTimeoutMs: number;
  /** How long expunges stay in the change journal for QRESYNC (schema/store/journal.ts). */
  expungeRetentionMs: number;
  imapMetadata: ImapMetadataSettings;
  logLevel: z.infer<typeof schema>['HERON_LOG_LEVEL'];
  outbound: OutboundSettings;
  limits: ConnectionLimits;
  authThrottle: AuthThrottleSettings;
  smtpErrors: SmtpErrorLimits;
  webhooks: WebhookSettings;
}

/** The HERON_IMAP_METADATA_* settings (RFC 5464). */
export interface ImapMetadataSettings {
  /** The server's /shared entries every user reads: /shared/admin (default mailto: the admin's address) and /shared/comment. */
  serverEntries: Map<string, string>;
  maxValueBytes: number;
  maxEntries: number;
  maxEntriesPerAccount: number;
}

/** The HERON_WEBHOOK_* settings (server/webhooks/worker.ts). */
export interface WebhookSettings {
  /** Webhook URL for a first start (when no settings are stored yet). */
  firstUrl: string | undefined;
  timeoutMs: number;
  /** POSTs in flight at once. */
  concurrency: number;
  retryMinMs: number;
  retryMaxMs: number;
  /** How long an event is retried before it is marked failed. */
  lifetimeMs: number;
  /** How long delivered and failed events stay readable as history. */
  historyMs: number;
}

/** Connections per address and in total, and API request limits. */
export interface ConnectionLimits {
  /** Descriptors and how they are shared between the listeners (totals are per protocol or listener). */
  budget: DescriptorBudget;
  imapMaxPerClient: number;
  apiMaxPerClient: number;
  /** Unauthenticated API requests in flight from one address (429 past it). */
  apiMaxAnonymousPerClient: number;
  /** Body bytes a request without a valid token may send. */
  apiAnonymousBodyBytes: number;
  /** Body bytes an authenticated request may send (routes may allow less). */
  apiMaxBodyBytes: number;
}

export interface SmtpLimits {
  maxRecipients: number;
  /** Concurrent sessions from one client address. */
  maxPerClient: number;
  /** Received headers beyond this mean a mail loop (RFC 5321 §6.3). */
  maxHops: number;
  commandTimeoutMs: number;
  dataTimeoutMs: number;
}

/** Daptin's spam scoring table plus a DMARC weight; thresholds are "score above". */
export interface SpamWeights {
  spfError: number;
  spfFail: number;
  dkimFail: number;
  dmarcFail: number;
  flagAbove: number;
  junkAbove: number;
}

export class ConfigError extends Error {}

/** Reads the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HeronConfig {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('HERON_') && v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`);
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.HERON_DATA_DIR);
  return {
    dataDir,
    databaseFile: path.join(dataDir, 'heron.db'),
    databaseUrl: c.HERON_DATABASE_URL,
    database: c.HERON_DATABASE_URL ?? path.join(dataDir, 'heron.db'),
    nodeLeaseMs: c.HERON_NODE_LEASE_SECONDS * 1000,
    // Validated and in its A-label form (an IDN), like every stored domain.
    hostname: c.HERON_HOSTNAME,
    adminEmail: c.HERON_ADMIN_EMAIL,
    adminPassword: c.HERON_ADMIN_PASSWORD,
    bind: c.HERON_BIND,
    ports: {
      api: c.HERON_API_PORT,
      smtp: c.HERON_SMTP_PORT,
      submission: c.HERON_SUBMISSION_PORT,
      submissions: c.HERON_SUBMISSIONS_PORT,
      imap: c.HERON_IMAP_PORT,
      imaps: c.HERON_IMAPS_PORT,
    },
    dns: c.HERON_DNS,
    acme: {
      directoryUrl: c.HERON_ACME_DIRECTORY_URL,
      email: c.HERON_ACME_EMAIL,
      httpPort: c.HERON_ACME_HTTP_PORT,
      caFile: c.HERON_ACME_CA_FILE,
    },
    metrics: { port: c.HERON_METRICS_PORT, bind: c.HERON_METRICS_BIND },
    caaIssuer: c.HERON_CAA_ISSUER?.toLowerCase(),
    mtaStsMode: c.HERON_MTA_STS_MODE,
    tokenTtlMs: c.HERON_TOKEN_TTL_HOURS * 3600 * 1000,
    allowPlaintextAuth: c.HERON_ALLOW_PLAINTEXT_AUTH,
    smtp: {
      maxRecipients: c.HERON_SMTP_MAX_RECIPIENTS,
      maxPerClient: c.HERON_SMTP_MAX_PER_CLIENT,
      maxHops: c.HERON_SMTP_MAX_HOPS,
      commandTimeoutMs: c.HERON_SMTP_TIMEOUT_SECONDS * 1000,
      dataTimeoutMs: c.HERON_SMTP_DATA_TIMEOUT_SECONDS * 1000,
    },
    spam: {
      spfError: c.HERON_SPAM_SPF_ERROR,
      spfFail: c.HERON_SPAM_SPF_FAIL,
      dkimFail: c.HERON_SPAM_DKIM_FAIL,
      dmarcFail: c.HERON_SPAM_DMARC_FAIL,
      flagAbove: c.HERON_SPAM_FLAG_ABOVE,
      junkAbove: c.HERON_SPAM_JUNK_ABOVE,
    },
    dnsTimeoutMs: c.HERON_DNS_TIMEOUT_MS,
    allowSignup: c.HERON_ALLOW_SIGNUP,
    imapMaxConnectionsPerUser: c.HERON_IMAP_MAX_CONNECTIONS_PER_USER,
    imapLoginTimeoutMs: c.HERON_IMAP_LOGIN_TIMEOUT_SECONDS * 1000,
    expungeRetentionMs: Math.round(c.HERON_IMAP_EXPUNGE_RETENTION_DAYS * 86_400_000),
    imapMetadata: {
      serverEntries: new Map(
        Object.entries({
          // RFC 5464 §3.2: /shared/admin is a URI to reach the administrator.
          '/shared/admin': c.HERON_IMAP_METADATA_ADMIN ?? (c.HERON_ADMIN_EMAIL ? `mailto:${c.HERON_ADMIN_EMAIL}` : undefined),
          '/shared/comment': c.HERON_IMAP_METADATA_COMMENT,
        }).filter((e): e is [string, string] => e[1] !== undefined),
      ),
      maxValueBytes: c.HERON_IMAP_METADATA_MAX_VALUE_BYTES,
      maxEntries: c.HERON_IMAP_METADATA_MAX_ENTRIES,
      maxEntriesPerAccount: c.HERON_IMAP_METADATA_MAX_ENTRIES_PER_ACCOUNT,
    },
    logLevel: c.HERON_LOG_LEVEL,
    outbound: {
      port: c.HERON_OUTBOUND_PORT,
      retryMinMs: c.HERON_OUTBOUND_RETRY_MIN_SECONDS * 1000,
      retryMaxMs: Math.max(c.HERON_OUTBOUND_RETRY_MAX_SECONDS, c.HERON_OUTBOUND_RETRY_MIN_SECONDS) * 1000,
      lifetimeMs: c.HERON_OUTBOUND_LIFETIME_HOURS * 3600 * 1000,
      delayNoticeMs: c.HERON_OUTBOUND_DELAY_NOTICE_HOURS * 3600 * 1000,
      concurrency: c.HERON_OUTBOUND_CONCURRENCY,
      perDestination: c.HERON_OUTBOUND_PER_DESTINATION,
      tlsStrict: c.HERON_OUTBOUND_TLS_STRICT,
      sentCopy: c.HERON_OUTBOUND_SENT_COPY,
    },
    limits: {
      budget: descriptorBudget({
        openFiles: c.HERON_OPEN_FILES ?? openFileLimit(),
        reserve: c.HERON_FD_RESERVE,
        outboundConcurrency: c.HERON_OUTBOUND_CONCURRENCY,
        api: c.HERON_API_MAX_CONNECTIONS,
        imapPerListener: c.HERON_IMAP_MAX_CONNECTIONS,
        smtpTotal: c.HERON_SMTP_MAX_CONNECTIONS,
      }),
      imapMaxPerClient: c.HERON_IMAP_MAX_PER_CLIENT,
      apiMaxPerClient: c.HERON_API_MAX_PER_CLIENT,
      apiMaxAnonymousPerClient: c.HERON_API_MAX_ANONYMOUS_PER_CLIENT,
      apiAnonymousBodyBytes: c.HERON_API_ANONYMOUS_BODY_KB * 1024,
      apiMaxBodyBytes: c.HERON_API_MAX_BODY_MB * 1024 * 1024,
    },
    authThrottle: {
      maxFailures: c.HERON_AUTH_MAX_FAILURES,
      windowMs: c.HERON_AUTH_WINDOW_MINUTES * 60_000,
      delayMs: c.HERON_AUTH_DELAY_MS,
      maxDelayMs: Math.max(c.HERON_AUTH_MAX_DELAY_MS, c.HERON_AUTH_DELAY_MS),
      maxPendingPerAddress: c.HERON_AUTH_MAX_PENDING_PER_ADDRESS,
    },
    smtpErrors: {
      soft: c.HERON_SMTP_SOFT_ERROR_LIMIT,
      hard: c.HERON_SMTP_HARD_ERROR_LIMIT,
      delayMs: c.HERON_SMTP_ERROR_DELAY_MS,
    },
    webhooks: {
      firstUrl: c.HERON_WEBHOOK_URL,
      timeoutMs: c.HERON_WEBHOOK_TIMEOUT_SECONDS * 1000,
      concurrency: c.HERON_WEBHOOK_CONCURRENCY,
      retryMinMs: c.HERON_WEBHOOK_RETRY_MIN_SECONDS * 1000,
      retryMaxMs: Math.max(c.HERON_WEBHOOK_RETRY_MAX_SECONDS, c.HERON_WEBHOOK_RETRY_MIN_SECONDS) * 1000,
      lifetimeMs: c.HERON_WEBHOOK_LIFETIME_HOURS * 3600 * 1000,
      historyMs: c.HERON_WEBHOOK_HISTORY_DAYS * 86400 * 1000,
    },
  };
}
