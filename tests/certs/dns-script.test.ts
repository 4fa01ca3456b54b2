// scripts/dns.ts as an operator runs it: against the data folder of a stopped
// Heron, printing the zone, refusing unknown domains, and checking via HERON_DNS.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { SLOW_WAIT_MS } from '../helpers/deadline.ts';
import { TEST_ENGINE } from '../helpers/database.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME, tempDir, testEnv } from '../helpers/heron.ts';
import { startTestDns, type TestDns } from './dns-server.ts';

const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;
let dns: TestDns;

before(async () => {
  const heron = await startTestHeron();
  dataDir = heron.dataDir;
  await heron.stop();
  dns = await startTestDns();
});

after(async () => {
  await dns?.close();
  removeDir(dataDir);
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/dns.ts', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...testEnv(dataDir, env) }, timeout: SLOW_WAIT_MS },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('prints the commented zone for a hosted domain', async () => {
  const { code, stdout } = await run([TEST_HOSTNAME]);
  assert.equal(code, 0);
  assert.match(stdout, /^; DNS records for heron\.test/);
  assert.match(stdout, /\nheron\.test\. 3600 IN MX 10 heron\.test\.\n/);
  assert.match(stdout, /\nd1\._domainkey\.heron\.test\. 3600 IN TXT "v=DKIM1; k=rsa; p=[^"]{237}" "[^"]+"\n/);
  assert.deepEqual((await run([])).stdout, stdout, 'no argument: every hosted domain (here only one)');
});

test('refuses a domain it does not host, and a missing data folder', async () => {
  const unknown = await run(['example.org']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /not hosted here: example\.org/);
  const empty = tempDir();
  try {
    const missing = await run([], { HERON_DATA_DIR: empty });
    assert.equal(missing.code, 2);
    // SQLite: the folder holds the database; PostgreSQL: it still holds the secret for the DKIM keys.
    assert.match(missing.stderr, TEST_ENGINE === 'sqlite' ? /no database/ : /no server secret/);
  } finally {
    removeDir(empty);
  }
});

test('--check resolves through HERON_DNS and exits 1 while records are missing', async () => {
  dns.records.push({ name: TEST_HOSTNAME, type: 'MX', exchange: TEST_HOSTNAME, priority: 10 });
  const { code, stdout } = await run(['--check'], { HERON_DNS: dns.server });
  assert.equal(code, 1);
  assert.match(stdout, /^present\s+heron\.test\. MX 10 heron\.test\.$/m);
  assert.match(stdout, /^missing\s+_dmarc\.heron\.test\. TXT/m);
});
