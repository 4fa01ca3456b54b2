// The zone actions through the API, and the check action resolving through
// HERON_DNS against a loopback DNS server: present, missing, different, error.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { rdata, txtStrings, type DnsRecord } from '../../certs/dns/zone.ts';
import { createMailServer, listDkimKeys } from '../../schema/index.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';
import { call, signIn } from './api.ts';
import { startTestDns, type TestDns, type TestRecord } from './dns-server.ts';

let heron: Awaited<ReturnType<typeof startTestHeron>>;
let dns: TestDns;
let base: string;
let token: string;

before(async () => {
  dns = await startTestDns();
  heron = await startTestHeron({ env: { HERON_DNS: dns.server } });
  base = `http://127.0.0.1:${heron.ports.api}`;
  token = await signIn(base);
});

after(async () => {
  await heron?.stop();
  await dns?.close();
  if (heron) removeDir(heron.dataDir);
});

/** What an operator would publish for a zone record. */
function published(r: DnsRecord): TestRecord {
  switch (r.type) {
    case 'MX':
      return { name: r.name, type: 'MX', exchange: r.exchange, priority: r.priority };
    case 'TXT':
      return { name: r.name, type: 'TXT', data: txtStrings(r.text) };
    case 'SRV':
      return { name: r.name, type: 'SRV', priority: r.priority, weight: r.weight, port: r.port, target: r.target };
    case 'CNAME':
      return { name: r.name, type: 'CNAME', domain: r.target };
    case 'CAA':
      return { name: r.name, type: 'CAA', flags: r.flags, tag: r.tag, value: r.value };
  }
}

async function zone(): Promise<{ records: DnsRecord[]; text: string }> {
  const reply = await call(base, 'POST', '/action/mail_server/dns_records', { token, body: { attributes: { domain: TEST_HOSTNAME } } });
  assert.equal(reply.status, 200, reply.text);
  return reply.json.data[0].attributes;
}

test('dns_records returns the records as data and text', async () => {
  const { records, text } = await zone();
  assert.equal((await listDkimKeys(heron.store, TEST_HOSTNAME)).length, 1, 'the key made at first start');
  assert.ok(records.some((r) => r.name === `d1._domainkey.${TEST_HOSTNAME}` && r.type === 'TXT'));
  for (const r of records) assert.ok(text.includes(`${r.name}. 3600 IN ${r.type} ${rdata(r)}`), `${r.name} ${r.type} in text`);
  assert.deepEqual((await zone()).records, records, 'a second call is stable');
});

test('dns_records without a domain covers every hosted domain, creating the DKIM key a new one needs', async () => {
  await createMailServer(heron.store, { hostname: 'second.test' });
  assert.equal((await listDkimKeys(heron.store, 'second.test')).length, 0);
  const all = await call(base, 'POST', '/action/mail_server/dns_records', { token });
  assert.equal(all.status, 200, all.text);
  assert.deepEqual(all.json.data.map((z: { id: string }) => z.id), [TEST_HOSTNAME, 'second.test']);
  assert.equal(all.json.meta.text, all.json.data.map((z: { attributes: { text: string } }) => z.attributes.text).join('\n'));
  const [key] = await listDkimKeys(heron.store, 'second.test');
  assert.equal(key.selector, 'd1');
  assert.match(all.json.data[1].attributes.text, /\nd1\._domainkey\.second\.test\. 3600 IN TXT "v=DKIM1; k=rsa; /);
  assert.match(all.json.data[1].attributes.text, /\nsecond\.test\. 3600 IN MX 10 heron\.test\.\n/);
});

test('check_dns reports present, missing and different records through HERON_DNS', async () => {
  const { records } = await zone();
  dns.records.length = 0;
  for (const r of records) {
    if (r.type === 'TXT' && r.text.startsWith('v=DMARC1')) continue; // not published → missing
    if (r.type === 'TXT' && r.text.startsWith('v=spf1')) {
      dns.records.push({ name: r.name, type: 'TXT', data: ['v=spf1 include:elsewhere.example ~all'] }); // → different
      dns.records.push({ name: r.name, type: 'TXT', data: ['google-site-verification=abc'] }); // unrelated, ignored
      continue;
    }
    if (r.type === 'SRV' && r.name.startsWith('_imaps.')) {
      dns.records.push({ name: r.name, type: 'SRV', priority: 0, weight: 1, port: 9993, target: r.target }); // → different
      continue;
    }
    dns.records.push(published(r));
  }
  const reply = await call(base, 'POST', '/action/mail_server/check_dns', { token, body: { attributes: { domain: TEST_HOSTNAME } } });
  assert.equal(reply.status, 200, reply.text);
  const { summary, results } = reply.json.data[0].attributes;
  const status = (pred: (r: { name: string; type: string; expected: string }) => boolean) =>
    results.find(pred)?.status;
  assert.equal(status((r) => r.name === `_dmarc.${TEST_HOSTNAME}`), 'missing');
  assert.equal(status((r) => r.type === 'TXT' && r.expected.includes('v=spf1')), 'different');
  const spf = results.find((r: { expected: string }) => r.expected.includes('v=spf1'));
  assert.deepEqual(spf.found, ['v=spf1 include:elsewhere.example ~all']);
  assert.equal(status((r) => r.name.startsWith('_imaps.')), 'different');
  assert.equal(status((r) => r.name.startsWith('d1._domainkey.')), 'present', 'split DKIM record joins back');
  assert.equal(status((r) => r.type === 'MX'), 'present');
  assert.equal(status((r) => r.type === 'CAA'), 'present');
  assert.equal(status((r) => r.type === 'CNAME'), 'present');
  assert.equal(status((r) => r.name.startsWith('_submission.')), 'present');
  assert.deepEqual(summary, { present: records.length - 3, missing: 1, different: 2, error: 0 });
});

test('check_dns reports resolver failures as error and stays up', async () => {
  dns.options.servfail = true;
  try {
    const reply = await call(base, 'POST', '/action/mail_server/check_dns', { token, body: { attributes: { domain: TEST_HOSTNAME } } });
    assert.equal(reply.status, 200, reply.text);
    const { summary } = reply.json.data[0].attributes;
    assert.equal(summary.error, reply.json.data[0].attributes.results.length);
  } finally {
    dns.options.servfail = false;
  }
  assert.equal((await call(base, 'GET', '/health')).status, 200);
});

test('zone actions: admin only, hosted domains only, validated input', async () => {
  assert.equal((await call(base, 'POST', '/action/mail_server/dns_records')).status, 401);
  const unhosted = await call(base, 'POST', '/action/mail_server/check_dns', { token, body: { attributes: { domain: 'example.org' } } });
  assert.equal(unhosted.status, 404);
  const bad = await call(base, 'POST', '/action/mail_server/dns_records', { token, body: { attributes: { domain: 'bad domain' } } });
  assert.equal(bad.status, 400);
  const notJson = await call(base, 'POST', '/action/mail_server/dns_records', { token, raw: 'nope', headers: { 'content-type': 'application/json' } });
  assert.equal(notJson.status, 400);
});
