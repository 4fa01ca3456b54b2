// The one address rule (schema/address.ts) as a unit, and the configuration
// that uses it: hosted single-label domains, IDN, UTF-8 and quoted local parts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { addressKey, displayDomain, parseDomain, parseMailAddress } from '../../schema/index.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { removeDir, startTestHeron } from '../helpers/heron.ts';

function accepted(input: string, options?: { utf8?: boolean }) {
  const parsed = parseMailAddress(input, options);
  assert.ok(parsed.ok, `${input}: ${parsed.ok ? '' : parsed.error}`);
  return parsed.value;
}

function refused(input: string, pattern: RegExp, options?: { utf8?: boolean }) {
  const parsed = parseMailAddress(input, options);
  assert.ok(!parsed.ok, `${input} was accepted`);
  assert.match(parsed.error, pattern, input);
  return parsed;
}

describe('the address rule', () => {
  test('single-label hosts are domains: localhost, mail', () => {
    assert.equal(accepted('admin@localhost').key, 'admin@localhost');
    assert.equal(accepted('Root@MAIL').key, 'root@mail');
    assert.equal(accepted('a.b+tag@heron.test').address, 'a.b+tag@heron.test');
  });

  test('IDN domains are kept as lowercase A-labels, whichever form comes in', () => {
    const u = accepted('user@Bücher.Example');
    assert.equal(u.domain, 'xn--bcher-kva.example');
    assert.equal(u.key, accepted('USER@xn--bcher-kva.example').key);
    assert.equal(accepted('x@fußball.de').domain, 'xn--fuball-cta.de', 'UTS #46 non-transitional: ß stays ß');
    assert.equal(displayDomain('xn--bcher-kva.example'), 'bücher.example');
    assert.equal(accepted('a@例え.テスト').domain, 'xn--r8jz45g.xn--zckzah');
  });

  test('UTF-8 local parts (RFC 6531/6532) where allowed, a clear refusal where not', () => {
    const v = accepted('Jörg@bücher.example');
    assert.equal(v.utf8, true);
    assert.equal(v.address, 'Jörg@xn--bcher-kva.example', 'the local part keeps its case for remote mailboxes');
    assert.equal(v.key, 'jörg@xn--bcher-kva.example', 'Heron stores its own addresses lowercased');
    assert.equal(accepted('用户@例子.广告').utf8, true);
    // NFC: a decomposed ö is the same address as a composed one.
    assert.equal(addressKey('jo\u0308rg@heron.test'), addressKey('j\u00f6rg@heron.test'));
    const r = refused('jörg@heron.test', /non-ASCII local part/, { utf8: false });
    assert.equal(r.ok || r.problem, 'utf8');
    assert.equal(accepted('user@bücher.example', { utf8: false }).domain, 'xn--bcher-kva.example', 'an IDN domain is fine in ASCII form');
  });

  test('quoted local parts follow RFC 5321 §4.1.2 and are quoted only when they must be', () => {
    assert.equal(accepted('"john doe"@heron.test').address, '"john doe"@heron.test');
    assert.equal(accepted('"john"@heron.test').address, 'john@heron.test', 'a quoted Dot-string is written bare');
    assert.equal(accepted('"a\\"b"@heron.test').address, '"a\\"b"@heron.test');
    assert.equal(accepted('"a\\b"@heron.test').address, 'ab@heron.test', 'a quoted pair of an ordinary character is that character');
    assert.equal(accepted('"x@y"@heron.test').domain, 'heron.test');
    refused('"a"b"@heron.test', /double quote/);
    refused('"abc@heron.test', /unterminated|not a valid local part/);
    refused('"a\tb"@heron.test', /control character/);
  });

  test('what is not an address is refused with a reason', () => {
    refused('no-at-sign', /full address/);
    refused('@heron.test', /local part.*empty/);
    refused('a..b@heron.test', /not a valid local part/);
    refused('.a@heron.test', /not a valid local part/);
    refused('a b@heron.test', /not a valid local part/);
    refused('a@b@heron.test', /not a valid local part/);
    refused('a@', /domain is empty/);
    refused('a@-bad.example', /not a host name/);
    refused('a@under_score.example', /not a host name/);
    refused('a@example.com.', /ends with a dot/);
    refused('a@[192.0.2.1]', /address literals/);
    refused('a@192.0.2.1', /IP address/);
    refused('a@0x7f.1', /IP address/);
    refused('a@exa mple.com', /space or control/);
    refused('a\u200b@heron.test', /not a valid local part/);
    refused(`${'x'.repeat(65)}@heron.test`, /longer than 64 octets/);
    refused(`${'ö'.repeat(33)}@heron.test`, /longer than 64 octets/, {});
    refused(`a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(61)}`, /longer than 254 octets/);
    assert.equal(parseDomain('a'.repeat(64)).ok, false);
  });
});

describe('configuration', () => {
  test('HERON_ADMIN_EMAIL=admin@localhost is valid, and the default admin of a "localhost" host is the same address', () => {
    const explicit = loadConfig({ HERON_HOSTNAME: 'localhost', HERON_ADMIN_EMAIL: 'Admin@LocalHost' });
    assert.equal(explicit.adminEmail, 'admin@localhost');
    assert.equal(loadConfig({ HERON_ADMIN_EMAIL: 'postmaster@mail' }).adminEmail, 'postmaster@mail');
  });

  test('an IDN host name and admin address are stored in A-label form', () => {
    const c = loadConfig({ HERON_HOSTNAME: 'Bücher.example', HERON_ADMIN_EMAIL: 'jörg@bücher.example' });
    assert.equal(c.hostname, 'xn--bcher-kva.example');
    assert.equal(c.adminEmail, 'jörg@xn--bcher-kva.example');
  });

  test('bad addresses stop the start with a message naming the variable and the reason', () => {
    assert.throws(() => loadConfig({ HERON_ADMIN_EMAIL: 'admin@@localhost' }), (err: Error) => err instanceof ConfigError && /HERON_ADMIN_EMAIL: .*local part/.test(err.message));
    assert.throws(() => loadConfig({ HERON_HOSTNAME: 'my_host' }), /HERON_HOSTNAME: .*not a host name/);
    // ACME contacts are mailto: URLs that ACME servers take in ASCII only.
    assert.throws(() => loadConfig({ HERON_ACME_EMAIL: 'jörg@example.com' }), /HERON_ACME_EMAIL: .*non-ASCII/);
  });

  test('Heron starts with HERON_ADMIN_EMAIL=admin@localhost on host "localhost"', async () => {
    const heron = await startTestHeron({ env: { HERON_HOSTNAME: 'localhost', HERON_ADMIN_EMAIL: 'admin@localhost' } });
    try {
      assert.equal(heron.boot.adminEmail, 'admin@localhost');
      assert.equal(heron.boot.postmaster, 'postmaster@localhost');
    } finally {
      await heron.stop();
      removeDir(heron.dataDir);
    }
  });
});
