// SEARCH (RFC 3501 §6.4.4) keys answered from the ENVELOPE: SENTBEFORE /
// SENTON / SENTSINCE take the day Date: names in its own time zone, and
// FROM / TO / CC / BCC look in the parsed addresses.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addressTexts, mayMatchAddress, sentDay } from '../../imapd/search/envelope-keys.ts';
import { decodeWords } from '../../schema/index.ts';
import { parseAddressList } from '../../schema/mime/envelope.ts';
import { DEADLINE, untagged, useImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

const imap = useImap();

const mail = (headers: string, body = 'text') => `${headers}Subject: s\r\nMessage-ID: <${Math.random()}@x>\r\n\r\n${body}\r\n`;

/** A non-synchronising literal of a string's UTF-8 bytes, as the raw client writes them (latin1). */
const utf8Literal = (text: string) => {
  const bytes = Buffer.from(text, 'utf8');
  return `{${bytes.length}+}\r\n${bytes.toString('latin1')}`;
};

/** Runs each SEARCH and checks the sequence numbers it answers ("" for none). */
async function expectSearches(c: RawClient, cases: Array<[criteria: string, expected: string]>): Promise<void> {
  for (const [criteria, expected] of cases) {
    const r = await c.command('q', `SEARCH ${criteria}`);
    assert.match(r, /q OK/, criteria);
    assert.equal(untagged(r)[0], `* SEARCH${expected ? ' ' + expected : ''}`, criteria);
  }
}

describe('SENTBEFORE / SENTON / SENTSINCE', () => {
  // Dates near midnight: the written day differs from the UTC day in most.
  const DATES: Array<string | null> = [
    'Tue, 8 Feb 1994 00:30:00 +1400', // 1: written 8 Feb, UTC 7 Feb 10:30
    'Mon, 7 Feb 1994 23:30:00 -1200', // 2: written 7 Feb, UTC 8 Feb 11:30
    'Tue, 8 Feb 1994 04:00:00 +0530', // 3: written 8 Feb, UTC 7 Feb 22:30
    'Mon, 7 Feb 1994 20:00:00 -0530', // 4: written 7 Feb, UTC 8 Feb 01:30
    'Tue, 8 Feb 1994 00:00:00 +0000', // 5: 8 Feb either way
    '7 Feb 94 23:10 PST', //             6: obsolete form; written 7 Feb, UTC 8 Feb 07:10
    null, //                             7: no Date:
    'not a date', //                     8: invalid
    'Tue, 8 Feb 1994 00:00:00 +0100 (CET)', // 9: written 8 Feb, UTC 7 Feb 23:00
    'Mon, 7 Feb 1994 23:59:59 +1400', // 10: written 7 Feb, UTC 7 Feb 09:59
  ];

  test('compare the day written in Date:, disregarding time and time zone; no Date: matches none', DEADLINE, async () => {
    const { user, id } = await imap().account();
    for (const date of DATES) await imap().deliver(id, 'INBOX', mail(`From: a@example.org\r\n${date === null ? '' : `Date: ${date}\r\n`}`));
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    await expectSearches(c, [
      ['SENTON 7-Feb-1994', '2 4 6 10'],
      ['SENTON 8-Feb-1994', '1 3 5 9'],
      ['SENTON 6-Feb-1994', ''],
      ['SENTON 9-Feb-1994', ''],
      ['SENTBEFORE 8-Feb-1994', '2 4 6 10'],
      ['SENTBEFORE 7-Feb-1994', ''],
      ['SENTBEFORE 9-Feb-1994', '1 2 3 4 5 6 9 10'],
      ['SENTSINCE 8-Feb-1994', '1 3 5 9'],
      ['SENTSINCE 7-Feb-1994', '1 2 3 4 5 6 9 10'],
      ['SENTSINCE 9-Feb-1994', ''],
      ['NOT SENTON 7-Feb-1994', '1 3 5 7 8 9'],
      ['OR SENTON 7-Feb-1994 SENTON 8-Feb-1994', '1 2 3 4 5 6 9 10'],
      ['SENTSINCE 8-Feb-1994 SENTBEFORE 9-Feb-1994', '1 3 5 9'],
      ['NOT SENTSINCE 1-Jan-1900', '7 8'],
      // The internal date keys are unaffected.
      ['SINCE 1-Jan-2000', '1 2 3 4 5 6 7 8 9 10'],
    ]);
  });

  test('the Date: forms RFC 5322 allows, and what is not a date', () => {
    const day = (s: string | null) => {
      const d = sentDay(s);
      return d === null ? null : new Date(d).toISOString().slice(0, 10);
    };
    assert.equal(day('Mon, 7 Feb 1994 21:52:25 -0800'), '1994-02-07');
    assert.equal(day('7 Feb 1994 21:52 -0800'), '1994-02-07');
    assert.equal(day('Tue, (a (nested) comment) 08 Feb 1994 00:00 +0100'), '1994-02-08');
    assert.equal(day('8 Feb 49 00:10 EST'), '2049-02-08');
    assert.equal(day('8 Feb 94 00:10 EST'), '1994-02-08');
    assert.equal(day('Thu, 1 January 1970 00:00:00 GMT'), '1970-01-01');
    assert.equal(day('31 Dec 9999 23:59:60 +0000'), '9999-12-31');
    assert.equal(day('Tue, 8 Feb 1994 (a \\) b) 00:00 +0100'), '1994-02-08');
    // Deeply nested comments cost one pass, not one per level.
    assert.equal(day(`8 Feb 1994 ${'('.repeat(200_000)}${')'.repeat(200_000)} 10:00 +0000`), '1994-02-08');
    for (const bad of [null, '', 'not a date', '2020-01-01T10:00:00Z', '31 Feb 2020 10:00 +0000', '7 Feb 1994', '7 Foo 1994 10:00', '7 Feb 1994 24:00 +0000', '7 Feb 199 10:00']) {
      assert.equal(day(bad), null, String(bad));
    }
  });
});

describe('FROM / TO / CC / BCC', () => {
  test('match the envelope address, its decoded name and the header text, case-insensitively', DEADLINE, async () => {
    const { user, id } = await imap().account();
    await imap().deliver(
      id,
      'INBOX',
      mail(
        'From: <user-from (comment)@ (comment) domain.org>\r\n' +
          'To: "Quoted, Name" <to.user@example.com>, plain@example.com\r\n' +
          'Cc: =?UTF-8?Q?Caf=C3=A9?= <cafe@example.net>\r\n' +
          'Bcc: undisclosed: hidden@example.org;\r\n',
      ),
    );
    await imap().deliver(id, 'INBOX', mail('From: Bob Example <bob@example.org>\r\nTo: someone@example.com\r\n'));
    await imap().deliver(id, 'INBOX', mail('From: "Fo\\o Bar" <fb@example.org>\r\nTo: just a phrase\r\n'));
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    await expectSearches(c, [
      // RFC 3501 §6.4.4: the envelope's address, comments and all removed.
      ['FROM user-from@domain.org', '1'],
      ['FROM USER-FROM@DOMAIN.ORG', '1'],
      // The header text still matches.
      ['FROM "(comment)"', '1'],
      ['FROM domain.org', '1'],
      ['NOT FROM user-from@domain.org', '2 3'],
      ['FROM "Bob Example <bob@example.org>"', '2'],
      ['FROM "example <bob@"', '2'],
      ['TO "Quoted, Name <to.user@example.com>"', '1'],
      ['TO "name <to.user"', '1'],
      ['TO plain@example.com', '1'],
      ['TO example.com', '1 2'],
      ['FROM example.org', '2 3'],
      // Encoded words in display names are decoded.
      [`CHARSET UTF-8 CC ${utf8Literal('Café <cafe@example.net>')}`, '1'],
      [`CHARSET UTF-8 CC ${utf8Literal('CAFÉ')}`, '1'],
      // A group: its name and its members.
      ['BCC hidden@example.org', '1'],
      ['BCC undisclosed', '1'],
      ['BCC bob', ''],
      ['OR FROM bob@example.org CC cafe@example.net', '1 2'],
      // A quoted-pair in a name is unescaped in the envelope.
      ['FROM "foo bar <fb@"', '3'],
      // The parser's stand-ins for missing parts match nothing; the words written do.
      ['TO missing', ''],
      ['TO "a phrase"', '3'],
    ]);
  });

  test('the quick test that spares parsing never turns away a message the envelope would match', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9é._-]{1,8}$/);
    const name = fc.oneof(
      fc.array(word, { minLength: 1, maxLength: 3 }).map((w) => w.join(' ')),
      fc.tuple(word, word).map(([a, b]) => `"${a}\\${b}, x"`),
      word.map((w) => `=?UTF-8?Q?${w.replace(/[^A-Za-z0-9]/g, '_')}?=`),
    );
    const address = fc
      .tuple(fc.option(name), word, word, word, fc.boolean())
      .map(([n, local, host, tld, comment]) => {
        const spec = comment ? `${local} (c)@ (d) ${host}.${tld}` : `${local}@${host}.${tld}`;
        return n === null ? spec : `${n} <${spec}>`;
      });
    fc.assert(
      fc.property(fc.array(address, { minLength: 1, maxLength: 3 }), fc.nat(), fc.nat(), (list, from, length) => {
        const header = list.join(', ');
        for (const text of addressTexts(parseAddressList(header))) {
          const start = from % text.length;
          const needle = text.slice(start, start + 1 + (length % (text.length - start))).toLowerCase();
          assert.ok(mayMatchAddress(decodeWords(header), needle), `${header} / ${needle}`);
        }
      }),
      { numRuns: 500 },
    );
  });
});
