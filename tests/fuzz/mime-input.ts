// Fuzz targets for messages: the MIME indexer run at delivery, and what IMAP
// renders from its output (BODYSTRUCTURE, ENVELOPE, BODY[section], strings).
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderBodyStructure } from '../../imapd/mime/bodystructure.ts';
import { humanString, renderEnvelope } from '../../imapd/mime/envelope.ts';
import { extractSection, type SectionSpec } from '../../imapd/mime/section.ts';
import { flagList } from '../../imapd/render/flags.ts';
import { astring, literal, nstring, string } from '../../imapd/render/quote.ts';
import { indexMessage, type IndexedMessage, type MimePart } from '../../schema/index.ts';
import { checkBody } from '../imap-mime/body-grammar.ts';
import { type ImapValue, parseImapValue } from '../imap-mime/imap-tokens.ts';
import type { FuzzTarget } from './target.ts';

// ------------------------------------------------------------------ messages

const eol = fc.constantFrom('\r\n', '\r\n', '\r\n', '\r\n', '\n', '\r');

const ADDRESSES = [
  'alice@example.org', 'Alice <alice@example.org>', '"A (b)" <a@b>, group: c@d, (x) ;, <@r:e@f>', '=?utf-8?q?=C3=A9t=C3=A9?= <x@y>,,,',
  '<user-from (comment)@ (comment) domain.org>', 'undisclosed-recipients:;', '"quoted \\" name" <q@h>', 'no-at-sign', '<>', '@', 'a@', '@b',
  'Ünïcödé <u@exämple.org>', '=?iso-8859-1?b?4Q==?= <l@h>', '"unterminated <x@y>', 'a@b (comment (nested)) , , c@d',
];
const CONTENT_TYPES = [
  'text/plain', 'text/plain; charset=utf-8', 'text/plain; charset="iso-8859-1"', 'text/plain; charset=koi8-r', 'text/plain; charset=x-unknown',
  'text/html; charset=utf-8', 'TEXT/PLAIN; CHARSET=US-ASCII', 'application/octet-stream; name="a.bin"', 'image/png; name="\\"q\\""',
  "text/plain; charset*0*=utf-8''%C3; charset*1=x", "application/pdf; name*=utf-8''%E2%82%AC.pdf", 'message/rfc822', 'message/partial; id=1',
  'TEXT/', ';;;==', 'multipart/mixed', 'text/plain; format=flowed; delsp=yes', 'text/plain; a=1; a=2; =; b', 'text/plain; charset=utf-16',
];
const ENCODINGS = ['7bit', '8bit', 'binary', 'base64', 'quoted-printable', 'BASE64', 'x-uuencode', '', 'quoted-printable (comment)'];
const DISPOSITIONS = ['inline', 'attachment', 'attachment; filename="r.pdf"', "attachment; filename*=utf-8''%E2%82%AC", 'ATTACHMENT;;', ';'];
const TEXTS = ['Hello', 'Caf\u00e9', '=C3=A9=\r', '=', 'SGVsbG8=', '<p>hi &amp; <b>bye</b></p>', '\u0000\u00ff', '', ' ', '.', '--b1', '--b1--', 'From x'];

/** A header value dense in the characters that structured fields give meaning to. */
const soup = fc.string({ unit: fc.constantFrom(...'()<>@,;:\\".[]=?*\'%/ \tabcXY0-_\u00e9\u0000'.split(''), '=?utf-8?q?', '?=', "''", '*0*=', '\r\n '), maxLength: 40 });
const STRUCTURED = ['From', 'To', 'Cc', 'Reply-To', 'Sender', 'Content-Type', 'Content-Disposition', 'Content-Transfer-Encoding', 'Content-Language', 'Date', 'Subject', 'Message-ID', 'In-Reply-To'];

const headerField: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...STRUCTURED), fc.constantFrom('', 'text/plain; ', 'multipart/mixed; boundary=', 'attachment; filename*=', 'a@b, '), soup).map(([n, p, v]) => `${n}: ${p}${v}`),
  fc.constantFrom('From', 'To', 'Cc', 'Bcc', 'Sender', 'Reply-To').chain((n) => fc.constantFrom(...ADDRESSES).map((v) => `${n}: ${v}`)),
  fc.constantFrom(...CONTENT_TYPES).map((v) => `Content-Type: ${v}`),
  fc.constantFrom(...ENCODINGS).map((v) => `Content-Transfer-Encoding: ${v}`),
  fc.constantFrom(...DISPOSITIONS).map((v) => `Content-Disposition: ${v}`),
  fc.constantFrom('Subject: hello', 'Subject: =?utf-8?q?=C3=A9?=', 'Subject: \u00e9\t\u0000 "q" \\', 'Subject:', 'Subject: a\r\n  folded'),
  fc.constantFrom('Date: Mon, 7 Feb 1994 21:52:25 -0800', 'Date: garbage', 'Message-ID: <a@b>', 'In-Reply-To: <x@y> <z@w>', 'Content-ID: <c@d>'),
  fc.constantFrom('Content-Language: en,,de', 'Content-Location: http://x/y', 'Content-MD5: Q2hlY2s=', 'Content-Description: a part', 'MIME-Version: 1.0'),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(' folded continuation', '\tmore', 'no colon here', ': empty name', 'X-Long: ' + 'x'.repeat(1200)),
);

const textBody = fc.array(fc.oneof(fc.constantFrom(...TEXTS), fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 6 });

interface Entity {
  /** The entity's lines, each to be followed by a line end. */
  lines: string[];
}

const { entity } = fc.letrec<{ entity: Entity; multipart: Entity; message: Entity; leaf: Entity }>((tie) => ({
  entity: fc.oneof({ depthSize: 'small', maxDepth: 4 }, tie('leaf'), tie('multipart'), tie('message')),
  leaf: fc.tuple(fc.array(headerField, { maxLength: 5 }), fc.boolean(), textBody).map(([headers, blank, body]) => ({
    lines: [...headers, ...(blank ? [''] : []), ...body],
  })),
  multipart: fc
    .tuple(
      fc.constantFrom('mixed', 'alternative', 'digest', 'related', 'MIXED'),
      fc.constantFrom('b1', 'b2', 'b 3', '=_x', 'b1'),
      fc.array(headerField, { maxLength: 3 }),
      fc.array(tie('entity'), { maxLength: 4 }),
      fc.constantFrom('close', 'close', 'none', 'twice'),
      textBody,
    )
    .map(([sub, boundary, headers, children, ending, epilogue]) => ({
      lines: [
        `Content-Type: multipart/${sub}; boundary="${boundary}"`,
        ...headers,
        '',
        'preamble',
        ...children.flatMap((c) => [`--${boundary}`, ...c.lines]),
        ...(ending === 'none' ? [] : ending === 'twice' ? [`--${boundary}--`, `--${boundary}--`] : [`--${boundary}--`]),
        ...epilogue,
      ],
    })),
  message: fc.tuple(fc.array(headerField, { maxLength: 3 }), tie('entity')).map(([headers, inner]) => ({
    lines: ['Content-Type: message/rfc822', ...headers, '', ...inner.lines],
  })),
}));

/** A byte-level change a broken or hostile sender might make. */
const mutation = fc.tuple(fc.constantFrom('truncate', 'delete', 'insert', 'flip'), fc.nat(), fc.nat({ max: 40 }), fc.uint8Array({ minLength: 1, maxLength: 8 }));

function mutate(raw: Buffer, [kind, at, len, bytes]: [string, number, number, Uint8Array]): Buffer {
  const pos = raw.length ? at % (raw.length + 1) : 0;
  switch (kind) {
    case 'truncate':
      return raw.subarray(0, pos);
    case 'delete':
      return Buffer.concat([raw.subarray(0, pos), raw.subarray(pos + len)]);
    case 'insert':
      return Buffer.concat([raw.subarray(0, pos), Buffer.from(bytes), raw.subarray(pos)]);
    default:
      if (pos >= raw.length) return raw;
      return Buffer.concat([raw.subarray(0, pos), Buffer.from([bytes[0]]), raw.subarray(pos + 1)]);
  }
}

/** Messages: well-formed trees in any line ending, broken by a few mutations, or plain random bytes. */
export const rawMessage: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 8, arbitrary: fc
    .tuple(fc.array(headerField, { maxLength: 6 }), entity, fc.array(eol, { minLength: 1, maxLength: 4 }), fc.array(mutation, { maxLength: 3 }), fc.constantFrom('utf8', 'latin1'))
    .map(([top, body, ends, mutations, encoding]) => {
      const lines = [...top, ...body.lines];
      const text = lines.map((l, i) => l + ends[i % ends.length]).join('');
      return mutations.reduce(mutate, Buffer.from(text, encoding as BufferEncoding));
    }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)) },
);

// ------------------------------------------------------------------ indexer

function* partsOf(part: MimePart): Generator<MimePart> {
  yield part;
  for (const child of part.parts ?? []) yield* partsOf(child);
  if (part.message) yield* partsOf(part.message.root);
}

function countLf(raw: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (raw[i] === 0x0a) n++;
  return n;
}

/** Offsets inside the message and nested inside their parent's body; sizes and line counts match the bytes. */
export function checkOffsets(raw: Buffer, m: IndexedMessage): void {
  for (const part of partsOf(m.root)) {
    const where = `${part.type}/${part.subtype} at ${part.headerStart}`;
    assert.ok(0 <= part.headerStart && part.headerStart <= part.bodyStart && part.bodyStart <= part.bodyEnd && part.bodyEnd <= raw.length, `offsets in order and in bounds: ${where}`);
    assert.equal(part.size, part.bodyEnd - part.bodyStart, `size: ${where}`);
    const counted = part.type === 'text' || (part.type === 'message' && part.subtype === 'rfc822');
    assert.equal(part.lines, counted ? countLf(raw, part.bodyStart, part.bodyEnd) : 0, `lines: ${where}`);
    if (part.type === 'multipart') {
      assert.ok(part.parts && part.parts.length > 0, `a multipart has a part: ${where}`);
      let previousEnd = part.bodyStart;
      for (const child of part.parts) {
        assert.ok(child.headerStart >= previousEnd && child.bodyEnd <= part.bodyEnd, `parts in order inside the body: ${where}`);
        previousEnd = child.bodyEnd;
      }
    }
    if (part.message) {
      const inner = part.message.root;
      assert.ok(inner.headerStart >= part.bodyStart && inner.bodyEnd <= part.bodyEnd, `embedded message inside its part: ${where}`);
    }
  }
}

export const mimeIndexTarget: FuzzTarget = {
  name: 'mime-index',
  claim: 'never throws; every part\'s offsets lie inside the message and its parent; size and lines match the bytes; the result survives JSON',
  open: () => ({
    property: fc.property(rawMessage, (raw) => {
      const m = indexMessage(raw);
      checkOffsets(raw, m);
      // Stored as JSON on the row and read back by IMAP.
      assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
    }),
  }),
};

// ------------------------------------------------------------------ renderers

const strict = (text: string): ImapValue => parseImapValue(text, { strict: true });

const sectionSpec: fc.Arbitrary<SectionSpec> = fc.record({
  path: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 5 }),
  text: fc.constantFrom(null, 'HEADER', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT', 'MIME', 'TEXT'),
  fields: fc.array(fc.constantFrom('subject', 'FROM', 'content-type', 'x-long', 'nothing', ''), { minLength: 1, maxLength: 3 }),
});

/** Whether `bytes` is a view of `raw`'s memory (a slice, not a copy). */
function isSliceOf(bytes: Buffer, raw: Buffer): boolean {
  return bytes.buffer === raw.buffer && bytes.byteOffset >= raw.byteOffset && bytes.byteOffset + bytes.length <= raw.byteOffset + raw.length;
}

export const mimeRenderTarget: FuzzTarget = {
  name: 'imap-render',
  claim: 'BODY, BODYSTRUCTURE and ENVELOPE of any message are valid IMAP (RFC 3501 §9 body grammar, strict strings and literals); BODY[section] stays inside the message',
  open: () => ({
    property: fc.property(rawMessage, fc.array(sectionSpec, { maxLength: 6 }), (raw, sections) => {
      const m = indexMessage(raw);
      const stored = JSON.parse(JSON.stringify(m)) as IndexedMessage;
      checkBody(strict(renderBodyStructure(stored.root, true)), true);
      checkBody(strict(renderBodyStructure(stored.root, false)), false);
      const envelope = strict(renderEnvelope(stored.envelope));
      assert.ok(Array.isArray(envelope) && envelope.length === 10, 'ENVELOPE has ten fields');
      for (const spec of sections) {
        const bytes = extractSection(raw, stored.root, spec);
        if (spec.text === 'HEADER.FIELDS' || spec.text === 'HEADER.FIELDS.NOT') {
          // Built from the header's own lines (each completed with CRLF when the header lacked a line end).
          for (const line of bytes.toString('latin1').split(/(?<=\n)/)) {
            assert.ok(line === '\r\n' || line === '\n' || raw.includes(Buffer.from(line.replace(/\r\n$/, ''), 'latin1')), `header line from the message: ${JSON.stringify(line)}`);
          }
        } else {
          assert.ok(bytes.length === 0 || isSliceOf(bytes, raw), 'a section is a slice of the message');
        }
      }
    }),
  }),
};

/** Text of every kind a header or a client may hand the string renderers. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '"', '\\', '\r', '\n', '\0', '\t', '\u00e9', '\u{1f600}', 'N', 'I', 'L', '{', '}', ']', '('), maxLength: 20 }),
  fc.constantFrom('', 'NIL', 'nil', ' ', 'x'.repeat(1025), '\u00ff'.repeat(3)),
);

/** The bytes a rendered string stands for: UTF-8, with NUL sent as 0x80 in literals. */
const wireBytes = (value: string, asLiteral: boolean) => {
  const bytes = Buffer.from(value, 'utf8');
  return asLiteral ? Buffer.from(bytes.map((b) => (b === 0 ? 0x80 : b))) : bytes;
};

export const quoteTarget: FuzzTarget = {
  name: 'imap-strings',
  claim: 'string, nstring, astring, literal, humanString and flag lists render valid IMAP that reads back as the value',
  open: () => ({
    property: fc.property(anyText, fc.array(fc.constantFrom('\\Seen', '\\Deleted', '$Junk', 'Label_1'), { maxLength: 4 }), (value, flags) => {
      for (const render of [string, nstring]) {
        const text = render(value);
        const parsed = strict(text);
        assert.equal(typeof parsed, 'string');
        assert.deepEqual(Buffer.from(parsed as string, 'latin1'), wireBytes(value, text.startsWith('{')), `${render.name} reads back`);
      }
      assert.equal(nstring(null), 'NIL');
      const a = astring(value);
      const parsedA = strict(a);
      if (typeof parsedA === 'object' && parsedA !== null && !Array.isArray(parsedA)) assert.equal(parsedA.atom, value, 'an atom is the value itself');
      else assert.deepEqual(Buffer.from(parsedA as string, 'latin1'), wireBytes(value, a.startsWith('{')));
      const lit = literal(Buffer.from(value, 'utf8'));
      assert.deepEqual(Buffer.from(strict(lit) as string, 'latin1'), wireBytes(value, true));
      const human = strict(humanString(value));
      assert.ok(typeof human === 'string', 'humanString is a string');
      assert.deepEqual(strict(flagList(flags)), flags.map((f) => ({ atom: f })));
    }),
  }),
};

export const MIME_TARGETS = [mimeIndexTarget, mimeRenderTarget, quoteTarget];
