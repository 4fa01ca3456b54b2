// ESORT (RFC 5267 §3): SORT and UID SORT with RETURN options answer one
// `* ESEARCH (TAG "t") [UID] …` where MIN and MAX are the first and last
// message in sort order and ALL keeps that order (ranges only upwards,
// §3.2); PARTIAL windows over the sort order (§4.4, RFC 9394); SAVE keeps the
// reported messages for "$" (RFC 5182 §2.4); MODSEQ (RFC 4731 §3.2). Raw
// transcripts in the shape of RFC 5267's examples, over one mailbox whose
// sort orders differ from its mailbox order (dated-mailbox.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compactSetPieces } from '../../imapd/render/sequence-set.ts';
import { DEADLINE, expectBad, untagged, untaggedOk as ok, useImap } from './fixture.ts';
import { datedMailbox } from './dated-mailbox.ts';
import { expectAnswers } from './mail-spec.ts';

const imap = useImap();

const mailbox = (expungeFirst = false) => datedMailbox(imap(), expungeFirst);

describe('ESORT', () => {
  test('is advertised with CONTEXT=SORT', DEADLINE, async () => {
    const { c } = await mailbox();
    const caps = untagged(await c.command('c', 'CAPABILITY'))[0].split(' ');
    for (const cap of ['SORT', 'ESORT', 'CONTEXT=SORT', 'ESEARCH']) assert.ok(caps.includes(cap), cap);
  });

  test('RFC 5267 §3: MIN and MAX are the first and last in sort order, ALL keeps the order with upward ranges only', DEADLINE, async () => {
    const { c } = await mailbox();
    await expectAnswers(c, [
      // The plain SORT for comparison.
      ['SORT (DATE) UTF-8 ALL', '* SORT 4 5 6 1 2 3'],
      ['SORT RETURN (MIN) (DATE) UTF-8 SINCE 1-Feb-1994', '* ESEARCH (TAG "q") MIN 4'],
      ['SORT RETURN (MAX) (DATE) UTF-8 SINCE 1-Feb-1994', '* ESEARCH (TAG "q") MAX 3'],
      ['SORT RETURN (MIN MAX COUNT) (DATE) UTF-8 ALL', '* ESEARCH (TAG "q") MIN 4 MAX 3 COUNT 6'],
      ['SORT RETURN (ALL) (DATE) UTF-8 ALL', '* ESEARCH (TAG "q") ALL 4:6,1:3'],
      // Descending runs never become a range ("3:1" would read upwards).
      ['SORT RETURN (ALL) (REVERSE DATE) UTF-8 ALL', '* ESEARCH (TAG "q") ALL 3,2,1,6,5,4'],
      // RETURN () is ALL (RFC 4731 §3.1).
      ['SORT RETURN () (SUBJECT) UTF-8 ALL', '* ESEARCH (TAG "q") ALL 2,4,1,6,3,5'],
      ['SORT RETURN (COUNT ALL MIN MAX) (SUBJECT) UTF-8 FLAGGED', '* ESEARCH (TAG "q") MIN 4 MAX 6 COUNT 3 ALL 4,1,6'],
      ['sort return (min max) (reverse subject date) utf-8 unflagged', '* ESEARCH (TAG "q") MIN 5 MAX 2'],
      // CONTEXT alone is a hint (§4.2): the answer is ALL.
      ['SORT RETURN (CONTEXT) (DATE) UTF-8 FLAGGED', '* ESEARCH (TAG "q") ALL 4,6,1'],
    ]);
  });

  test('UID SORT answers UIDs with the UID marker; SORT message numbers', DEADLINE, async () => {
    const { c } = await mailbox(true);
    await expectAnswers(c, [
      ['UID SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL', '* ESEARCH (TAG "q") UID MIN 5 MAX 4 COUNT 6 ALL 5:7,2:4'],
      ['SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL', '* ESEARCH (TAG "q") MIN 4 MAX 3 COUNT 6 ALL 4:6,1:3'],
      ['UID SORT RETURN (ALL) (REVERSE DATE) UTF-8 UID 3:7', '* ESEARCH (TAG "q") UID ALL 4,3,7,6,5'],
    ]);
  });

  test('no match: COUNT 0, MIN/MAX/ALL left out, PARTIAL NIL', DEADLINE, async () => {
    const { c } = await mailbox();
    await expectAnswers(c, [
      ['SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 SUBJECT nothing', '* ESEARCH (TAG "q") COUNT 0'],
      ['UID SORT RETURN (MIN) (DATE) UTF-8 DELETED', '* ESEARCH (TAG "q") UID'],
      ['UID SORT RETURN (PARTIAL 1:10) (DATE) UTF-8 DELETED', '* ESEARCH (TAG "q") UID PARTIAL (1:10 NIL)'],
    ]);
  });

  test('PARTIAL windows count in sort order, from the first or (RFC 9394) the last result', DEADLINE, async () => {
    const { c } = await mailbox(true);
    // Sort order by UID: 5 6 7 2 3 4.
    await expectAnswers(c, [
      ['UID SORT RETURN (PARTIAL 2:4) (DATE) UTF-8 ALL', '* ESEARCH (TAG "q") UID PARTIAL (2:4 6:7,2)'],
      ['UID SORT RETURN (PARTIAL 4:2 COUNT) (DATE) UTF-8 ALL', '* ESEARCH (TAG "q") UID COUNT 6 PARTIAL (4:2 6:7,2)'],
      ['UID SORT RETURN (PARTIAL -1:-2) (DATE) UTF-8 ALL', '* ESEARCH (TAG "q") UID PARTIAL (-1:-2 3:4)'],
      ['SORT RETURN (PARTIAL 5:100) (REVERSE DATE) UTF-8 ALL', '* ESEARCH (TAG "q") PARTIAL (5:100 5,4)'],
      ['SORT RETURN (PARTIAL 7:9) (DATE) UTF-8 ALL', '* ESEARCH (TAG "q") PARTIAL (7:9 NIL)'],
    ]);
  });

  test('SAVE (RFC 5182 §2.4): alone it answers nothing; with MIN/MAX "$" holds the first/last in sort order; "$" in SORT criteria', DEADLINE, async () => {
    const { c } = await mailbox(true);
    assert.deepEqual(await ok(c, 'SORT RETURN (SAVE) (DATE) UTF-8 FLAGGED'), []);
    assert.deepEqual(await ok(c, 'UID SEARCH UID $'), ['* SEARCH 2 5 7']);
    // "$" as the criteria of a SORT, in sort order.
    await expectAnswers(c, [['SORT (REVERSE DATE) UTF-8 $', '* SORT 1 6 4']]);
    // MIN (first in DATE order: message 4, UID 5) and MAX (last: message 3, UID 4) only.
    assert.deepEqual(await ok(c, 'SORT RETURN (SAVE MIN MAX) (DATE) UTF-8 ALL'), ['* ESEARCH (TAG "t") MIN 4 MAX 3']);
    assert.deepEqual(await ok(c, 'FETCH $ (UID)'), ['* 3 FETCH (UID 4)', '* 4 FETCH (UID 5)']);
    assert.deepEqual(await ok(c, 'UID SORT RETURN (SAVE MAX) (SUBJECT) UTF-8 ALL'), ['* ESEARCH (TAG "t") UID MAX 6']);
    assert.deepEqual(await ok(c, 'UID SEARCH $'), ['* SEARCH 6']);
    // A PARTIAL window is what is saved (RFC 9394 §3.2).
    assert.deepEqual(await ok(c, 'UID SORT RETURN (SAVE PARTIAL 2:3) (DATE) UTF-8 ALL'), ['* ESEARCH (TAG "t") UID PARTIAL (2:3 6:7)']);
    assert.deepEqual(await ok(c, 'UID SEARCH $'), ['* SEARCH 6 7']);
    // RFC 5182 §2.1: a SORT that was to SAVE and answers NO empties "$"; one that answers BAD leaves it.
    await expectBad(c, ['SORT RETURN (SAVE BOGUS) (DATE) UTF-8 ALL']);
    assert.deepEqual(await ok(c, 'UID SEARCH $'), ['* SEARCH 6 7']);
    assert.match(await c.command('n', 'SORT RETURN (SAVE) (DATE) KOI8-R ALL'), /^n NO \[BADCHARSET \(/m);
    assert.deepEqual(await ok(c, 'UID SEARCH $'), ['* SEARCH']);
  });

  test('MODSEQ criteria add the highest MODSEQ of the reported messages (RFC 4731 §3.2)', DEADLINE, async () => {
    const { c } = await mailbox();
    await ok(c, 'STORE 2 +FLAGS.SILENT (\\Seen)');
    const modseqOf = async (n: number) => Number(/MODSEQ \((\d+)\)/.exec((await ok(c, `FETCH ${n} (MODSEQ)`))[0])![1]);
    const [m2, m3, m4] = [await modseqOf(2), await modseqOf(3), await modseqOf(4)];
    assert.ok(m2 > m3 && m2 > m4);
    // MIN 4 and MAX 3 only: not message 2's (higher) MODSEQ.
    await expectAnswers(c, [
      ['SORT RETURN (MIN MAX) (DATE) UTF-8 MODSEQ 1', `* ESEARCH (TAG "q") MIN 4 MAX 3 MODSEQ ${Math.max(m3, m4)}`],
      ['SORT RETURN (COUNT) (DATE) UTF-8 MODSEQ 1', `* ESEARCH (TAG "q") COUNT 6 MODSEQ ${m2}`],
    ]);
  });

  test('bad RETURN clauses are BAD and change nothing; the session goes on', DEADLINE, async () => {
    const { c } = await mailbox();
    await expectBad(c, [
      'SORT RETURN (BOGUS) (DATE) UTF-8 ALL',
      'SORT RETURN (PARTIAL 1:5 ALL) (DATE) UTF-8 ALL',
      'SORT RETURN (PARTIAL 0:5) (DATE) UTF-8 ALL',
      'SORT RETURN (PARTIAL 1:-5) (DATE) UTF-8 ALL',
      'SORT RETURN MIN (DATE) UTF-8 ALL',
      'SORT RETURN (MIN) UTF-8 ALL',
      'SORT RETURN (MIN) (DATE)',
      'SORT (DATE) RETURN (MIN) UTF-8 ALL',
    ]);
    await expectAnswers(c, [['UID SORT RETURN (COUNT) (DATE) UTF-8 ALL', '* ESEARCH (TAG "q") UID COUNT 6']]);
  });

  test('a long ALL set is written in pieces that read back as the sort order, ranges only upwards', () => {
    const expand = (set: string) =>
      set.split(',').flatMap((part) => {
        const [a, b] = part.split(':').map(Number);
        if (b === undefined) return [a];
        assert.ok(a < b, `range ${part} must read upwards`);
        return Array.from({ length: b - a + 1 }, (_, i) => a + i);
      });
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 40 }), (order, pieceLength) => {
        const pieces = [...compactSetPieces(order, pieceLength)];
        assert.deepEqual(expand(pieces.join('')), order);
        for (const piece of pieces.slice(0, -1)) assert.ok(piece.length >= pieceLength);
      }),
      { numRuns: 500 },
    );
  });
});
