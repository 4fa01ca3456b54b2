// AUTH SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 7677, RFC 5802, RFC 4954) on
// the submission listeners, over real TLS: full exchanges with the tests' own
// client (both channel bindings), GNU SASL's gsasl --smtp, the edge cases, and
// PLAIN/LOGIN beside them unchanged.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base64, clientBinding, gsasl, ScramClient, trustedCertificateFile, unbase64 } from '../helpers/scram-client.ts';
import { message, RawSmtp, type Reply } from './client.ts';
import { startDns, type TestDns } from './dns.ts';
import { Api } from '../api/client.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { ALICE, ALICE_PASSWORD, mailboxOf, PASSWORD, POSTMASTER, smtpHeron, stopHeron, type TestHeron } from './fixtures.ts';

interface Exchange {
  reply: Reply;
  serverFirst?: string;
  serverValid?: boolean;
}

/** One AUTH exchange; `tamper` alters the client-final message. */
async function scram(
  c: RawSmtp,
  client: ScramClient,
  options: { mechanism?: string; initialResponse?: boolean; tamper?: { nonce?: string; binding?: Buffer } } = {},
): Promise<Exchange> {
  const mechanism = options.mechanism ?? 'SCRAM-SHA-256';
  let challenge: Reply;
  if (options.initialResponse ?? true) challenge = await c.cmd(`AUTH ${mechanism} ${base64(client.first())}`);
  else {
    const empty = await c.cmd(`AUTH ${mechanism}`);
    assert.equal(empty.text, '334 ');
    challenge = await c.cmd(base64(client.first()));
  }
  if (challenge.code !== 334) return { reply: challenge };
  const serverFirst = unbase64(challenge.text.slice(4));
  const last = await c.cmd(base64(client.final(serverFirst, options.tamper)));
  if (last.code !== 334) return { reply: last, serverFirst };
  const serverValid = client.serverValid(unbase64(last.text.slice(4)));
  return { reply: await c.cmd(''), serverFirst, serverValid };
}

describe('SMTP AUTH SCRAM-SHA-256', () => {
  let dns: TestDns;
  let heron: TestHeron;
  const open: RawSmtp[] = [];
  before(async () => {
    dns = await startDns();
    heron = await smtpHeron({ env: { HERON_DNS: dns.address }, relay: null });
  });
  after(async () => {
    open.forEach((c) => c.close());
    await stopHeron(heron);
    dns.close();
  });

  /** EHLO done over TLS: implicit (465) or after STARTTLS (587). */
  async function session(how: 'implicit' | 'starttls' = 'implicit', localAddress?: string): Promise<RawSmtp> {
    const c = await RawSmtp.connect(how === 'implicit' ? heron.ports.submissions : heron.ports.submission, { implicitTls: how === 'implicit', localAddress });
    open.push(c);
    await c.hello();
    if (how === 'starttls') {
      assert.equal((await c.starttls()).code, 220);
      await c.cmd('EHLO client.test');
    }
    return c;
  }
  const tlsOf = (c: RawSmtp) => c.tlsSocket;

  test('not offered or accepted before STARTTLS; offered beside PLAIN and LOGIN after it', async () => {
    const c = await RawSmtp.connect(heron.ports.submission);
    open.push(c);
    const ehlo = await c.hello();
    assert.doesNotMatch(ehlo.text, /AUTH/);
    const refused = await c.cmd(`AUTH SCRAM-SHA-256 ${base64(new ScramClient(ALICE, ALICE_PASSWORD).first())}`);
    assert.ok(refused.code >= 500, refused.text);
    assert.equal((await c.starttls()).code, 220);
    assert.match((await c.cmd('EHLO client.test')).text, /^250-AUTH PLAIN LOGIN SCRAM-SHA-256 SCRAM-SHA-256-PLUS$/m);
  });

  test('SCRAM-SHA-256 with an initial response on 465: 235, the server proves itself, and the mail goes through', async () => {
    const c = await session('implicit');
    const out = await scram(c, new ScramClient(ALICE, ALICE_PASSWORD));
    assert.equal(out.reply.text, '235 2.7.0 Authentication successful');
    assert.equal(out.serverValid, true);
    assert.equal((await c.cmd(`MAIL FROM:<${ALICE}>`)).code, 250);
    assert.equal((await c.cmd(`RCPT TO:<${POSTMASTER}>`)).code, 250);
    assert.equal((await c.cmd('DATA')).code, 354);
    const sent = await c.cmd(`${message({ from: ALICE, to: POSTMASTER, subject: 'after SCRAM' })}\r\n.`);
    assert.equal(sent.code, 250, sent.text);
    const stored = (await mailboxOf(heron, POSTMASTER)).find((m) => m.raw.includes('Subject: after SCRAM'));
    assert.ok(stored);
    assert.match(stored.raw, /with ESMTPSA id/);
    assert.match((await c.cmd(`AUTH SCRAM-SHA-256 ${base64(new ScramClient(ALICE, ALICE_PASSWORD).first())}`)).text, /^503 /, 'no second AUTH');
  });

  for (const type of ['tls-exporter', 'tls-server-end-point'] as const) {
    test(`SCRAM-SHA-256-PLUS with ${type} after STARTTLS, without an initial response`, async () => {
      const c = await session('starttls');
      const client = new ScramClient(ALICE, ALICE_PASSWORD, { binding: { flag: 'p', type, data: clientBinding(tlsOf(c), type) } });
      const out = await scram(c, client, { mechanism: 'SCRAM-SHA-256-PLUS', initialResponse: false });
      assert.equal(out.reply.code, 235, out.reply.text);
      assert.equal(out.serverValid, true);
    });

    test(`a channel binding that is not this connection's (${type}) is refused with 535`, async () => {
      const c = await session('implicit');
      const client = new ScramClient(ALICE, ALICE_PASSWORD, { binding: { flag: 'p', type, data: clientBinding(tlsOf(c), type) } });
      const out = await scram(c, client, { mechanism: 'SCRAM-SHA-256-PLUS', tamper: { binding: crypto.randomBytes(32) } });
      assert.equal(out.reply.text, '535 5.7.8 Authentication credentials invalid');
    });
  }

  test('verifiers are written wherever a password is set: first start, API create, API password change', async () => {
    const c = await session('implicit');
    // The postmaster made at first start (server/bootstrap.ts).
    assert.equal((await scram(c, new ScramClient(POSTMASTER, PASSWORD))).reply.code, 235);
    const api = new Api(`http://127.0.0.1:${heron.ports.api}`);
    const token = await api.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
    const user = 'scram-api@heron.test';
    const id = await api.create(token, 'mail_account', { username: user, password: 'first api password' });
    const first = await session('implicit');
    assert.equal((await scram(first, new ScramClient(user, 'first api password'))).reply.code, 235);
    const changed = await api.patch(`/api/mail_account/${id}`, token, { data: { type: 'mail_account', attributes: { password: 'second api password' } } });
    assert.equal(changed.status, 200, changed.text);
    const second = await session('implicit');
    assert.equal((await scram(second, new ScramClient(user, 'first api password'))).reply.code, 535);
    assert.equal((await scram(second, new ScramClient(user, 'second api password'))).reply.code, 235);
  });

  test('wrong password, wrong nonce and an unknown user all end in the same 535; the decoy salt is stable', async () => {
    const c = await session('implicit');
    const wrong = await scram(c, new ScramClient(ALICE, 'not it'));
    const nonce = await scram(c, new ScramClient(ALICE, ALICE_PASSWORD), { tamper: { nonce: 'forged' } });
    const ghost1 = await scram(c, new ScramClient('ghost@heron.test', 'x'));
    const ghost2 = await scram(c, new ScramClient('ghost@heron.test', 'y'));
    for (const out of [wrong, nonce, ghost1, ghost2]) assert.equal(out.reply.text, '535 5.7.8 Authentication credentials invalid');
    const salt = (e: Exchange) => e.serverFirst!.split(',')[1];
    assert.equal(salt(ghost1), salt(ghost2));
    assert.equal(salt(ghost1).length, salt(wrong).length);
    assert.match(ghost1.serverFirst!, /,i=4096$/);
    assert.equal((await scram(c, new ScramClient(ALICE, ALICE_PASSWORD))).reply.code, 235);
  });

  test('downgrade, cancel, garbage and oversized messages; PLAIN and LOGIN still work after them', async () => {
    const c = await session('implicit');
    const y = await scram(c, new ScramClient(ALICE, ALICE_PASSWORD, { binding: { flag: 'y' } }));
    assert.equal(y.reply.code, 535, 'RFC 5802 §6: "y" while -PLUS is offered');
    assert.equal((await scram(c, new ScramClient(ALICE, ALICE_PASSWORD), { mechanism: 'SCRAM-SHA-256-PLUS' })).reply.code, 535);
    assert.equal((await c.cmd('AUTH SCRAM-SHA-256')).text, '334 ');
    assert.match((await c.cmd('*')).text, /^501 5\.7\.0 Authentication cancelled/);
    assert.equal((await c.cmd(`AUTH SCRAM-SHA-256 ${base64(new ScramClient(ALICE, ALICE_PASSWORD).first())}`)).code, 334);
    assert.match((await c.cmd('*')).text, /^501 /);
    for (const bad of ['%%%', base64('garbage'), base64(`n,,n=a,r=${'x'.repeat(3000)}`), base64('n,,n=a=ZZ,r=abc')]) {
      assert.match((await c.cmd(`AUTH SCRAM-SHA-256 ${bad}`)).text, /^501 5\.5\.2 /, bad.slice(0, 30));
    }
    assert.match((await c.cmd('AUTH SCRAM-SHA-256 a b')).text, /^501 /);
    assert.equal((await c.authPlain(ALICE, ALICE_PASSWORD)).code, 235);
    const login = await session('starttls');
    assert.equal((await login.cmd('AUTH LOGIN')).code, 334);
    assert.equal((await login.cmd(base64(ALICE))).code, 334);
    assert.equal((await login.cmd(base64(ALICE_PASSWORD))).code, 235);
  });

  test('SCRAM failures count in the sign-in throttle like PLAIN failures', async () => {
    for (let i = 0; i < 10; i++) {
      const c = await session('implicit', '127.0.0.51');
      assert.equal((await scram(c, new ScramClient(ALICE, `guess ${i}`))).reply.code, 535);
      c.close();
    }
    const c = await session('implicit', '127.0.0.51');
    assert.match((await scram(c, new ScramClient(ALICE, ALICE_PASSWORD))).reply.text, /^454 4\.7\.0 /);
    assert.match((await c.authPlain(POSTMASTER, 'whatever')).text, /^454 4\.7\.0 /, 'PLAIN is refused from that address too');
    const owner = await session('implicit', '127.0.0.52');
    assert.equal((await scram(owner, new ScramClient(ALICE, ALICE_PASSWORD))).reply.code, 235, 'the owner elsewhere is not locked out');
  });

  test('GNU SASL (gsasl --smtp) authenticates with SCRAM-SHA-256-PLUS and SCRAM-SHA-256 over STARTTLS', async () => {
    const ca = await trustedCertificateFile(heron.ports.submissions);
    const login = (mechanism: string, password: string, extra: string[] = []) =>
      gsasl(['--smtp', '--starttls', `--x509-ca-file=${ca.file}`, '--hostname=heron.test', '--connect', `127.0.0.1:${heron.ports.submission}`, '-m', mechanism, '-a', ALICE, '-p', password, '--verbose', ...extra]);
    try {
      const plus = await login('SCRAM-SHA-256-PLUS', ALICE_PASSWORD);
      assert.ok(plus.ok, plus.out);
      assert.match(plus.out, /^235 /m);
      const nocb = await login('SCRAM-SHA-256', ALICE_PASSWORD, ['--no-cb']);
      assert.ok(nocb.ok, nocb.out);
      assert.match(nocb.out, /^235 /m);
      const wrong = await login('SCRAM-SHA-256-PLUS', 'wrong password');
      assert.match(wrong.out, /^535 5\.7\.8 /m);
    } finally {
      ca.remove();
    }
  });
});

describe('SMTP AUTH SCRAM-SHA-256 where plaintext AUTH is allowed', () => {
  let heron: TestHeron;
  before(async () => {
    heron = await smtpHeron({ env: { HERON_ALLOW_PLAINTEXT_AUTH: 'true' }, relay: null });
  });
  after(() => stopHeron(heron));

  test('plaintext offers PLAIN and LOGIN only and answers SCRAM with 538; after STARTTLS SCRAM works', async () => {
    const c = await RawSmtp.connect(heron.ports.submission);
    try {
      assert.match((await c.hello()).text, /^250-AUTH PLAIN LOGIN$/m);
      assert.equal((await c.cmd(`AUTH SCRAM-SHA-256 ${base64(new ScramClient(ALICE, ALICE_PASSWORD).first())}`)).text, '538 5.7.11 Encryption required for requested authentication mechanism');
      assert.equal((await c.starttls()).code, 220);
      assert.match((await c.cmd('EHLO client.test')).text, /^250-AUTH PLAIN LOGIN SCRAM-SHA-256 SCRAM-SHA-256-PLUS$/m);
      assert.equal((await scram(c, new ScramClient(ALICE, ALICE_PASSWORD))).reply.code, 235);
    } finally {
      c.close();
    }
  });
});
