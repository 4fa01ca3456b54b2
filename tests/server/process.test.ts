// The process as an operator runs it: first run, restart, sign-in, refusal to
// start on a taken port or an unusable data folder, clean shutdown on SIGTERM.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { countAdmins } from '../../schema/index.ts';
import { ensureTestDatabase, TEST_ENGINE } from '../helpers/database.ts';
import { eventually, fetchWithDeadline, nextEvent, SLOW_WAIT_MS } from '../helpers/deadline.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, startTestHeron, tempDir, testEnv } from '../helpers/heron.ts';

async function signin(port: number, email: string, password: string) {
  const res = await fetchWithDeadline(`http://127.0.0.1:${port}/action/user_account/signin`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ attributes: { email, password } }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

function tokenFrom(body: unknown): string {
  assert.ok(Array.isArray(body));
  const entry = (body as Array<{ ResponseType: string; Attributes: { key?: string; value?: string } }>).find(
    (e) => e.ResponseType === 'client.store.set' && e.Attributes.key === 'token',
  );
  assert.ok(entry?.Attributes.value, 'client.store.set token entry');
  return entry.Attributes.value;
}

describe('first run, restart and sign-in', () => {
  const dataDir = tempDir();
  after(() => removeDir(dataDir));

  test('first run creates the admin, the default server, its certificate and postmaster', async () => {
    const heron = await startTestHeron({ dataDir });
    try {
      assert.equal(heron.boot.adminCreated, true);
      assert.equal(heron.boot.adminEmail, ADMIN_EMAIL);
      // The data folder holds the SQLite file, unless the data lives in PostgreSQL.
      assert.equal(fs.existsSync(path.join(dataDir, 'heron.db')), TEST_ENGINE === 'sqlite');
      assert.equal((fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toString(8), '600');
      const cert = (await heron.store.get('SELECT private_key_pem, certificate_pem FROM certificate WHERE hostname = ?', 'heron.test')) as {
        private_key_pem: string;
        certificate_pem: string;
      };
      assert.match(cert.certificate_pem, /BEGIN CERTIFICATE/);
      assert.ok(cert.private_key_pem.startsWith('enc:v1:'), 'private key encrypted at rest');
      assert.match(heron.secret.open(cert.private_key_pem), /BEGIN PRIVATE KEY/);
    } finally {
      await heron.stop();
    }
  });

  test('a restart keeps everything and creates no second admin', async () => {
    const heron = await startTestHeron({ dataDir, env: { HERON_ADMIN_PASSWORD: 'a different password' } });
    try {
      assert.equal(heron.boot.adminCreated, false);
      assert.equal(heron.boot.postmasterPassword, null);
      assert.equal(await countAdmins(heron.store), 1);
      const ok = await signin(heron.ports.api, ADMIN_EMAIL, ADMIN_PASSWORD);
      assert.equal(ok.status, 200, 'original password still works');
    } finally {
      await heron.stop();
    }
  });

  test('sign-in returns a token a protected endpoint accepts; bad credentials get clear errors', async () => {
    const heron = await startTestHeron({ dataDir });
    const base = `http://127.0.0.1:${heron.ports.api}`;
    try {
      for (const p of ['/api/user_account', '/api/mail_server']) {
        const anon = await fetchWithDeadline(base + p);
        assert.equal(anon.status, 401);
        const body = (await anon.json()) as { errors: Array<{ status: string; detail: string }> };
        assert.equal(body.errors[0].status, '401');
      }
      const wrong = await signin(heron.ports.api, ADMIN_EMAIL, 'wrong password');
      assert.equal(wrong.status, 401);
      assert.match(JSON.stringify(wrong.body), /invalid email or password/);
      const token = tokenFrom((await signin(heron.ports.api, ADMIN_EMAIL, ADMIN_PASSWORD)).body);
      const servers = await fetchWithDeadline(base + '/api/mail_server', { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(servers.status, 200);
      const doc = (await servers.json()) as { data: Array<{ type: string; id: string; attributes: Record<string, unknown> }> };
      assert.equal(doc.data[0].type, 'mail_server');
      assert.equal(doc.data[0].attributes.hostname, 'heron.test');
      assert.match(doc.data[0].id, /^[0-9a-f-]{36}$/);
      const users = await fetchWithDeadline(base + '/api/user_account', { headers: { Authorization: `Bearer ${token}` } });
      const usersDoc = (await users.json()) as { data: Array<{ attributes: Record<string, unknown> }> };
      assert.equal(usersDoc.data[0].attributes.email, ADMIN_EMAIL);
      assert.ok(!('password_hash' in usersDoc.data[0].attributes), 'hash never returned');
      const forged = await fetchWithDeadline(base + '/api/mail_server', { headers: { Authorization: 'Bearer not-a-token' } });
      assert.equal(forged.status, 401);
      for (const body of ['{bad json', '[]', '{"attributes":{"email":5}}', '']) {
        const res = await fetchWithDeadline(base + '/action/user_account/signin', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
        assert.equal(res.status, 400, `body ${body}`);
      }
      const health = await fetchWithDeadline(base + '/health');
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
    } finally {
      await heron.stop();
    }
  });

  test('failed sign-ins are throttled', async () => {
    const heron = await startTestHeron({ dataDir });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await signin(heron.ports.api, ADMIN_EMAIL, `guess ${i}`)).status);
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.equal(statuses[10], 429);
      assert.equal((await signin(heron.ports.api, ADMIN_EMAIL, ADMIN_PASSWORD)).status, 429, 'even the right password waits');
    } finally {
      await heron.stop();
    }
  });
});

describe('refusing to start', () => {
  test('a taken port is reported clearly', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = tempDir();
    try {
      await assert.rejects(startTestHeron({ dataDir, env: { HERON_API_PORT: String(port) } }), new RegExp(`port ${port} on 127.0.0.1 is already in use`));
    } finally {
      blocker.close();
      removeDir(dataDir);
    }
  });

  test('an unusable data folder is reported clearly', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    try {
      await assert.rejects(startTestHeron({ dataDir: path.join(file, 'data') }), /data folder .* is not writable/);
    } finally {
      removeDir(dir);
    }
  });
});

describe('npm start', () => {
  test('prints what a person needs, then stops cleanly on SIGTERM', async () => {
    const dataDir = tempDir();
    await ensureTestDatabase(dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: {
        ...process.env,
        ...testEnv(dataDir, { HERON_HOSTNAME: 'start.test', HERON_ADMIN_EMAIL: '', HERON_ADMIN_PASSWORD: '', HERON_LOG_LEVEL: 'info' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(() => out.includes('heron started') || child.exitCode !== null, () => `"heron started"; output so far: ${out}`, SLOW_WAIT_MS);
      assert.match(out, /Heron is running for start\.test/);
      assert.match(out, /First admin created: admin@start\.test/);
      assert.match(out, /password: \S{12,}/);
      assert.match(out, /action\/user_account\/signin/);
      assert.match(out, new RegExp(`data folder ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const exit = nextEvent<number | null>(child, 'exit', 'the process to exit after SIGTERM', SLOW_WAIT_MS);
      child.kill('SIGTERM');
      assert.equal(await exit, 0, out);
      assert.match(out, /"msg":"stopped"/);
    } finally {
      child.kill('SIGKILL');
      removeDir(dataDir);
    }
  });
});
