// IMAP URL parser (RFC 5092) for the forms CATENATE (RFC 4469) and URLAUTH
// (RFC 4467) take: the RFCs' example URLs, and what must be refused.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseImapUrl, UrlError } from '../../imapd/url/imap-url.ts';

describe('IMAP URL parser', () => {
  test("RFC 4469 §4's relative URL: mailbox, UIDVALIDITY, UID, section", () => {
    const u = parseImapUrl('/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER');
    assert.equal(u.server, null);
    assert.equal(u.mailbox, 'Drafts');
    assert.equal(u.uidvalidity, 385759045);
    assert.equal(u.uid, 20);
    assert.deepEqual(u.section?.spec, { path: [], text: 'HEADER', fields: undefined });
    assert.equal(u.partial, null);
    assert.equal(u.urlauth, null);
  });

  test('an absolute URL with a %-encoded user, port, part number and PARTIAL', () => {
    const u = parseImapUrl('imap://joe%40example.com@Mail.Example.com:143/INBOX;UIDVALIDITY=7/;UID=3/;SECTION=1.2/;PARTIAL=10.20');
    assert.deepEqual(u.server, { user: 'joe@example.com', host: 'mail.example.com', port: 143 });
    assert.equal(u.mailbox, 'INBOX');
    assert.deepEqual(u.section?.spec.path, [1, 2]);
    assert.deepEqual(u.partial, { start: 10, length: 20 });
  });

  test('PARTIAL without a length; no UIDVALIDITY; no section', () => {
    const u = parseImapUrl('/INBOX/;UID=9/;PARTIAL=5');
    assert.equal(u.uidvalidity, null);
    assert.equal(u.section, null);
    assert.deepEqual(u.partial, { start: 5, length: null });
  });

  test('hierarchical and UTF-8 mailbox names are decoded (RFC 5092 §3.3)', () => {
    assert.equal(parseImapUrl('/Archive/2024/;UID=1').mailbox, 'Archive/2024');
    assert.equal(parseImapUrl('/B%C3%BCro;UIDVALIDITY=1/;UID=1').mailbox, 'Büro');
  });

  test('HEADER.FIELDS with its %-encoded field list', () => {
    const u = parseImapUrl('/INBOX/;UID=1/;SECTION=HEADER.FIELDS%20(FROM%20TO)');
    assert.deepEqual(u.section?.spec, { path: [], text: 'HEADER.FIELDS', fields: ['FROM', 'TO'] });
  });

  test("RFC 4467 §9's URLAUTH URLs: rump and full, with EXPIRE", () => {
    const rump = parseImapUrl('imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred');
    assert.deepEqual(rump.urlauth, {
      expire: null,
      access: { kind: 'submit', user: 'fred' },
      mechanism: null,
      token: null,
      rump: 'imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred',
    });
    const full = 'imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred:internal:91354a473744909de610943775f92038';
    const u = parseImapUrl(full);
    assert.equal(u.urlauth?.mechanism, 'INTERNAL');
    assert.equal(u.urlauth?.token, '91354a473744909de610943775f92038');
    assert.equal(u.urlauth?.rump, 'imap://joe@example.com/INBOX/;uid=20/;section=1.2;urlauth=submit+fred');
    assert.deepEqual(u.section?.spec.path, [1, 2]);
    const exp = parseImapUrl('imap://joe@example.com/INBOX/;uid=20;expire=2030-01-01T00:00:00Z;urlauth=anonymous');
    assert.equal(exp.urlauth?.expire, Date.UTC(2030, 0, 1));
    assert.deepEqual(exp.urlauth?.access, { kind: 'anonymous' });
    assert.deepEqual(parseImapUrl('imap://joe@h/INBOX/;uid=1;URLAUTH=AuthUser').urlauth?.access, { kind: 'authuser' });
    assert.deepEqual(parseImapUrl('imap://joe@h/INBOX/;uid=1;URLAUTH=user+a%40b.c').urlauth?.access, { kind: 'user', user: 'a@b.c' });
  });

  test('an ;AUTH= login hint is allowed and ignored', () => {
    assert.deepEqual(parseImapUrl('imap://joe;AUTH=*@h/INBOX/;UID=1').server, { user: 'joe', host: 'h', port: null });
  });

  const bad: Array<[string, string]> = [
    ['', 'empty'],
    ['INBOX/;UID=1', 'neither absolute nor absolute-path'],
    ['//host/INBOX/;UID=1', 'network-path reference'],
    ['http://h/INBOX/;UID=1', 'another scheme'],
    ['imap://h/INBOX', 'no UID'],
    ['/;UID=1', 'no mailbox'],
    ['/INBOX/;UID=0', 'UID zero'],
    ['/INBOX/;UID=4294967296', 'UID out of range'],
    ['/INBOX/;UID=abc', 'UID not a number'],
    ['/INBOX;UIDVALIDITY=0/;UID=1', 'UIDVALIDITY zero'],
    ['/INBOX/;UID=1/;SECTION=', 'empty section'],
    ['/INBOX/;UID=1/;SECTION=1.FOO', 'unknown section text'],
    ['/INBOX/;UID=1/;SECTION=0', 'part zero'],
    ['/INBOX/;UID=1/;PARTIAL=1.0', 'PARTIAL length zero'],
    ['/INBOX/;UID=1/;PARTIAL=-1', 'negative PARTIAL'],
    ['/INBOX/;UID=1/;PARTIAL=1/;SECTION=1', 'section after PARTIAL'],
    ['/INBOX/;UID=1/junk', 'trailing path segment'],
    ['/IN BOX/;UID=1', 'a space'],
    ['/IN%ZZBOX/;UID=1', 'bad %-escape'],
    ['/IN%FFBOX/;UID=1', 'not UTF-8'],
    ['/IN%0ABOX/;UID=1', 'control character'],
    ['/INBOX/;UID=1;URLAUTH=nobody', 'unknown access identifier'],
    ['/INBOX/;UID=1;URLAUTH=anonymous:INTERNAL:1234', 'token too short'],
    ['/INBOX/;UID=1;URLAUTH=anonymous:INTERNAL:zz354a473744909de610943775f92038', 'token not hex'],
    ['/INBOX/;UID=1;EXPIRE=tomorrow;URLAUTH=anonymous', 'EXPIRE not RFC 3339'],
    ['/INBOX/;UID=1;EXPIRE=2030-01-01T00:00:00Z', 'EXPIRE without URLAUTH'],
    ['imap://h:99999/INBOX/;UID=1', 'port out of range'],
    ['imap:///INBOX/;UID=1', 'no host'],
    [`/${'a'.repeat(9000)}/;UID=1`, 'too long'],
  ];
  for (const [url, why] of bad) {
    test(`refuses ${why}: ${url.slice(0, 60)}`, () => {
      assert.throws(() => parseImapUrl(url), UrlError);
    });
  }
});
