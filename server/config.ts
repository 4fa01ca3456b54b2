// Configuration from environment variables, validated once at start.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const schema = z.object({
  HERON_DATA_DIR: z.string().min(1).default('./data'),
  HERON_HOSTNAME: z.string().min(1).default(os.hostname()),
  HERON_ADMIN_EMAIL: z.string().email().optional(),
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
  HERON_TOKEN_TTL_HOURS: z.coerce.number().positive().default(72),
  HERON_ALLOW_PLAINTEXT_AUTH: bool(false),
  HERON_IMAP_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(50),
  HERON_IMAP_LOGIN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60),
  HERON_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface HeronConfig {
  dataDir: string;
  databaseFile: string;
  hostname: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  bind: string;
  ports: { api: number; smtp: number; submission: number; submissions: number; imap: number; imaps: number };
  dns: string | undefined;
  tokenTtlMs: number;
  allowPlaintextAuth: boolean;
  imapMaxConnectionsPerUser: number;
  imapLoginTimeoutMs: number;
  logLevel: z.infer<typeof schema>['HERON_LOG_LEVEL'];
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
    hostname: c.HERON_HOSTNAME.toLowerCase(),
    adminEmail: c.HERON_ADMIN_EMAIL?.toLowerCase(),
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
    tokenTtlMs: c.HERON_TOKEN_TTL_HOURS * 3600 * 1000,
    allowPlaintextAuth: c.HERON_ALLOW_PLAINTEXT_AUTH,
    imapMaxConnectionsPerUser: c.HERON_IMAP_MAX_CONNECTIONS_PER_USER,
    imapLoginTimeoutMs: c.HERON_IMAP_LOGIN_TIMEOUT_SECONDS * 1000,
    logLevel: c.HERON_LOG_LEVEL,
  };
}
