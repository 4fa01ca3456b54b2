// Client self-configuration served on the API port: Thunderbird autoconfig,
// Outlook autodiscover, and the MTA-STS policy, with their error paths.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { autodiscoverRequestAddress, outlookAutodiscover, parseAddress, thunderbirdConfig } from '../../certs/autoconfig.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';
import { call } from './api.ts';

let heron: Awaited<ReturnType<typeof startTestHeron>>;
let base: string;

before(async () => {
  heron = await startTestHeron({ env: { HERON_MTA_STS_MODE: 'enforce' } });
  base = `http://127.0.0.1:${heron.ports.api}`;
});

after(async () => {
  await heron?.stop();
  if (heron) removeDir(heron.dataDir);
});

const real = { mailHost: 'mail.example.com', ports: { submission: 587, submissions: 465, imap: 143, imaps: 993 } };

/** The (type, port, socketType) of each server in a config-v1.1.xml. */
function servers(xml: string): [string, string, string][] {
  return [...xml.matchAll(/<(?:incoming|outgoing)Server type="(\w+)">\s*<hostname>[^<]+<\/hostname>\s*<port>(\d+)<\/port>\s*<socketType>(\w+)<\/socketType>/g)].map(
    (m) => [m[1], m[2], m[3]],
  );
}

test('Thunderbird config lists IMAP and SMTP with implicit TLS first, then STARTTLS', () => {
  const xml = thunderbirdConfig('example.com', real);
  assert.deepEqual(servers(xml), [
    ['imap', '993', 'SSL'],
    ['imap', '143', 'STARTTLS'],
    ['smtp', '465', 'SSL'],
    ['smtp', '587', 'STARTTLS'],
  ]);
  assert.equal((xml.match(/<hostname>mail\.example\.com<\/hostname>/g) ?? []).length, 4);
  assert.equal((xml.match(/<username>%EMAILADDRESS%<\/username>/g) ?? []).length, 4);
  assert.match(xml, /<domain>example\.com<\/domain>/);
});

test('Outlook autodiscover answers with IMAP and SMTP over TLS for the address asked', () => {
  const xml = outlookAutodiscover('a&b@example.com', real);
  assert.match(xml, /<Type>IMAP<\/Type>\s*<Server>mail\.example\.com<\/Server>\s*<Port>993<\/Port>\s*<LoginName>a&amp;b@example\.com<\/LoginName>/);
  assert.match(xml, /<Type>SMTP<\/Type>\s*<Server>mail\.example\.com<\/Server>\s*<Port>465<\/Port>/);
  assert.equal(autodiscoverRequestAddress('<Request><EMailAddress> u@example.com </EMailAddress></Request>'), 'u@example.com');
  assert.equal(parseAddress('no-at-sign'), undefined);
  assert.equal(parseAddress('u@-bad-.com'), undefined);
  assert.deepEqual(parseAddress('U@Example.COM'), { address: 'U@example.com', domain: 'example.com' });
});

test('GET autoconfig at both paths describes the configured ports', async () => {
  for (const path of ['/.well-known/autoconfig/mail/config-v1.1.xml', '/mail/config-v1.1.xml']) {
    const reply = await call(base, 'GET', `${path}?emailaddress=postmaster%40${TEST_HOSTNAME}`);
    assert.equal(reply.status, 200, path);
    assert.match(reply.type, /xml/);
    const { imaps, imap, submissions, submission } = heron.config.ports;
    assert.deepEqual(servers(reply.text), [
      ['imap', String(imaps), 'SSL'],
      ['imap', String(imap), 'STARTTLS'],
      ['smtp', String(submissions), 'SSL'],
      ['smtp', String(submission), 'STARTTLS'],
    ]);
    assert.match(reply.text, new RegExp(`<hostname>${TEST_HOSTNAME}</hostname>`));
  }
  const byHost = await call(base, 'GET', '/mail/config-v1.1.xml', { headers: { host: `autoconfig.${TEST_HOSTNAME}` } });
  assert.equal(byHost.status, 200);
  assert.match(byHost.text, new RegExp(`<domain>${TEST_HOSTNAME}</domain>`));
  assert.equal((await call(base, 'GET', '/mail/config-v1.1.xml?emailaddress=u%40elsewhere.example')).status, 404);
  assert.equal((await call(base, 'GET', '/mail/config-v1.1.xml?emailaddress=%3Cscript%3E')).status, 400);
});

test('POST autodiscover answers hosted addresses and rejects the rest', async () => {
  const request = (address: string) =>
    `<?xml version="1.0"?><Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"><Request><EMailAddress>${address}</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>`;
  const ok = await call(base, 'POST', '/autodiscover/autodiscover.xml', { raw: request(`postmaster@${TEST_HOSTNAME}`), headers: { 'content-type': 'text/xml' } });
  assert.equal(ok.status, 200, ok.text);
  assert.match(ok.text, new RegExp(`<Port>${heron.config.ports.imaps}</Port>`));
  assert.match(ok.text, new RegExp(`<LoginName>postmaster@${TEST_HOSTNAME}</LoginName>`));
  const capitalised = await call(base, 'POST', '/Autodiscover/Autodiscover.xml', { raw: request(`postmaster@${TEST_HOSTNAME}`) });
  assert.equal(capitalised.status, 200);
  assert.equal((await call(base, 'POST', '/autodiscover/autodiscover.xml', { raw: request('someone@elsewhere.example') })).status, 404);
  assert.equal((await call(base, 'POST', '/autodiscover/autodiscover.xml', { raw: '<Autodiscover/>' })).status, 400);
  assert.equal((await call(base, 'POST', '/autodiscover/autodiscover.xml', { raw: 'x'.repeat(20_000) })).status, 413);
});

test('the MTA-STS policy is served as text', async () => {
  const reply = await call(base, 'GET', '/.well-known/mta-sts.txt');
  assert.equal(reply.status, 200);
  assert.match(reply.type, /^text\/plain/);
  assert.equal(reply.text, `version: STSv1\r\nmode: enforce\r\nmx: ${TEST_HOSTNAME}\r\nmax_age: 86400\r\n`);
});
