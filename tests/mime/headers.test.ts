// The one header scanner (schema/mime/headers.ts) that the MIME indexer, SMTP
// (hop count, forged Authentication-Results, Bcc) and IMAP HEADER.FIELDS share:
// folding, bare LF, lines that are not fields, empty blocks, byte ranges.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { extractSection } from '../../imapd/mime/section.ts';
import { findBodyStart, indexMessage, parseHeaderFields, removeHeaderFields, scanHeader } from '../../schema/index.ts';
import { stripForgedResults } from '../../smtpd/scoring/headers.ts';

const fields = (text: string) => parseHeaderFields(Buffer.from(text, 'latin1')).map((f) => [f.name, f.value]);
const bytes = (raw: Buffer, f: { start: number; end: number }) => raw.subarray(f.start, f.end).toString('latin1');

describe('header scanner', () => {
  test('folded fields unfold by removing only the line breaks; the byte range covers every folded line', () => {
    const raw = Buffer.from('Subject: one\r\n two\r\n\tthree\r\nTo: a@b.test\r\n\r\nbody: not a field\r\n');
    const scan = scanHeader(raw);
    assert.deepEqual(
      scan.fields.map((f) => [f.key, f.value]),
      [
        ['subject', 'one two\tthree'],
        ['to', 'a@b.test'],
      ],
    );
    assert.equal(bytes(raw, scan.fields[0]), 'Subject: one\r\n two\r\n\tthree\r\n');
    const blankAt = raw.indexOf('\r\n\r\n') + 2;
    assert.deepEqual(scan.blank, { start: blankAt, end: blankAt + 2 });
    assert.equal(scan.blank!.end, findBodyStart(raw, 0, raw.length), 'the header ends where the MIME structure says it does');
  });

  test('bare LF lines, and a mix of LF and CRLF, give the same fields', () => {
    const lf = Buffer.from('Subject: one\n two\nX-A: 1\n\nbody\n');
    const mixed = Buffer.from('Subject: one\r\n two\nX-A: 1\r\n\nbody\n');
    const want = [
      ['Subject', 'one two'],
      ['X-A', '1'],
    ];
    assert.deepEqual(fields(lf.toString('latin1')), want);
    assert.deepEqual(fields(mixed.toString('latin1')), want);
    const scan = scanHeader(lf);
    assert.equal(bytes(lf, scan.fields[0]), 'Subject: one\n two\n');
    assert.deepEqual(scan.blank, { start: lf.indexOf('\n\n') + 1, end: lf.indexOf('\n\n') + 2 });
  });

  test('lines that are not fields are skipped with their continuations; the fields after them still count', () => {
    const raw = 'X-A: 1\r\nno colon here\r\n continued\r\nBad Name: x\r\n: empty name\r\nSubject : spaced\r\nX-B: 2\r\n\r\n';
    assert.deepEqual(fields(raw), [
      ['X-A', '1'],
      ['Subject', 'spaced'],
      ['X-B', '2'],
    ]);
    // A continuation with nothing above it is not a field either.
    assert.deepEqual(fields(' Subject: orphan\r\nTo: t@b.test\r\n\r\n'), [['To', 't@b.test']]);
  });

  test('empty header blocks: an empty buffer, a message that starts with its blank line, a header without a blank line', () => {
    assert.deepEqual(scanHeader(Buffer.alloc(0)), { fields: [], blank: null });
    assert.deepEqual(scanHeader(Buffer.from('\r\nSubject: body, not header\r\n')), { fields: [], blank: { start: 0, end: 2 } });
    assert.deepEqual(scanHeader(Buffer.from('\nSubject: body\n')), { fields: [], blank: { start: 0, end: 1 } });
    const cut = scanHeader(Buffer.from('Subject: cut\r\n folded'));
    assert.deepEqual(
      cut.fields.map((f) => [f.value, f.end]),
      [['cut folded', 21]],
    );
    assert.equal(cut.blank, null);
  });

  test('scans a part of a buffer and reports offsets in it', () => {
    const raw = Buffer.from('Subject: outer\r\n\r\nX-Inner: yes\r\n\r\ninner body');
    const inner = scanHeader(raw, 18, raw.length);
    assert.deepEqual(
      inner.fields.map((f) => [f.key, f.value, f.start, f.end]),
      [['x-inner', 'yes', 18, 32]],
    );
    assert.deepEqual(inner.blank, { start: 32, end: 34 });
  });

  test('values decode per field: UTF-8 where it is valid, Latin-1 where it is not', () => {
    const raw = Buffer.concat([
      Buffer.from('Subject: Grü\r\n ße\r\nX-Old: '),
      Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]),
      Buffer.from('\r\nX-Name-\u00e9: v\r\n\r\n'),
    ]);
    assert.deepEqual(
      parseHeaderFields(raw).map((f) => [f.name, f.value]),
      [
        ['Subject', 'Grü ße'],
        ['X-Old', 'Grüße'],
        ['X-Name-é', 'v'],
      ],
    );
  });

  test('removing fields keeps every other byte, in the header and the body', () => {
    const raw = Buffer.from('Bcc: a@b.test,\r\n c@d.test\r\nSubject: s\nbcc: x@y.test\r\n\r\nBcc: in the body\r\n');
    const out = removeHeaderFields(raw, (f) => f.key === 'bcc').toString();
    assert.equal(out, 'Subject: s\n\r\nBcc: in the body\r\n');
    const same = Buffer.from('Subject: s\r\n\r\n');
    assert.equal(removeHeaderFields(same, (f) => f.key === 'bcc'), same, 'nothing to remove: the same buffer');
  });

  test('SMTP removes a forged Authentication-Results that sits below a line without a colon (IMAP shows it as a header)', () => {
    const raw = Buffer.from('Subject: s\r\ngarbage line\r\nAuthentication-Results: heron.test; dkim=pass\r\n\r\nbody\r\n');
    const out = stripForgedResults(raw, new Set(['heron.test']));
    assert.equal(out.toString(), 'Subject: s\r\ngarbage line\r\n\r\nbody\r\n');
    assert.equal(indexMessage(raw).root.bodyStart, raw.indexOf('\r\n\r\n') + 4, 'the stored structure counts that line as header');
  });

  test('IMAP HEADER.FIELDS returns the matching fields as written: folding, bare LF and odd spacing kept byte for byte', () => {
    const raw = Buffer.from('Subject:  two  spaces\n\tfolded with tab\nX-Skip: 1\r\nTo : t@b.test\r\n \r\n continued after a blank-looking line\r\n\r\nbody');
    const root = indexMessage(raw).root;
    const got = extractSection(raw, root, { path: [], text: 'HEADER.FIELDS', fields: ['subject', 'TO'] }).toString('latin1');
    assert.equal(got, 'Subject:  two  spaces\n\tfolded with tab\nTo : t@b.test\r\n \r\n continued after a blank-looking line\r\n\r\n');
    const not = extractSection(raw, root, { path: [], text: 'HEADER.FIELDS.NOT', fields: ['subject', 'to'] }).toString('latin1');
    assert.equal(not, 'X-Skip: 1\r\n\r\n');
  });
});
