// URLAUTH (RFC 4467): GENURLAUTH signs a rump URL with the mailbox's access
// key, URLFETCH returns what a verified URL names (NIL for anything else),
// RESETKEY revokes; CATENATE takes URLAUTH-authorized URLs to other users'
// messages (RFC 4469 §3). Edge cases: a key reset invalidates old URLs, an
// expired URL fails, a URL whose access identifier does not admit the session
// fetches as NIL, and keys are stored sealed with the server secret.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_HOSTNAME } from '../helpers/heron.ts';
import { DEADLINE, message, untagged, untaggedOk, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

/** The RFC's message 20, section 1.2 is "Si vis pacem, para bellum.\r\n". */
function rfcMessage(): string {
  const b = 'b1';
  const inner = 'c1';
  return [
    'From: Joe <joe@example.com>',
    'Subject: Latin',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    `Content-Type: multipart/alternative; boundary="${inner}"`,
    '',
    `--${inner}`,
    'Content-Type: text/plain',
    '',
    'If you want peace,',
    `--${inner}`,
    'Content-Type: text/plain',
    '',
    'Si vis pacem, para bellum.',
    '',
    `--${inner}--`,
    `--${b}--`,
    '',
  ].join('\r\n');
}

const enc = (user: string): string => encodeURIComponent(user);
const urlOf = (user: string, rest: string): string => `imap://${enc(user)}@${TEST_HOSTNAME}/${rest}`;

/** GENURLAUTH for one rump URL; returns the authorized URL. */
async function genurlauth(c: RawClient, rump: string): Promise<string> {
  const lines = await untaggedOk(c, `GENURLAUTH "${rump}" INTERNAL`, 'g');
  assert.equal(lines.length, 1, lines.join('\n'));
  const m = /^\* GENURLAUTH "([^"]+)"$/.exec(lines[0]);
  assert.ok(m, lines[0]);
  return m[1];
}

/** URLFETCH of several URLs: for each, its data or null (NIL), in order, one response each. */
async function urlfetch(c: RawClient, urls: string[]): Promise<Array<string | null>> {
  const r = await c.command('u', `URLFETCH ${urls.map((u) => `"${u}"`).join(' ')}`);
  assert.match(r, /^u OK /m, r);
  let rest = r;
  const out: Array<string | null> = [];
  for (const url of urls) {
    const head = `* URLFETCH "${url}" `;
    assert.ok(rest.startsWith(head), `expected ${head} in ${rest.slice(0, 200)}`);
    rest = rest.slice(head.length);
    if (rest.startsWith('NIL\r\n')) {
      out.push(null);
      rest = rest.slice(5);
      continue;
    }
    const m = /^\{(\d+)\}\r\n/.exec(rest);
    assert.ok(m, rest.slice(0, 100));
    out.push(rest.slice(m[0].length, m[0].length + Number(m[1])));
    rest = rest.slice(m[0].length + Number(m[1]));
    assert.ok(rest.startsWith('\r\n'), 'the response ends after the literal');
    rest = rest.slice(2);
  }
  assert.match(rest, /^u OK /, 'nothing else before the tagged OK');
  return out;
}

describe('URLAUTH', () => {
  test('is advertised', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    assert.match(await c.command('c', 'CAPABILITY'), /^\* CAPABILITY .* URLAUTH[ \r]/m);
  });

  test('RFC 4467 §7 GENURLAUTH examples: no access identifier or no owner is BAD; a good rump URL is signed', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(id, 'INBOX', rfcMessage());
    const c = await imap().login(user);
    const noAccess = await c.command('a775', `GENURLAUTH "${urlOf(user, 'INBOX/;uid=1/;section=1.2')}" INTERNAL`);
    assert.match(noAccess, /^a775 BAD /m);
    assert.deepEqual(untagged(noAccess), []);
    assert.match(await c.command('a776', `GENURLAUTH "imap://${TEST_HOSTNAME}/INBOX/;uid=1/;section=1.2;urlauth=submit+fred" INTERNAL`), /^a776 BAD /m);
    const rump = urlOf(user, 'INBOX/;uid=1/;section=1.2;urlauth=submit+fred');
    const r = await c.command('a777', `GENURLAUTH "${rump}" INTERNAL`);
    const m = /^\* GENURLAUTH "(.*):INTERNAL:([0-9a-f]+)"\r\na777 OK /m.exec(r);
    assert.ok(m, r);
    assert.equal(m[1], rump, 'the rump URL comes back exactly as sent');
    assert.equal(m[2].length, 42, 'a version and an HMAC-SHA1: at least 128 bits (RFC 4467 §2.5)');
    // Deterministic: the same rump URL and key give the same token.
    assert.equal(await genurlauth(c, rump), `${rump}:INTERNAL:${m[2]}`);
    // Several pairs in one command, one response.
    const two = await untaggedOk(c, `GENURLAUTH "${rump}" INTERNAL "${urlOf(user, 'INBOX/;uid=1;urlauth=anonymous')}" internal`, 'g2');
    assert.equal(two.length, 1);
    assert.match(two[0], /^\* GENURLAUTH "[^"]+:INTERNAL:[0-9a-f]{42}" "[^"]+;urlauth=anonymous:INTERNAL:[0-9a-f]{42}"$/);
  });

  test('GENURLAUTH refuses what it cannot sign, with BAD', DEADLINE, async () => {
    const other = await imap().account();
    const { user } = await imap().account();
    const c = await imap().login(user);
    for (const url of [
      urlOf(other.user, 'INBOX/;uid=1;urlauth=anonymous'), // another user's key table
      urlOf(user, 'Nowhere/;uid=1;urlauth=anonymous'), // no such mailbox
      `imap://${enc(user)}@elsewhere.example/INBOX/;uid=1;urlauth=anonymous`, // another server
      `/INBOX/;uid=1;urlauth=anonymous`, // not absolute
      `${urlOf(user, 'INBOX/;uid=1;urlauth=anonymous')}:INTERNAL:${'0'.repeat(42)}`, // already authorized
      urlOf(user, 'INBOX;urlauth=anonymous'), // a whole mailbox (§3: only messages and parts)
    ]) {
      const r = await c.command('b', `GENURLAUTH "${url}" INTERNAL`);
      assert.match(r, /^b BAD /m, url);
      assert.deepEqual(untagged(r), [], url);
    }
    assert.match(await c.command('m', `GENURLAUTH "${urlOf(user, 'INBOX/;uid=1;urlauth=anonymous')}" XSAMPLE`), /^m BAD /m);
    assert.match(await c.command('n', `GENURLAUTH "${urlOf(user, 'INBOX/;uid=1;urlauth=anonymous')}"`), /^n BAD /m);
  });

  test("RFC 4467 §7 URLFETCH: another user's session fetches the part; access identifiers decide who may", DEADLINE, async () => {
    const joe = await imap().account();
    const fred = await imap().account();
    const eve = await imap().account();
    await imap().deliver(joe.id, 'INBOX', rfcMessage());
    const cj = await imap().login(joe.user);
    const forFred = await genurlauth(cj, urlOf(joe.user, `INBOX/;uid=1/;section=1.2;urlauth=user+${enc(fred.user)}`));
    const anyone = await genurlauth(cj, urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;urlauth=anonymous'));
    const authuser = await genurlauth(cj, urlOf(joe.user, 'INBOX/;uid=1/;section=HEADER.FIELDS%20(Subject);urlauth=authuser'));
    const submit = await genurlauth(cj, urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;urlauth=submit+fred'));
    const cf = await imap().login(fred.user);
    assert.deepEqual(await urlfetch(cf, [forFred, anyone, authuser, submit]), [
      'Si vis pacem, para bellum.\r\n',
      'Si vis pacem, para bellum.\r\n',
      'Subject: Latin\r\n\r\n',
      null, // submit+: no session here is a submission entity
    ]);
    // Eve is not fred: user+fred gives her NIL, the others still work.
    const ce = await imap().login(eve.user);
    assert.deepEqual(await urlfetch(ce, [forFred, anyone]), [null, 'Si vis pacem, para bellum.\r\n']);
    // URLFETCH neither needs nor disturbs a selected mailbox, and sets no \Seen.
    await untaggedOk(cj, 'SELECT INBOX', 's');
    assert.match(await cj.command('f', 'FETCH 1 (FLAGS)'), /FLAGS \(\\Recent\)\)/);
  });

  test('URLs that do not verify fetch as NIL, beside good ones, and the command is OK', DEADLINE, async () => {
    const joe = await imap().account();
    await imap().deliver(joe.id, 'INBOX', rfcMessage());
    const c = await imap().login(joe.user);
    const good = await genurlauth(c, urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;urlauth=anonymous'));
    const tokenAt = good.lastIndexOf(':') + 1;
    const flipped = good.slice(0, tokenAt) + (good[tokenAt + 5] === 'a' ? 'b' : 'a');
    const bad = [
      good.slice(0, tokenAt) + good.slice(tokenAt, tokenAt + 5) + (good[tokenAt + 5] === 'a' ? 'b' : 'a') + good.slice(tokenAt + 6), // token changed
      flipped, // token cut short
      good.replace(';section=1.2', ';section=1.1'), // another part, same token
      good.replace(';urlauth=anonymous', ';urlauth=authuser'), // another access identifier, same token
      good.replace(':INTERNAL:', ':XSAMPLE:'), // unknown mechanism
      urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;urlauth=anonymous'), // a rump URL: no authorization
      urlOf(joe.user, 'INBOX/;uid=1/;section=1.2'), // no URLAUTH at all
      good.replace('INBOX', 'Nowhere'), // no such mailbox
      good.replace(`${TEST_HOSTNAME}/`, 'elsewhere.example/'), // another server
      'not a URL',
    ];
    const got = await urlfetch(c, [good, ...bad]);
    assert.equal(got[0], 'Si vis pacem, para bellum.\r\n');
    assert.deepEqual(got.slice(1), bad.map(() => null));
    // A verified URL whose message is gone: NIL too.
    const gone = await genurlauth(c, urlOf(joe.user, 'INBOX/;uid=9;urlauth=anonymous'));
    assert.deepEqual(await urlfetch(c, [gone]), [null]);
  });

  test('EXPIRE: a URL past its time fetches as NIL; before it, the data', DEADLINE, async () => {
    const joe = await imap().account();
    await imap().deliver(joe.id, 'INBOX', rfcMessage());
    const c = await imap().login(joe.user);
    const past = await genurlauth(c, urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;expire=2001-01-01T00:00:00Z;urlauth=anonymous'));
    const future = await genurlauth(c, urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;expire=2999-01-01T00:00:00+02:00;urlauth=anonymous'));
    assert.deepEqual(await urlfetch(c, [past, future]), [null, 'Si vis pacem, para bellum.\r\n']);
    // The expiry is signed: moving it later breaks the token.
    assert.deepEqual(await urlfetch(c, [past.replace('2001-01-01', '2999-01-01')]), [null]);
  });

  test('RESETKEY: a mailbox key reset revokes its URLs only; RESETKEY alone revokes all', DEADLINE, async () => {
    const joe = await imap().account();
    await imap().deliver(joe.id, 'INBOX', rfcMessage());
    await imap().deliver(joe.id, 'Drafts', message('draft'));
    const c = await imap().login(joe.user);
    const inbox = await genurlauth(c, urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;urlauth=anonymous'));
    const drafts = await genurlauth(c, urlOf(joe.user, 'Drafts/;uid=1/;section=HEADER.FIELDS%20(Subject);urlauth=anonymous'));
    assert.deepEqual(await urlfetch(c, [inbox, drafts]), ['Si vis pacem, para bellum.\r\n', 'Subject: draft\r\n\r\n']);
    // RFC 4467 §7's example: a32 RESETKEY INBOX → OK [URLMECH INTERNAL].
    assert.match(await c.command('a32', 'RESETKEY INBOX'), /^a32 OK \[URLMECH INTERNAL\] /m);
    assert.deepEqual(await urlfetch(c, [inbox, drafts]), [null, 'Subject: draft\r\n\r\n']);
    const inboxAgain = await genurlauth(c, urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;urlauth=anonymous'));
    assert.notEqual(inboxAgain, inbox, 'a new key, a new token');
    assert.match(await c.command('a33', 'RESETKEY INBOX INTERNAL'), /^a33 OK \[URLMECH INTERNAL\] /m);
    assert.deepEqual(await urlfetch(c, [inboxAgain]), [null]);
    const third = await genurlauth(c, urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;urlauth=anonymous'));
    assert.match(await c.command('a31', 'RESETKEY'), /^a31 OK /m);
    assert.deepEqual(await urlfetch(c, [third, drafts]), [null, null]);
    // GENURLAUTH makes a new key when there is none.
    assert.equal((await urlfetch(c, [await genurlauth(c, urlOf(joe.user, 'INBOX/;uid=1/;section=1.2;urlauth=anonymous'))]))[0], 'Si vis pacem, para bellum.\r\n');
    assert.match(await c.command('x', 'RESETKEY Nowhere'), /^x NO \[NONEXISTENT\] /m);
    assert.match(await c.command('y', 'RESETKEY INBOX XSAMPLE'), /^y BAD /m);
  });

  test('keys are stored sealed with the server secret, one per mailbox', DEADLINE, async () => {
    const joe = await imap().account();
    await imap().deliver(joe.id, 'INBOX', rfcMessage());
    const c = await imap().login(joe.user);
    const url = await genurlauth(c, urlOf(joe.user, 'INBOX/;uid=1;urlauth=anonymous'));
    const rows = await imap().heron.store.all<{ sealed: string }>(`SELECT sealed_key AS sealed FROM mail_box_access_key WHERE mail_account_id = ?`, joe.id);
    assert.equal(rows.length, 1);
    assert.match(rows[0].sealed, /^enc:v1:/);
    assert.ok(!url.includes(rows[0].sealed.slice(7, 20)));
  });

  test('CATENATE takes a URLAUTH-authorized URL to another user\'s message; a bad one is [BADURL]', DEADLINE, async () => {
    const joe = await imap().account();
    const fred = await imap().account();
    await imap().deliver(joe.id, 'INBOX', rfcMessage());
    const cj = await imap().login(joe.user);
    const forFred = await genurlauth(cj, urlOf(joe.user, `INBOX/;uid=1/;section=1.2;urlauth=user+${enc(fred.user)}`));
    const cf = await imap().login(fred.user);
    const text = 'Subject: forwarded\r\n\r\n';
    const r = await cf.command('a', `APPEND Drafts CATENATE (TEXT {${text.length}+}\r\n${text} URL "${forFred}")`);
    assert.match(r, /^a OK \[APPENDUID \d+ 1\]/m);
    await untaggedOk(cf, 'EXAMINE Drafts', 'e');
    assert.ok((await cf.command('f', 'FETCH 1 BODY.PEEK[]')).includes(`${text}Si vis pacem, para bellum.\r\n`));
    // Without the authorization, or with a broken one: [BADURL], nothing stored.
    const plain = urlOf(joe.user, 'INBOX/;uid=1/;section=1.2');
    const broken = forFred.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    for (const url of [plain, broken]) {
      assert.match(await cf.command('b', `APPEND Drafts CATENATE (URL "${url}")`), new RegExp(`^b NO \\[BADURL ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\] `, 'm'));
    }
    assert.match(await cf.command('s', 'STATUS Drafts (MESSAGES)'), /MESSAGES 1\)/);
  });

  test('malformed commands are BAD', DEADLINE, async () => {
    const { user } = await imap().account();
    const c = await imap().login(user);
    const many = (n: number, item: string) => Array.from({ length: n }, () => item).join(' ');
    const url = `"${urlOf(user, 'INBOX/;uid=1;urlauth=anonymous')}"`;
    // At most 64 URLs (or URL/mechanism pairs) in one command.
    assert.match(await c.command('m', `URLFETCH ${many(64, url)}`), /^m OK /m);
    for (const command of ['URLFETCH', 'GENURLAUTH', 'URLFETCH (("a"))', 'RESETKEY INBOX "INTERNAL"', `URLFETCH ${many(65, url)}`, `GENURLAUTH ${many(65, `${url} INTERNAL`)}`]) {
      assert.match(await c.command('b', command), /^b BAD /m, command.slice(0, 80));
    }
  });
});
