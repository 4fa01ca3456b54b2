// Hostile MIME of every shape: the indexer and renderers never throw, the
// rendered BODYSTRUCTURE and ENVELOPE always parse as IMAP data with the
// RFC 3501 shapes, and every section is a slice of the message.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { indexMessage } from '../../schema/index.ts';
import { renderBodyStructure } from '../../imapd/mime/bodystructure.ts';
import { renderEnvelope } from '../../imapd/mime/envelope.ts';
import { extractSection, type SectionSpec } from '../../imapd/mime/section.ts';
import { checkBody } from './body-grammar.ts';
import { parseImapValue, type ImapValue } from './imap-tokens.ts';

const FRAGMENTS = [
  'Content-Type: multipart/mixed; boundary=a',
  'Content-Type: multipart/alternative; boundary="b"',
  'Content-Type: multipart/digest; boundary=a',
  'Content-Type: message/rfc822',
  'Content-Type: text/plain; charset*0*=utf-8\'\'%C3; charset*1=x',
  'Content-Type: TEXT/',
  'Content-Type: ;;;==',
  'Content-Type: image/png; name="\\"q\\""',
  'Content-Disposition: attachment; filename*=utf-8\'\'%E2%82%AC',
  'Content-Transfer-Encoding: base64',
  'Content-Language: en,,de',
  'From: "A (b)" <a@b>, group: c@d, (x) ;, <@r:e@f>',
  'To: =?utf-8?q?=C3=A9?= <x@y>,,,',
  'Subject: \u00e9\t\u0000 "q" \\',
  ' folded continuation',
  '--a',
  '--a--',
  '--b',
  '--b--',
  '',
  'body text',
  '\u00ff\u00fe binary',
];

const message = fc
  .array(fc.tuple(fc.constantFrom(...FRAGMENTS), fc.constantFrom('\r\n', '\n', '\r')), { maxLength: 60 })
  .map((lines) => Buffer.from(lines.map(([l, eol]) => l + eol).join(''), 'utf8'));

const section: fc.Arbitrary<SectionSpec> = fc.record({
  path: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 5 }),
  text: fc.constantFrom(null, 'HEADER', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT', 'MIME', 'TEXT'),
  fields: fc.constant(['subject', 'CONTENT-TYPE']),
});

describe('hostile MIME', () => {
  test('random MIME never breaks the indexer, the renderers or section extraction', () => {
    fc.assert(
      fc.property(message, fc.array(section, { maxLength: 8 }), (raw, sections) => {
        const m = indexMessage(raw);
        const root = JSON.parse(JSON.stringify(m.root)) as typeof m.root;
        checkBody(parseImapValue(renderBodyStructure(root, true)), true);
        checkBody(parseImapValue(renderBodyStructure(root, false)), false);
        const envelope = parseImapValue(renderEnvelope(m.envelope));
        assert.ok(Array.isArray(envelope) && envelope.length === 10);
        for (const spec of sections) {
          const bytes = extractSection(raw, root, spec);
          if (spec.text === 'HEADER.FIELDS' || spec.text === 'HEADER.FIELDS.NOT') continue; // built, not sliced
          assert.ok(bytes.length === 0 || raw.includes(bytes), 'a section is part of the message');
        }
      }),
      { numRuns: 400 },
    );
  });

  test('10,000 nested multiparts are cut off at a bounded depth and still render', () => {
    const depth = 10_000;
    let raw = 'Content-Type: multipart/mixed; boundary=b0\r\n\r\n';
    for (let i = 1; i <= depth; i++) raw += `--b${i - 1}\r\nContent-Type: multipart/mixed; boundary=b${i}\r\n\r\n`;
    const m = indexMessage(Buffer.from(raw));
    let levels = 0;
    for (let p = m.root; p.parts; p = p.parts[0]) levels++;
    assert.ok(levels > 50 && levels <= 101, `${levels} levels`);
    checkBody(parseImapValue(renderBodyStructure(m.root, true)), true);
  });

  test('a 1 MB header value and many parts render without trouble', () => {
    const parts = Array.from({ length: 2000 }, (_, i) => `--p\r\nContent-Type: text/plain; name=f${i}\r\n\r\n${i}\r\n`).join('');
    const raw = Buffer.from(`Subject: ${'s'.repeat(1 << 20)}\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n${parts}--p--\r\n`);
    const m = indexMessage(raw);
    assert.equal(m.root.parts?.length, 2000);
    const env = parseImapValue(renderEnvelope(m.envelope)) as ImapValue[];
    assert.equal((env[1] as string).length, 1 << 20);
    assert.equal(extractSection(raw, m.root, { path: [2000], text: null }).toString(), '1999');
  });
});
