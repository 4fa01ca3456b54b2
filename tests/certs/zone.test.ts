// The DNS zone text for a hosted domain, compared with a golden file, plus the
// rules the text must keep (255-byte TXT strings, one SPF record per name).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { buildZone, caaIssuerFor, mtaStsPolicy, rdata, txtStrings, type ZoneSettings, zoneText } from '../../certs/dns/zone.ts';

const golden = (name: string) => path.join(import.meta.dirname, 'golden', name);
const rsaKey = { selector: 'd1', algorithm: 'rsa' as const, public_key_pem: fs.readFileSync(golden('dkim-rsa.pub.pem'), 'utf8'), is_active: false };
const edKey = { selector: 'd2', algorithm: 'ed25519' as const, public_key_pem: fs.readFileSync(golden('dkim-ed25519.pub.pem'), 'utf8'), is_active: true };
const settings: ZoneSettings = {
  mailHost: 'mail.example.com',
  ports: { submission: 587, submissions: 465, imap: 143, imaps: 993 },
  caaIssuer: 'letsencrypt.org',
  mtaStsMode: 'enforce',
};

test('zone for example.com matches the golden file', () => {
  const text = zoneText('example.com', settings, buildZone('example.com', settings, [rsaKey, edKey]));
  // To accept a deliberate change: UPDATE_GOLDEN=1 node --import tsx --test tests/certs/zone.test.ts
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(golden('example.com.zone'), text);
  assert.equal(text, fs.readFileSync(golden('example.com.zone'), 'utf8'));
});

test('every record has a one-line comment above it and a fully qualified owner', () => {
  const lines = zoneText('example.com', settings, buildZone('example.com', settings, [rsaKey])).trimEnd().split('\n');
  const records = lines.filter((l) => !l.startsWith(';'));
  assert.equal(records.length, buildZone('example.com', settings, [rsaKey]).length);
  for (const [i, line] of lines.entries()) {
    if (line.startsWith(';')) continue;
    assert.match(lines[i - 1], /^; \S/, `comment above ${line}`);
    assert.match(line, /^[a-z0-9_.-]+\. 3600 IN (MX|TXT|SRV|CNAME|CAA) /);
  }
});

test('TXT values are split into strings of at most 255 bytes that join back to the value', () => {
  const long = 'v=DKIM1; k=rsa; p=' + 'A'.repeat(700);
  const parts = txtStrings(long);
  assert.equal(parts.join(''), long);
  assert.ok(parts.every((p) => Buffer.byteLength(p) <= 255));
  assert.deepEqual(parts.map((p) => p.length), [255, 255, 208]);
  const record = buildZone('example.com', settings, [rsaKey]).find((r) => r.name === 'd1._domainkey.example.com')!;
  assert.match(rdata(record), /^"[^"]{255}" "[^"]+"$/);
  assert.deepEqual(txtStrings(''), ['']);
  assert.equal(rdata({ type: 'TXT', text: 'say "hi" \\ bye' }), '"say \\"hi\\" \\\\ bye"');
});

test('when the domain is the mail host, its SPF is one merged record; a host outside the domain gets its own CAA', () => {
  const same = buildZone('mail.example.com', settings, []);
  const spf = same.filter((r) => r.type === 'TXT' && r.text.startsWith('v=spf1'));
  assert.deepEqual(spf.map((r) => [r.name, r.type === 'TXT' && r.text]), [['mail.example.com', 'v=spf1 a mx -all']]);
  const other = buildZone('example.org', settings, []);
  assert.deepEqual(
    other.filter((r) => r.type === 'CAA').map((r) => r.name),
    ['example.org', 'mail.example.com'],
  );
  assert.equal(buildZone('example.com', settings, []).filter((r) => r.type === 'CAA').length, 1);
  assert.equal(buildZone('example.com', { ...settings, mtaStsMode: 'none' }, []).some((r) => r.name.includes('mta-sts')), false);
});

test('CAA issuer from the ACME directory; MTA-STS policy text', () => {
  assert.equal(caaIssuerFor('https://acme-v02.api.letsencrypt.org/directory'), 'letsencrypt.org');
  assert.equal(caaIssuerFor('https://acme-staging-v02.api.letsencrypt.org/directory'), 'letsencrypt.org');
  assert.equal(caaIssuerFor('https://acme.zerossl.com/v2/DV90'), 'sectigo.com');
  assert.equal(caaIssuerFor('https://dv.acme-v02.api.pki.goog/directory'), 'pki.goog');
  assert.equal(caaIssuerFor('https://ca.internal.example.net/acme/directory'), 'example.net');
  assert.equal(mtaStsPolicy('mail.example.com', 'enforce'), 'version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 86400\r\n');
});
