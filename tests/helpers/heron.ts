// Starts the real Heron on ephemeral loopback ports with a temporary data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type HeronConfig } from '../../server/config.ts';
import { startHeron, type Heron, type HeronOptions } from '../../server/heron.ts';
import { createLogger } from '../../server/logger.ts';
import { ensureTestDatabase, testDatabaseUrl } from './database.ts';

export const ADMIN_EMAIL = 'admin@heron.test';
export const ADMIN_PASSWORD = 'correct horse battery';
export const TEST_HOSTNAME = 'heron.test';

export function tempDir(prefix = 'heron-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Environment for a Heron on ephemeral loopback ports (what tests pass to a
 * child process too; call ensureTestDatabase(dataDir) before starting one).
 */
export function testEnv(dataDir: string, env: Record<string, string> = {}): Record<string, string> {
  const databaseUrl = testDatabaseUrl(dataDir);
  return {
    HERON_DATA_DIR: dataDir,
    ...(databaseUrl ? { HERON_DATABASE_URL: databaseUrl } : {}),
    HERON_HOSTNAME: TEST_HOSTNAME,
    HERON_ADMIN_EMAIL: ADMIN_EMAIL,
    HERON_ADMIN_PASSWORD: ADMIN_PASSWORD,
    HERON_BIND: '127.0.0.1',
    HERON_API_PORT: '0',
    HERON_SMTP_PORT: '0',
    HERON_SUBMISSION_PORT: '0',
    HERON_SUBMISSIONS_PORT: '0',
    HERON_IMAP_PORT: '0',
    HERON_IMAPS_PORT: '0',
    HERON_LOG_LEVEL: 'silent',
    // Authentication delays are real but short, so tests with failed logins stay quick; tests of the delay set their own.
    HERON_AUTH_DELAY_MS: '10',
    HERON_AUTH_MAX_DELAY_MS: '50',
    ...env,
  };
}

export function testConfig(dataDir: string, env: Record<string, string> = {}): HeronConfig {
  return loadConfig(testEnv(dataDir, env));
}

/** A running Heron; `dataDir` survives `stop()` so a test can restart on it. */
export async function startTestHeron(options: { dataDir?: string; env?: Record<string, string> } & HeronOptions = {}): Promise<Heron & { dataDir: string }> {
  const dataDir = options.dataDir ?? tempDir();
  await ensureTestDatabase(dataDir);
  const config = testConfig(dataDir, options.env);
  const heron = await startHeron(config, createLogger(config.logLevel), { relay: options.relay });
  return Object.assign(heron, { dataDir });
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
