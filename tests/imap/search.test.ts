// SEARCH (RFC 3501 §6.4.4) keys answered from the ENVELOPE: SENTBEFORE /
// SENTON / SENTSINCE take the day Date: names in its own time zone, and
// FROM / TO / CC / BCC look in the parsed addresses. Flag, sequence, UID and
// MODSEQ keys (answered from the shared mailbox view) and SUBJECT (through
// the text index) agree with a brute-force evaluation over the stored rows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addressTexts, mayMatchAddress, sentDay } from '../../imapd/search/envelope-keys.ts';
import { appendMessage, decodeWords, expungeMessages, findMailbox, storeFlags } from '../../schema/index.ts';
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

/** A stored message as a brute-force evaluation sees it. */
interface Stored {
  seq: number;
  uid: number;
  modseq: number;
  flags: string[];
  subject: string;
}

/** A SEARCH key: its IMAP text and what it means. */
interface Key {
  text: string;
  test: (m: Stored) => boolean;
}

const has = (m: Stored, flag: string) => m.flags.some((f) => f.toLowerCase() === flag.toLowerCase());
const FLAG_KEYS: Key[] = [
  ...['Seen', 'Answered', 'Deleted', 'Flagged', 'Draft'].flatMap((f) => [
    { text: f.toUpperCase(), test: (m: Stored) => has(m, `\\${f}`) },
    { text: `UN${f.toUpperCase()}`, test: (m: Stored) => !has(m, `\\${f}`) },
  ]),
  { text: 'KEYWORD $junk', test: (m) => has(m, '$Junk') },
  { text: 'UNKEYWORD Work', test: (m) => !has(m, 'work') },
  { text: 'KEYWORD nothere', test: () => false },
  { text: 'ALL', test: () => true },
  // Only the searching session ever selects the mailbox: every message is \Recent for it.
  { text: 'RECENT', test: () => true },
  { text: 'NEW', test: (m) => !has(m, '\\Seen') },
  { text: 'OLD', test: () => false },
];
const STORE_FLAGS = ['\\Seen', '\\Answered', '\\Deleted', '\\Flagged', '\\Draft', '$Junk', 'work', 'WORK'];

function keyArb(count: () => number, maxModseq: () => number, maxUid: () => number): fc.Arbitrary<Key> {
  const { key } = fc.letrec<{ key: Key }>((tie) => ({
    key: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...FLAG_KEYS),
      fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Key => {
        const n = Math.max(1, count());
        const [lo, hi] = [1 + (a % n), 1 + (b % n)];
        return { text: `${lo}:${hi}`, test: (m) => m.seq >= Math.min(lo, hi) && m.seq <= Math.max(lo, hi) };
      }),
      fc.tuple(fc.integer({ min: 1, max: 200 }), fc.boolean()).map(([u, star]): Key => ({
        text: `UID ${u}:${star ? '*' : u + 5}`,
        // RFC 3501 §6.4.8: * is the highest UID, and n:* with n above it names that one.
        test: (m) => (star ? m.uid >= Math.min(u, maxUid()) : m.uid >= u && m.uid <= u + 5),
      })),
      fc.nat().map((n): Key => {
        const at = n % (maxModseq() + 2);
        return { text: `MODSEQ ${at}`, test: (m) => m.modseq >= at };
      }),
      tie('key').map((k): Key => ({ text: `NOT ${k.text}`, test: (m) => !k.test(m) })),
      fc.tuple(tie('key'), tie('key')).map(([a, b]): Key => ({ text: `OR ${a.text} ${b.text}`, test: (m) => a.test(m) || b.test(m) })),
      fc.tuple(tie('key'), tie('key')).map(([a, b]): Key => ({ text: `(${a.text} ${b.text})`, test: (m) => a.test(m) && b.test(m) })),
    ),
  }));
  return key;
}

describe('keys answered from the shared mailbox view', () => {
  test('flag, sequence, UID and MODSEQ keys agree with a brute-force evaluation over a randomized mailbox', { timeout: 180_000 }, async () => {
    const { user, id } = await imap().account();
    const store = imap().heron.store;
    const box = (await findMailbox(store, id, 'INBOX'))!;
    for (let i = 0; i < 30; i++) await appendMessage(store, { mailboxId: box.id, raw: Buffer.from(mail(`From: a${i}@example.org\r\n`)), flags: i % 4 === 0 ? ['\\Seen'] : [] });
    const c = await imap().login(user);
    assert.match(await c.command('s', 'SELECT INBOX'), /s OK/);
    let stored: Stored[] = [];
    const read = async () => {
      const rows = await store.all<{ uid: number; modseq: number; flags: string; subject: string }>(
        `SELECT uid, modseq, flags, subject FROM mail WHERE mail_box_id = ? ORDER BY uid`,
        box.id,
      );
      stored = rows.map((r, i) => ({ seq: i + 1, uid: r.uid, modseq: r.modseq, flags: JSON.parse(r.flags) as string[], subject: r.subject }));
    };
    const change = fc.oneof(
      fc.record({ k: fc.constant('flags' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), op: fc.constantFrom('add' as const, 'remove' as const, 'set' as const), flags: fc.subarray(STORE_FLAGS) }),
      fc.record({ k: fc.constant('expunge' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }) }),
      fc.record({ k: fc.constant('append' as const), flags: fc.subarray(STORE_FLAGS) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(change, { maxLength: 4 }), fc.integer(), async (changes, seed) => {
        await read();
        for (const ch of changes) {
          const uids = [...new Set((ch.k === 'append' ? [] : ch.at).map((n) => stored[n % stored.length]?.uid))].filter((u) => u !== undefined);
          if (ch.k === 'flags' && uids.length) await storeFlags(store, { mailboxId: box.id, uids, op: ch.op, flags: ch.flags });
          if (ch.k === 'expunge' && uids.length && stored.length > 5) await expungeMessages(store, { mailboxId: box.id, uids, force: true });
          if (ch.k === 'append') await appendMessage(store, { mailboxId: box.id, raw: Buffer.from(mail('From: new@example.org\r\n')), flags: ch.flags });
          await read();
        }
        // The session takes in the changes (sequence numbers then match the stored rows).
        assert.match(await c.command('n', 'NOOP'), /n OK/);
        // Keys drawn now: their sequence numbers exist in the mailbox as it is.
        const keys = fc.sample(keyArb(() => stored.length, () => Math.max(0, ...stored.map((m) => m.modseq)), () => stored[stored.length - 1]?.uid ?? 0), { numRuns: 5, seed });
        for (const key of keys) {
          const r = await c.command('q', `UID SEARCH ${key.text}`);
          assert.match(r, /q OK/, key.text);
          // RFC 7162 §3.1.5: with MODSEQ in the criteria the result ends in (MODSEQ n).
          const got = /^\* SEARCH ?([\d ]*?)(?: \(MODSEQ \d+\))?\r$/m.exec(r)![1];
          const want = stored.filter((m) => key.test(m)).map((m) => m.uid).join(' ');
          assert.equal(got, want, key.text);
        }
      }),
      { numRuns: 40 },
    );
  });

  test('criteria mixing text keys with flags, sequence sets, NOT and OR agree with a brute-force evaluation', { timeout: 120_000 }, async () => {
    const { user, id } = await imap().account();
    const n = 60;
    const words = (i: number) => ({ alpha: i % 10 === 3, beta: i % 7 === 2, gamma: i % 2 === 1, seen: i % 3 === 0 });
    for (let i = 0; i < n; i++) {
      const w = words(i);
      const subject = `topic ${i}${w.alpha ? ' alpha' : ''}${w.beta ? ' beta' : ''}`;
      await imap().deliver(id, 'INBOX', `From: a@example.org\r\nSubject: ${subject}\r\nMessage-ID: <mix${i}@x>\r\n\r\nbody ${w.gamma ? 'gamma' : 'delta'}\r\n`, w.seen ? ['\\Seen'] : []);
    }
    const c = await imap().login(user);
    await c.command('s', 'SELECT INBOX');
    // Expunged by another session: this one keeps them in its list until told (numbers as before).
    const other = await imap().login(user);
    await other.command('o1', 'SELECT INBOX');
    await other.command('o2', 'UID STORE 14,24 +FLAGS.SILENT (\\Deleted)');
    await other.command('o3', 'UID EXPUNGE 14,24');
    const gone = new Set([14, 24]);
    const cases: Array<[string, (i: number) => boolean]> = [
      ['SUBJECT alpha', (i) => words(i).alpha],
      ['SUBJECT alpha UNSEEN', (i) => words(i).alpha && !words(i).seen],
      ['UNSEEN SUBJECT beta 1:30', (i) => words(i).beta && !words(i).seen && i < 30],
      ['NOT SUBJECT alpha', (i) => !words(i).alpha],
      ['OR SUBJECT alpha SUBJECT beta', (i) => words(i).alpha || words(i).beta],
      ['SUBJECT alpha BODY gamma', (i) => words(i).alpha && words(i).gamma],
      ['BODY gamma SUBJECT beta NOT SEEN', (i) => words(i).gamma && words(i).beta && !words(i).seen],
      ['SUBJECT topic SEEN', (i) => words(i).seen],
      ['SUBJECT nowhere', () => false],
    ];
    // SEARCH first: it may not report the expunges (RFC 3501 §7.4.1), UID SEARCH may.
    for (const uid of [false, true]) {
      for (const [criteria, test] of cases) {
        const r = await c.command('q', `${uid ? 'UID ' : ''}SEARCH ${criteria}`);
        // UIDs are i + 1; sequence numbers too while the expunges are not reported.
        const want = Array.from({ length: n }, (_, i) => i).filter((i) => test(i) && !gone.has(i + 1)).map((i) => i + 1).join(' ');
        assert.equal(/^\* SEARCH ?([\d ]*)\r$/m.exec(r)![1], want, `${uid ? 'UID ' : ''}SEARCH ${criteria}`);
      }
    }
  });

  test('SUBJECT through the text index agrees with a substring test of every subject', { timeout: 120_000 }, async () => {
    const { user, id } = await imap().account();
    const subjects = ['Quarterly report', 'quarterly REPORT 2024', 'Re: lunch?', 'Café au lait', '=?UTF-8?Q?Caf=C3=A9_cr=C3=A8me?=', 'ab', 'x', '', 'Report: the end'];
    for (const [i, s] of subjects.entries()) {
      // The words of one subject also appear in another message's other headers: the index narrows, the subject decides.
      await imap().deliver(id, 'INBOX', `From: a@example.org\r\nX-Note: ${subjects[(i + 1) % subjects.length]} quarterly\r\nSubject: ${s}\r\nMessage-ID: <report${i}@x>\r\n\r\nbody lunch\r\n`);
    }
    const c = await imap().login(user);
    await c.command('s', 'EXAMINE INBOX');
    const decoded = (await imap().heron.store.column<string>(`SELECT subject FROM mail WHERE mail_box_id = (SELECT id FROM mail_box WHERE mail_account_id = ? AND name = 'INBOX') ORDER BY uid`, id));
    const needles = fc.sample(
      fc.oneof(
        fc.constantFrom('report', 'REPORT', 'quarterly', 'café', 'CAFÉ', 'crème', 'lunch', 'ab', 'b', 'x', 'Re:', 'report0', 'the end', ''),
        fc.tuple(fc.nat(subjects.length - 1), fc.nat(30), fc.integer({ min: 1, max: 6 })).map(([i, at, n]) => decoded[i].slice(at % Math.max(1, decoded[i].length), (at % Math.max(1, decoded[i].length)) + n)),
      ),
      { numRuns: 60, seed: 11 },
    );
    for (const needle of needles) {
      const r = await c.command('q', `UID SEARCH CHARSET UTF-8 SUBJECT ${utf8Literal(needle)}`);
      assert.match(r, /q OK/, needle);
      const want = decoded.map((s, i) => (s.toLowerCase().includes(needle.toLowerCase()) ? i + 1 : 0)).filter(Boolean).join(' ');
      assert.equal(/^\* SEARCH ?([\d ]*)\r$/m.exec(r)![1], want, JSON.stringify(needle));
    }
  });
});
