// GET /metrics (Prometheus text, admin only), the token-less listener of
// HERON_METRICS_PORT, and GET /ready. The counters move with real SMTP and IMAP
// traffic: a delivered message, a refused recipient, IMAP commands with their
// results, a failed login, commits of the store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { createUserAccount } from '../../schema/index.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { within } from '../helpers/deadline.ts';
import { ALICE, ALICE_PASSWORD, smtpHeron, stopHeron, type TestHeron } from '../smtp/fixtures.ts';
import { RawSmtp } from '../smtp/client.ts';
import { startDns, type TestDns } from '../smtp/dns.ts';
import { Api } from './client.ts';

const DEADLINE_MS = 20_000;

/** The value of one sample, e.g. sample(text, 'heron_imap_commands_total', { command: 'LOGIN', result: 'NO' }); 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split(' ')[0];
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.split(' ').at(-1));
  }
  return 0;
}

describe('metrics and readiness', () => {
  let heron: TestHeron;
  let dns: TestDns;
  let api: Api;
  let admin = '';

  before(async () => {
    dns = await startDns();
    heron = await smtpHeron({ env: { HERON_DNS: dns.address, HERON_METRICS_PORT: '0' } });
    api = new Api(`http://127.0.0.1:${heron.ports.api}`);
    admin = await api.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  after(async () => {
    await stopHeron(heron);
    await dns.close();
  });

  const scrape = async () => {
    const reply = await within(api.get('/metrics', admin), DEADLINE_MS, '/metrics');
    assert.equal(reply.status, 200, reply.text);
    assert.match(reply.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return reply.text;
  };

  test('SMTP, IMAP and store traffic moves the counters; gauges read sessions, queue and certificates', async () => {
    const before = await scrape();
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: heron.ports.smtp, secure: false, ignoreTLS: true, connectionTimeout: DEADLINE_MS, socketTimeout: DEADLINE_MS });
    await within(transport.sendMail({ from: 'bob@remote.test', to: ALICE, subject: 'counted', text: 'hello' }), DEADLINE_MS, 'SMTP delivery');
    const raw = await RawSmtp.connect(heron.ports.smtp);
    await raw.hello();
    assert.equal((await raw.cmd('MAIL FROM:<bob@remote.test>')).code, 250);
    assert.equal((await raw.cmd('RCPT TO:<nobody@heron.test>')).code, 550);
    await raw.quit();

    const wrong = new ImapFlow({ host: '127.0.0.1', port: heron.ports.imaps, secure: true, tls: { rejectUnauthorized: false }, auth: { user: ALICE, pass: 'wrong password' }, logger: false });
    await assert.rejects(within(wrong.connect(), DEADLINE_MS, 'IMAP login'));
    const imap = new ImapFlow({ host: '127.0.0.1', port: heron.ports.imaps, secure: true, tls: { rejectUnauthorized: false }, auth: { user: ALICE, pass: ALICE_PASSWORD }, logger: false });
    await within(imap.connect(), DEADLINE_MS, 'IMAP login');
    await within(imap.mailboxOpen('INBOX'), DEADLINE_MS, 'SELECT');
    const during = await scrape();
    assert.equal(sample(during, 'heron_sessions', { protocol: 'imap', state: 'selected' }), 1, 'one selected IMAP session');
    await within(imap.logout(), DEADLINE_MS, 'LOGOUT');

    const after = await scrape();
    const grew = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    assert.equal(grew('heron_smtp_messages_accepted_total', { listener: 'smtp' }), 1);
    assert.equal(grew('heron_smtp_delivery_seconds_count'), 1);
    assert.equal(grew('heron_smtp_messages_rejected_total', { code: '550' }), 1);
    assert.equal(grew('heron_imap_commands_total', { command: 'SELECT', result: 'OK' }), 1);
    assert.equal(grew('heron_imap_commands_total', { command: 'LOGIN', result: 'NO' }) + grew('heron_imap_commands_total', { command: 'AUTHENTICATE', result: 'NO' }), 1);
    assert.equal(grew('heron_auth_failures_total', { protocol: 'imap' }), 1);
    assert.ok(grew('heron_imap_command_seconds_count', { command: 'SELECT' }) >= 1);
    assert.ok(grew('heron_store_commit_seconds_count') >= 1, 'the delivery committed');
    assert.ok(sample(after, 'heron_store_commit_writes_sum') >= sample(after, 'heron_store_commit_writes_count'));
    // Declared before any retry happens, so a dashboard finds it (it moves on PostgreSQL only: tests/store/engine.test.ts).
    assert.match(after, /^# TYPE heron_store_write_retries_total counter$/m);
    for (const status of ['queued', 'sending', 'sent', 'partial', 'failed', 'cancelled']) assert.match(after, new RegExp(`^heron_outbound_queue\\{status="${status}"\\} \\d+$`, 'm'));
    for (const status of ['pending', 'delivered', 'failed']) assert.match(after, new RegExp(`^heron_webhook_queue\\{status="${status}"\\} \\d+$`, 'm'));
    const expiry = sample(after, 'heron_certificate_expiry_timestamp_seconds', { hostname: 'heron.test' });
    assert.ok(expiry > Date.now() / 1000, `the self-signed certificate expires in the future (${expiry})`);
    assert.ok(sample(after, 'heron_process_resident_memory_bytes') > 0, 'process metrics');
  });

  test('only an administrator reads /metrics on the API port; the metrics port needs no token and serves nothing else', async () => {
    assert.equal((await within(api.get('/metrics'), DEADLINE_MS, '/metrics')).status, 401);
    await createUserAccount(heron.store, { email: 'plain@heron.test', password: 'plain password 1', isAdmin: false });
    const user = await api.signin('plain@heron.test', 'plain password 1');
    assert.equal((await within(api.get('/metrics', user), DEADLINE_MS, '/metrics')).status, 403);

    const token = async (signIn: string, scopes: string[]) => {
      const made = await within(api.post('/api/access_token', signIn, { data: { type: 'access_token', attributes: { description: 'scraper', scopes } } }), DEADLINE_MS, 'token');
      assert.equal(made.status, 201, made.text);
      return made.body.data.attributes.token as string;
    };
    assert.equal((await within(api.get('/metrics', await token(admin, ['metrics'])), DEADLINE_MS, '/metrics')).status, 200, "an administrator's metrics token");
    assert.equal((await within(api.get('/metrics', await token(admin, ['read'])), DEADLINE_MS, '/metrics')).status, 403, 'a token without the scope');
    assert.equal((await within(api.get('/metrics', await token(user, ['metrics'])), DEADLINE_MS, '/metrics')).status, 403, "a user's metrics token");

    assert.ok(heron.ports.metrics, 'the metrics listener is bound');
    const open = await fetch(`http://127.0.0.1:${heron.ports.metrics}/metrics`, { signal: AbortSignal.timeout(DEADLINE_MS) });
    assert.equal(open.status, 200);
    assert.match(await open.text(), /^# HELP heron_smtp_messages_accepted_total /m);
    const other = await fetch(`http://127.0.0.1:${heron.ports.metrics}/health`, { signal: AbortSignal.timeout(DEADLINE_MS) });
    assert.equal(other.status, 404);
    await other.text();
  });

  test('/ready answers 200 with every listener bound, and says what is wrong otherwise', async () => {
    const ready = await within(api.get('/ready'), DEADLINE_MS, '/ready');
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(ready.body, { status: 'ready', problems: [] });
    // A mail_server row whose port is taken cannot listen: the node is not ready.
    const blocker = await within(api.post('/api/mail_server', admin, { data: { type: 'mail_server', attributes: { hostname: 'blocked.heron.test', listen_interface: `127.0.0.1:${heron.ports.smtp}` } } }), DEADLINE_MS, 'mail_server');
    assert.equal(blocker.status, 201, blocker.text);
    let notReady = await within(api.get('/ready'), DEADLINE_MS, '/ready');
    for (const until = Date.now() + DEADLINE_MS; notReady.status === 200 && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 100));
      notReady = await within(api.get('/ready'), DEADLINE_MS, '/ready');
    }
    assert.equal(notReady.status, 503, notReady.text);
    assert.equal(notReady.body.status, 'not ready');
    assert.match(notReady.body.problems.join('\n'), /mail_server blocked\.heron\.test/);
  });
});
