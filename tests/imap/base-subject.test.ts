// The base subject of RFC 5256 §2.1 (SORT SUBJECT, THREAD), the
// i;unicode-casemap form it is compared in (RFC 5051), and the Message IDs
// THREAD links by: pure functions, checked case by case and by properties.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { baseSubject, casemap, compareOctets } from '../../schema/index.ts';
import { messageIds, threadReferences, MAX_REFERENCES_BYTES } from '../../schema/mime/message-ids.ts';
import { titlecase } from '../../schema/mime/casemap.ts';
import { truncateBytes } from '../../schema/mime/truncate.ts';

/** [Subject as written (null: no Subject field), base subject, reply or forward]. */
const CASES: Array<[string | null, string, boolean]> = [
  // Nothing to remove; the result is in i;unicode-casemap form (upper case, decomposed).
  ['hello world', 'HELLO WORLD', false],
  [null, '', false],
  ['', '', false],
  // (1) Tabs, folds and runs of spaces become one space.
  ['a\t\tb   c', 'A B C', false],
  ['a\r\n b', 'A B', false],
  // (1) Encoded words are decoded first; a word that is only a prefix is still removed.
  ['=?utf-8?q?Gr=C3=BC=C3=9Fe?=', 'GRU\u0308ßE', false],
  ['=?iso-8859-1?q?RE:_C?=', 'C', true],
  ['=?us-ascii?b?UmU6IGM=?=', 'C', true],
  ['Re: =?utf-8?q?caf=C3=A9?=', 'CAFE\u0301', true],
  ['=?iso-8859-1?q?_?=', '', false],
  // (2) Trailers: "(fwd)" in any case and whitespace, repeatedly.
  ['report (fwd)', 'REPORT', true],
  ['report (FWD)(fwd)  (Fwd) ', 'REPORT', true],
  ['report (fwd) x', 'REPORT (FWD) X', false],
  ['report(fwd)', 'REPORT', true],
  // (3) subj-leader: re, fw, fwd, with or without a blob and space before the colon.
  ['Re: hello', 'HELLO', true],
  ['RE: hello', 'HELLO', true],
  ['re:hello', 'HELLO', true],
  ['Fw: hello', 'HELLO', true],
  ['FWD: hello', 'HELLO', true],
  ['Re : hello', 'HELLO', true],
  ['Re[2]: hello', 'HELLO', true],
  ['Re [2]: hello', 'HELLO', true],
  ['Re:Re:RE: Fwd: re: hello', 'HELLO', true],
  ['Re: [list] Fwd: hello', 'HELLO', true],
  ['[list] Re: hello', 'HELLO', true],
  ['[a][b] [c] Re: hello', 'HELLO', true],
  // Not a leader: a word that only begins like one, or no colon.
  ['Reply: hello', 'REPLY: HELLO', false],
  ['Rex: hello', 'REX: HELLO', false],
  ['Re hello', 'RE HELLO', false],
  ['Fwdx: hello', 'FWDX: HELLO', false],
  ['Ad: Re: Ad: x', 'AD: RE: AD: X', false],
  ['Sv: hello', 'SV: HELLO', false],
  // (4) A leading blob goes only when something is left after it.
  ['[list] hello', 'HELLO', false],
  ['[list]hello', 'HELLO', false],
  ['[list]', '[LIST]', false],
  ['[list] [other]', '[OTHER]', false],
  ['Re: [list]', '[LIST]', true],
  ['[unclosed hello', '[UNCLOSED HELLO', false],
  ['[a[b] hello', '[A[B] HELLO', false],
  // (6) A "[fwd: …]" wrapper, then from (2) again.
  ['[fwd: hello]', 'HELLO', true],
  ['[Fwd: Re: hello (fwd)]', 'HELLO', true],
  ['Re: [FWD: c]', 'C', true],
  ['re: [fwd: [fwd: re: [fwd: babylon]]]', 'BABYLON', true],
  ['[fwd: hello] there', 'THERE', false],
  ['[fwd: hello', '[FWD: HELLO', false],
  ['[fwd:]', '', true],
  // A mix, as list software writes them.
  ['[foo] Fwd: [bar] Re: fw: b (fWd)  (fwd)', 'B', true],
  ['Re: [heron-dev] Re: [PATCH 2/3] Fwd: sort keys (fwd)', 'SORT KEYS', true], // blobs before a subj-refwd go with it
  ['Re: [heron-dev] [PATCH 2/3] sort keys', 'SORT KEYS', true], // (4) again and again while text follows

  ['  Re:  Re:   spaced out  ', 'SPACED OUT', true],
];

describe('base subject (RFC 5256 §2.1)', () => {
  for (const [subject, base, reply] of CASES) {
    test(`${JSON.stringify(subject)} → ${JSON.stringify(base)}${reply ? ' (reply/forward)' : ''}`, () => {
      assert.deepEqual(baseSubject(subject), { subject: base, replyOrForward: reply });
    });
  }

  const token = fc.constantFrom('re', 'Re', 'RE', 'fw', 'Fwd', 'fwd', ':', ' ', '  ', '\t', '[', ']', '[x]', '[fwd:', '(fwd)', 'a', 'b', 'é', 'ß', 'x y');
  const subject = fc.array(token, { maxLength: 12 }).map((t) => t.join(''));

  test('is idempotent: a base subject is its own base subject', () => {
    fc.assert(
      fc.property(subject, (s) => {
        const once = baseSubject(s).subject;
        assert.equal(baseSubject(once).subject, once);
      }),
      { numRuns: 2000 },
    );
  });

  test('"Re: " before a subject changes nothing but marks it a reply', () => {
    fc.assert(
      fc.property(subject, (s) => {
        assert.deepEqual(baseSubject(`Re: ${s}`), { subject: baseSubject(s).subject, replyOrForward: true });
      }),
      { numRuns: 2000 },
    );
  });

  test('never starts or ends with whitespace', () => {
    fc.assert(
      fc.property(subject, (s) => {
        const base = baseSubject(s).subject;
        assert.equal(base, base.trim());
      }),
      { numRuns: 2000 },
    );
  });
});

/** No lone surrogates. */
const wellFormed = (s: string) => !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

describe('i;unicode-casemap (RFC 5051)', () => {
  test('titlecase, then the full decomposition of any type, character by character', () => {
    assert.equal(casemap('abc XYZ 123'), 'ABC XYZ 123');
    // RFC 5051 §2's own example: U+01C4 → U+01C5 → U+0044 U+017E → U+0044 U+007A U+030C.
    assert.equal(casemap('\u01c4'), 'D\u007a\u030c');
    assert.equal(casemap('é'), 'E\u0301'); // é → É → E + combining acute
    assert.equal(casemap('É'), casemap('e\u0301'));
    assert.equal(casemap('straße'), 'STRAßE'); // ß has no simple titlecase
    assert.equal(casemap('ﬁle'), 'fiLE'); // a ligature has none either; its decomposition is not case-mapped
    assert.equal(casemap('ẖ'), 'h\u0331');
    assert.equal(casemap('ｆｕｌｌ'), 'FULL'); // full-width letters: titlecase, then their compatibility decomposition
    assert.equal(casemap('ıi'), 'II');
    assert.equal(casemap('ᾳ'), 'Α\u0345'); // U+1FB3 → U+1FBC → Α + ypogegrammeni
    assert.equal(casemap('ა'), 'ა'); // Georgian Mkhedruli is its own titlecase
    assert.equal(casemap('한'), '\u1112\u1161\u11ab'); // Hangul syllables decompose to jamo
    assert.equal(casemap('a\u0000b'), 'AB'); // NUL is no part of a key
    assert.equal(casemap('x\ud800y'), 'X\ufffdY');
  });

  test('letters that differ only in case map alike; titlecase is stable', () => {
    const letters = fc.string({ unit: fc.constantFrom(...'aBcDéÉñÑøØǆǄǅσΣςжЖ '.split('')), maxLength: 20 });
    fc.assert(
      fc.property(letters, (s) => {
        assert.equal(casemap(s.toLowerCase().replace(/ς/g, 'σ')), casemap(s.toUpperCase()));
      }),
      { numRuns: 1000 },
    );
    for (let cp = 0x20; cp < 0x2000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const t = titlecase(cp);
      assert.equal(titlecase(t), t, `titlecase of U+${cp.toString(16)} is stable`);
    }
  });

  test('compareOctets orders as UTF-8 bytes do', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }), (a, b) => {
        const bytes = Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
        // Lone surrogates become U+FFFD in UTF-8, so only well-formed strings compare exactly.
        if (wellFormed(a) && wellFormed(b)) assert.equal(Math.sign(compareOctets(a, b)), bytes);
      }),
      { numRuns: 2000 },
    );
    assert.ok(compareOctets('\u{1F600}', '\uFFFD') > 0); // U+1F600 is above U+FFFD, though its first UTF-16 unit is not
  });

  test('truncateBytes cuts keys on a character boundary', () => {
    assert.equal(truncateBytes('abc', 2), 'ab');
    assert.equal(truncateBytes('aé', 2), 'a'); // é is two bytes
    assert.equal(truncateBytes('a\u{1F600}b', 5), 'a\u{1F600}');
    assert.equal(truncateBytes('short', 200), 'short');
  });
});

describe('Message IDs (RFC 5256 §4)', () => {
  test('the valid IDs of a field, normalized; everything else skipped', () => {
    assert.deepEqual(messageIds('<a@b> <c@d>'), ['a@b', 'c@d']);
    assert.deepEqual(messageIds('<a@b>\r\n\t<c@d>'), ['a@b', 'c@d']);
    assert.deepEqual(messageIds('<a @ b>'), ['a@b']);
    assert.deepEqual(messageIds('<"quoted local"@b>'), ['quoted local@b']);
    assert.deepEqual(messageIds('<no-at-sign> <x@y>'), ['x@y']);
    assert.deepEqual(messageIds('Your message of Monday <a@b> (comment)'), ['a@b']);
    assert.deepEqual(messageIds('<broken <a@b>'), ['a@b']);
    assert.deepEqual(messageIds('<A@B> <a@b>'), ['A@B', 'a@b']); // case-sensitive: two IDs
    assert.deepEqual(messageIds('no ids here'), []);
    assert.deepEqual(messageIds(null), []);
    assert.deepEqual(messageIds('<unterminated@x'), []);
  });

  test('references: References, else the first ID of In-Reply-To', () => {
    assert.deepEqual(threadReferences('<a@x> <b@x>', '<c@x>'), ['a@x', 'b@x']);
    assert.deepEqual(threadReferences(null, '<c@x> <d@x>'), ['c@x']);
    assert.deepEqual(threadReferences('garbage', '<c@x>'), ['c@x']);
    assert.deepEqual(threadReferences(null, null), []);
  });

  test('a huge References keeps the IDs nearest the message, within the bound', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `message-${i}@example.org`);
    const kept = threadReferences(ids.map((id) => `<${id}>`).join(' '), null);
    assert.ok(kept.join('\n').length <= MAX_REFERENCES_BYTES);
    assert.ok(kept.length > 10);
    assert.deepEqual(kept, ids.slice(ids.length - kept.length));
  });
});
