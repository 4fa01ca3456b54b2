// Inbound scoring against a real DNS server on loopback: SPF pass, fail and
// temperror (SERVFAIL and timeout), DKIM pass and fail, DMARC fail; Daptin's
// weights; where the message is filed; spam_score and spam stored; the
// Authentication-Results header; configurable weights.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dkimSign } from 'mailauth';
import { dkimTxtValue, generateDkimKeyPair } from '../../certs/dkim.ts';
import { ALICE, mailboxOf, smtpHeron, stopHeron, type StoredMessage, type TestHeron } from './fixtures.ts';
import { message, RawSmtp } from './client.ts';
import { startDns, type TestDns } from './dns.ts';

const key = generateDkimKeyPair('rsa');
let dns: TestDns;
let heron: TestHeron;

before(async () => {
  dns = await startDns({
    'good.test': ['v=spf1 ip4:127.0.0.1 -all'],
    'sel._domainkey.good.test': [dkimTxtValue({ algorithm: 'rsa', public_key_pem: key.publicKeyPem })],
    '_dmarc.good.test': ['v=DMARC1; p=reject'],
    'bad.test': ['v=spf1 ip4:192.0.2.1 -all'],
    '_dmarc.bad.test': ['v=DMARC1; p=reject'],
    'soft.test': ['v=spf1 ~all'],
    'broken.test': 'SERVFAIL',
    'slow.test': 'SILENT',
  });
  // A generous DNS timeout: a loaded machine must not turn a slow answer into a temperror.
  // The timeout itself is tested on a Heron of its own below.
  heron = await smtpHeron({ env: { HERON_DNS: dns.address, HERON_DNS_TIMEOUT_MS: '10000' } });
});
after(async () => {
  await stopHeron(heron);
  await dns.close();
});

async function signed(raw: string, domain = 'good.test'): Promise<string> {
  const signature = { signingDomain: domain, selector: 'sel', privateKey: key.privateKeyPem };
  // One timestamp: without signTime mailauth reads the clock twice, and a second
  // boundary between the reads (likelier on a loaded machine) breaks the signature.
  const result = await dkimSign(raw, { ...signature, signatureData: [signature], signTime: new Date() });
  assert.match(result.signatures, /^DKIM-Signature: /);
  return result.signatures + raw;
}

/** Sends over the MX port and returns the stored copy (from INBOX or Junk). */
async function receive(from: string, raw: string, on: TestHeron = heron): Promise<{ msg: StoredMessage; box: 'INBOX' | 'Junk' }> {
  const subject = /^Subject: (.*)\r$/m.exec(raw)![1];
  const c = await RawSmtp.connect(on.ports.smtp);
  await c.hello('mx.sender.test');
  assert.equal((await c.cmd(`MAIL FROM:<${from}>`)).code, 250);
  assert.equal((await c.cmd(`RCPT TO:<${ALICE}>`)).code, 250);
  assert.equal((await c.cmd('DATA')).code, 354);
  c.write(raw + '.\r\n');
  assert.equal((await c.reply()).code, 250);
  await c.quit();
  for (const box of ['INBOX', 'Junk'] as const) {
    const msg = (await mailboxOf(on, ALICE, box === 'Junk' ? '\\Junk' : 'INBOX')).find((m) => m.raw.includes(`Subject: ${subject}\r\n`));
    if (msg) return { msg, box };
  }
  throw new Error(`message ${subject} not stored`);
}

const results = (raw: string) => /Authentication-Results: heron\.test;[\s\S]*?\r\n(?=\S)/.exec(raw)?.[0] ?? '';

describe('SPF, DKIM and DMARC scoring', () => {
  test('SPF pass + DKIM pass + DMARC pass: score 0, INBOX, no $Junk', async () => {
    const { msg, box } = await receive('news@good.test', await signed(message({ from: 'news@good.test', subject: 'all pass' })));
    assert.equal(box, 'INBOX');
    assert.equal(msg.spamScore, 0);
    assert.equal(msg.spam, false);
    assert.deepEqual(msg.flags, []);
    const ar = results(msg.raw);
    assert.match(ar, /spf=pass/);
    assert.match(ar, /dkim=pass/);
    assert.match(ar, /dmarc=pass/);
  });

  test('SPF pass without a DKIM signature: +100 (missing signature), INBOX with $Junk', async () => {
    const { msg, box } = await receive('news@good.test', message({ from: 'news@good.test', subject: 'unsigned' }));
    assert.equal(box, 'INBOX');
    assert.equal(msg.spamScore, 100);
    assert.equal(msg.spam, true);
    assert.deepEqual(msg.flags, ['$Junk']);
  });

  test('DKIM fail (body altered after signing) counts +100', async () => {
    const raw = (await signed(message({ from: 'news@good.test', subject: 'tampered', body: 'original body\r\n' }))).replace('original body', 'altered body');
    const { msg } = await receive('news@good.test', raw);
    assert.match(results(msg.raw), /dkim=(fail|neutral)/);
    assert.equal(msg.spamScore, 100);
    assert.deepEqual(msg.flags, ['$Junk']);
  });

  test('SPF fail + no DKIM + DMARC fail: 200 + 100 + 100 = 400, filed in Junk', async () => {
    const { msg, box } = await receive('ceo@bad.test', message({ from: 'ceo@bad.test', subject: 'spoofed' }));
    assert.equal(box, 'Junk');
    assert.equal(msg.spamScore, 400);
    assert.equal(msg.spam, true);
    const ar = results(msg.raw);
    assert.match(ar, /spf=fail/);
    assert.match(ar, /dmarc=fail/);
  });

  test('SPF softfail is weighted like fail (200), without DMARC it stays in INBOX with $Junk', async () => {
    const { msg, box } = await receive('x@soft.test', await signed(message({ from: 'x@soft.test', subject: 'softfail' }), 'good.test'));
    assert.match(results(msg.raw), /spf=softfail/);
    assert.equal(msg.spamScore, 200);
    assert.equal(box, 'INBOX');
    assert.deepEqual(msg.flags, ['$Junk']);
  });

  test('SPF temperror from SERVFAIL: +50', async () => {
    const { msg } = await receive('x@broken.test', await signed(message({ from: 'x@broken.test', subject: 'servfail' }), 'good.test'));
    assert.match(results(msg.raw), /spf=temperror/);
    assert.equal(msg.spamScore, 50);
    assert.deepEqual(msg.flags, [], 'a score of 50 is not above the flag threshold');
  });

  test('SPF temperror from a DNS server that never answers: bounded by HERON_DNS_TIMEOUT_MS', async () => {
    const short = await smtpHeron({ env: { HERON_DNS: dns.address, HERON_DNS_TIMEOUT_MS: '600' } });
    try {
      const { msg } = await receive('x@slow.test', message({ from: 'x@slow.test', subject: 'dns timeout' }), short);
      assert.match(results(msg.raw), /spf=temperror/);
      assert.equal(msg.spamScore, 150);
    } finally {
      await stopHeron(short);
    }
  });
});

describe('configurable weights', () => {
  test('HERON_SPAM_* change the weights and thresholds', async () => {
    const other = await smtpHeron({ env: { HERON_DNS: dns.address, HERON_SPAM_DKIM_FAIL: '0', HERON_SPAM_SPF_FAIL: '10', HERON_SPAM_DMARC_FAIL: '5', HERON_SPAM_FLAG_ABOVE: '12', HERON_SPAM_JUNK_ABOVE: '1000' } });
    try {
      const c = await RawSmtp.connect(other.ports.smtp);
      await c.hello();
      assert.equal((await c.cmd('MAIL FROM:<ceo@bad.test>')).code, 250);
      assert.equal((await c.cmd(`RCPT TO:<${ALICE}>`)).code, 250);
      assert.equal((await c.cmd('DATA')).code, 354);
      c.write(message({ from: 'ceo@bad.test', subject: 'weights' }) + '.\r\n');
      assert.equal((await c.reply()).code, 250);
      await c.quit();
      const [msg] = await mailboxOf(other, ALICE);
      assert.equal(msg.spamScore, 15);
      assert.deepEqual(msg.flags, ['$Junk']);
    } finally {
      await stopHeron(other);
    }
  });
});
