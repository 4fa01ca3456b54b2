// The README's swaks commands, run with the real /usr/bin/swaks (Debian
// package, installed by .ci/run) against a running Heron. Only the port, the
// hostname and the password differ from the README (tests use port 0 and
// heron.test).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { mailboxOf, PASSWORD, POSTMASTER, smtpHeron, stopHeron, storedCounts, type TestHeron } from './fixtures.ts';
import { startDns, type TestDns } from './dns.ts';

let heron: TestHeron;
let dns: TestDns;

before(async () => {
  dns = await startDns();
  heron = await smtpHeron({ env: { HERON_DNS: dns.address } });
});
after(async () => {
  await stopHeron(heron);
  await dns.close();
});

/** Runs swaks; resolves with its transcript and exit code (swaks exits non-zero when the server refuses). */
async function swaks(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('/usr/bin/swaks', args, { timeout: 30_000 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('swaks against Heron, as in the README', () => {
  test('MX: swaks --server localhost:2525 --to postmaster@<hostname> --from someone@example.org', async () => {
    const r = await swaks(['--server', `localhost:${heron.ports.smtp}`, '--to', POSTMASTER, '--from', 'someone@example.org', '--header', 'Subject: swaks mx']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /<- {2}250 2\.6\.0 Ok: queued as /);
    assert.ok((await mailboxOf(heron, POSTMASTER)).some((m) => m.raw.includes('Subject: swaks mx')));
  });

  test('submission with STARTTLS and AUTH PLAIN (port 2587)', async () => {
    const r = await swaks([
      '--server', `localhost:${heron.ports.submission}`, '-tls',
      '--auth', 'PLAIN', '--auth-user', POSTMASTER, '--auth-password', PASSWORD,
      '--from', POSTMASTER, '--to', POSTMASTER, '--header', 'Subject: swaks 587',
    ]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /TLS started/);
    assert.match(r.out, /235 2\.7\.0 Authentication successful/);
    assert.ok((await mailboxOf(heron, POSTMASTER)).some((m) => m.raw.includes('Subject: swaks 587')));
  });

  test('submissions with implicit TLS and AUTH LOGIN (port 2465)', async () => {
    const r = await swaks([
      '--server', `localhost:${heron.ports.submissions}`, '--tls-on-connect',
      '--auth', 'LOGIN', '--auth-user', POSTMASTER, '--auth-password', PASSWORD,
      '--from', POSTMASTER, '--to', POSTMASTER, '--header', 'Subject: swaks 465',
    ]);
    assert.equal(r.code, 0, r.out);
    assert.ok((await mailboxOf(heron, POSTMASTER)).some((m) => m.raw.includes('Subject: swaks 465')));
  });

  test('an open relay attempt is refused with 554 5.7.1 and nothing is stored', async () => {
    const before = await storedCounts(heron);
    const r = await swaks(['--server', `localhost:${heron.ports.smtp}`, '--to', 'someone@example.org', '--from', POSTMASTER]);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /<\*\* 554 5\.7\.1 /);
    assert.deepEqual(await storedCounts(heron), before);
  });

  test('AUTH without TLS is not possible: swaks reports that the server offers no AUTH', async () => {
    const r = await swaks(['--server', `localhost:${heron.ports.submission}`, '--auth', 'PLAIN', '--auth-user', POSTMASTER, '--auth-password', PASSWORD, '--to', POSTMASTER, '--from', POSTMASTER]);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /Host did not advertise authentication/);
  });
});
