// BODY[section] edge cases beyond the golden corpus: bare-LF messages (served
// as stored), invalid and nonexistent part numbers, header field matching.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { indexMessage } from '../../schema/index.ts';
import { renderBodyStructure } from '../../imapd/mime/bodystructure.ts';
import { extractSection, type SectionSpec } from '../../imapd/mime/section.ts';
import { GOLDEN_DIR } from './golden.ts';
import { parseImapValue, type ImapValue } from './imap-tokens.ts';
import { parseSectionSpec } from './section-spec.ts';

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');
const get = (raw: Buffer, section: string | SectionSpec) => {
  const spec = typeof section === 'string' ? parseSectionSpec(section) : section;
  return extractSection(raw, indexMessage(raw).root, spec).toString('latin1');
};

/** Replaces every size (a number right after the encoding string) so trees can be compared without sizes. */
function withoutSizes(v: ImapValue): ImapValue {
  if (!Array.isArray(v)) return v;
  const out = v.map(withoutSizes);
  if (typeof v[5] === 'string' && v[6] !== null && typeof v[6] === 'object' && !Array.isArray(v[6])) out[6] = { atom: 'SIZE' };
  return out;
}

describe('BODY[section]', () => {
  test('a bare-LF message is served as stored, with the same structure and line counts as its CRLF form', () => {
    const lf = fs.readFileSync(path.join(GOLDEN_DIR, 'lf-only.eml'));
    assert.ok(!lf.includes('\r'), 'the corpus file really has bare LFs');
    const asCrlf = Buffer.from(lf.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
    const a = parseImapValue(renderBodyStructure(indexMessage(lf).root, true));
    const b = parseImapValue(renderBodyStructure(indexMessage(asCrlf).root, true));
    assert.deepEqual(withoutSizes(a), withoutSizes(b));
    assert.equal(get(lf, '1'), 'line one\nline two');
    assert.equal(get(lf, '2'), 'Subject: inner lf\n\ninner');
    assert.equal(get(lf, '2.HEADER'), 'Subject: inner lf\n\n');
    assert.equal(get(lf, '2.TEXT'), 'inner');
    assert.equal(get(lf, '2.1'), 'inner');
    assert.equal(get(lf, 'HEADER.FIELDS (SUBJECT)'), 'Subject: bare LF\n\n', 'the blank line is the one the message has');
    assert.equal(get(lf, '1.MIME'), 'Content-Type: text/plain\n\n');
  });

  test('BODY[] is the whole message; invalid or nonexistent parts are empty', () => {
    const raw = crlf('Subject: s\n\nbody\n');
    assert.equal(get(raw, { path: [], text: null }), raw.toString('latin1'));
    for (const path of [[0], [2], [-1], [1.5], [Number.NaN], [1, 1], [9, 9, 9], [2 ** 53]]) {
      assert.equal(get(raw, { path, text: null }), '', JSON.stringify(path));
    }
    assert.equal(get(raw, { path: [], text: 'MIME' }), '', 'MIME needs a part number');
    assert.equal(get(raw, { path: [1], text: 'HEADER' }), '', 'HEADER of a part that is not a message');
    assert.equal(get(raw, { path: [1], text: 'TEXT' }), '');
    assert.equal(get(raw, { path: [1], text: 'MIME' }), 'Subject: s\r\n\r\n', 'part 1 of a single-part message is the message');
  });

  test('HEADER.FIELDS matches names case-insensitively, keeps order, duplicates and folding, and ends with the blank line', () => {
    const raw = crlf('X-A: 1\nSubject: one\n two\nx-a: 2\nX-AB: no\nBad line without colon\nTo: t@example.test\n\nbody\n');
    assert.equal(get(raw, { path: [], text: 'HEADER.FIELDS', fields: ['x-A', 'SUBJECT'] }), 'X-A: 1\r\nSubject: one\r\n two\r\nx-a: 2\r\n\r\n');
    assert.equal(
      get(raw, { path: [], text: 'HEADER.FIELDS.NOT', fields: ['X-A', 'subject'] }),
      'X-AB: no\r\nTo: t@example.test\r\n\r\n',
      'lines that are not fields are left out',
    );
    assert.equal(get(raw, { path: [], text: 'HEADER.FIELDS', fields: [] }), '\r\n');
    assert.equal(get(raw, { path: [], text: 'HEADER.FIELDS', fields: ['nothing'] }), '\r\n');
  });

  test('a header without a line break at the end still yields whole lines', () => {
    const raw = Buffer.from('Subject: cut');
    assert.equal(get(raw, 'HEADER'), 'Subject: cut');
    assert.equal(get(raw, 'HEADER.FIELDS (SUBJECT)'), 'Subject: cut\r\n');
    assert.equal(get(raw, 'TEXT'), '');
  });

  test('an encoded message/rfc822 part has no inner parts', () => {
    const raw = fs.readFileSync(path.join(GOLDEN_DIR, 'rfc822-base64.eml'));
    assert.equal(get(raw, '1'), 'RnJvbTogYUBiLmMKClRleHQK');
    assert.equal(get(raw, '1.HEADER'), '');
    assert.equal(get(raw, '1.1'), '');
    assert.equal(get(raw, '1.MIME'), 'Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n');
  });
});
