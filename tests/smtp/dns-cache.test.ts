// The scoring resolver's cache (smtpd/scoring/resolver.ts), against the real
// loopback DNS server: answers and NXDOMAIN are kept for the cache lifetime,
// timeouts and SERVFAIL are not, identical concurrent questions share one
// lookup, and the cache holds a bounded number of names.
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { after, before, describe, test } from 'node:test';
import { cached, createResolver } from '../../smtpd/scoring/resolver.ts';
import { startDns, type TestDns } from './dns.ts';

let server: TestDns;
let lookups: Array<string>;
let lookup: (name: string, rrtype: string) => Promise<string[][] | string[]>;

before(async () => {
  server = await startDns({ 'a.test': ['first'], 'b.test': ['b'], 'c.test': ['c'] });
  const resolver = new dns.promises.Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([server.address]);
  // Counts what reaches the real DNS server.
  lookup = (name, rrtype) => {
    lookups.push(`${rrtype} ${name}`);
    return resolver.resolve(name, rrtype) as Promise<string[][]>;
  };
});
after(() => server.close());

const txt = (answer: string[][] | string[]) => (answer as string[][]).map((strings) => strings.join(''));
const codeOf = async (p: Promise<unknown>) => p.then(() => 'answer', (err: { code?: string }) => err.code ?? 'error');

describe('scoring DNS cache', () => {
  test('an answer is reused within the lifetime and asked again after it', async () => {
    lookups = [];
    server.records.set('a.test', ['first']);
    const resolve = cached(lookup, 100, 100);
    assert.deepEqual(txt(await resolve('a.test', 'TXT')), ['first']);
    server.records.set('a.test', ['second']);
    assert.deepEqual(txt(await resolve('A.TEST', 'TXT')), ['first'], 'names are case-insensitive; the cached answer is served');
    assert.equal(lookups.length, 1);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(txt(await resolve('a.test', 'TXT')), ['second'], 'expired: asked again');
    assert.equal(lookups.length, 2);
  });

  test('identical questions in flight share one lookup', async () => {
    lookups = [];
    const resolve = cached(lookup, 10_000, 100);
    const answers = await Promise.all([resolve('b.test', 'TXT'), resolve('b.test', 'TXT'), resolve('b.test', 'TXT')]);
    assert.deepEqual(answers.map(txt), [['b'], ['b'], ['b']]);
    assert.deepEqual(lookups, ['TXT b.test']);
  });

  test('NXDOMAIN is cached; SERVFAIL and timeouts are asked again', async () => {
    lookups = [];
    const resolve = cached(lookup, 10_000, 100);
    assert.equal(await codeOf(resolve('new.test', 'TXT')), 'ENOTFOUND');
    server.records.set('new.test', ['now exists']);
    assert.equal(await codeOf(resolve('new.test', 'TXT')), 'ENOTFOUND', 'a negative answer is an answer (RFC 2308)');

    server.records.set('flaky.test', 'SERVFAIL');
    assert.equal(await codeOf(resolve('flaky.test', 'TXT')), 'ESERVFAIL');
    server.records.set('flaky.test', ['recovered']);
    assert.deepEqual(txt(await resolve('flaky.test', 'TXT')), ['recovered']);

    server.records.set('slow.test', 'SILENT');
    assert.equal(await codeOf(resolve('slow.test', 'TXT')), 'ETIMEOUT');
    server.records.set('slow.test', ['answered']);
    assert.deepEqual(txt(await resolve('slow.test', 'TXT')), ['answered']);
    assert.equal(lookups.length, 5);
  });

  test('the cache holds at most maxEntries names, dropping the oldest', async () => {
    lookups = [];
    server.records.set('a.test', ['first']);
    const resolve = cached(lookup, 10_000, 2);
    await resolve('a.test', 'TXT');
    await resolve('b.test', 'TXT');
    await resolve('c.test', 'TXT');
    server.records.set('a.test', ['changed']);
    assert.deepEqual(txt(await resolve('a.test', 'TXT')), ['changed'], 'a.test was evicted, so it is asked again');
    await resolve('c.test', 'TXT');
    assert.deepEqual(lookups, ['TXT a.test', 'TXT b.test', 'TXT c.test', 'TXT a.test']);
  });

  test('createResolver answers a repeated question from its cache', async () => {
    server.records.set('repeat.test', ['v=spf1 -all']);
    const resolve = createResolver(server.address, 1000);
    assert.deepEqual(txt(await resolve('repeat.test', 'TXT')), ['v=spf1 -all']);
    server.records.set('repeat.test', ['v=spf1 +all']);
    assert.deepEqual(txt(await resolve('repeat.test', 'TXT')), ['v=spf1 -all']);
  });
});
