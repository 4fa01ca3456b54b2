// The RFC 8970 preview computed at delivery: which part, decoded how, shaped
// how (pure functions over message bytes; the IMAP side is tests/imap/preview.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { indexMessage } from '../../schema/index.ts';
import { htmlToText, previewFromText } from '../../schema/mime/preview.ts';

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');
const preview = (raw: Buffer) => indexMessage(raw).preview;

describe('preview', () => {
  test('plain text: white space runs become one space, at most 200 characters', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' \n\t ');
    const p = preview(crlf(`Subject: x\n\n  Hello,\n\n${words}\n`));
    assert.equal(Array.from(p).length <= 200, true);
    assert.ok(p.startsWith('Hello, word0 word1 word2'));
    assert.doesNotMatch(p, /\s{2}|[\r\n\t]/);
    assert.equal(preview(crlf('Subject: x\n\nexactly this\n')), 'exactly this');
    assert.equal(preview(crlf(`Subject: x\n\n${'a'.repeat(200)}\n`)), 'a'.repeat(200));
    assert.equal(preview(crlf(`Subject: x\n\n${'a'.repeat(201)}\n`)), 'a'.repeat(200));
  });

  test('transfer encodings and charsets are decoded', () => {
    const qp = crlf(`Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nCaf=C3=A9 cr=C3=A8me, tr=C3=A8s =\nbien.\n`);
    assert.equal(preview(qp), 'Café crème, très bien.');
    const latin1 = Buffer.concat([
      crlf('Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n'),
      Buffer.from(iconv.encode('Grüße aus Köln', 'latin1').toString('base64') + '\r\n'),
    ]);
    assert.equal(preview(latin1), 'Grüße aus Köln');
    const sjis = Buffer.concat([crlf('Content-Type: text/plain; charset=Shift_JIS\n\n'), iconv.encode('こんにちは 世界', 'Shift_JIS'), Buffer.from('\r\n')]);
    assert.equal(preview(sjis), 'こんにちは 世界');
  });

  test('the first text/plain part; HTML (stripped) only when there is no plain text', () => {
    const alternative = crlf(`Content-Type: multipart/alternative; boundary=b

--b
Content-Type: text/html

<p>HTML version</p>
--b
Content-Type: text/plain

Plain version
--b--
`);
    assert.equal(preview(alternative), 'Plain version');
    const html = crlf(`Content-Type: text/html; charset=utf-8

<html><head><title>Title</title><style>p { color: red }</style></head>
<body><!-- hidden --><p>Dear&nbsp;Ann,</p><p>Fish &amp; chips &#8364;5 &#x263A; &lt;ok&gt;</p><script>alert(1)</script></body></html>
`);
    assert.equal(preview(html), 'Dear Ann, Fish & chips €5 ☺ <ok>');
  });

  test('attachments and attached messages are not the preview; a message without text has an empty one', () => {
    const attached = crlf(`Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; name=notes.txt
Content-Disposition: attachment; filename=notes.txt

attached notes
--b
Content-Type: message/rfc822

Subject: inner

inner text
--b
Content-Type: image/png
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--b--
`);
    assert.equal(preview(attached), '');
    assert.equal(preview(crlf('Subject: empty\n\n')), '');
    assert.equal(preview(crlf('Content-Type: text/plain\n\n   \n\t\n')), '');
  });

  test('shaping: no cut surrogate pair, zero-width and control characters gone; HTML reduction', () => {
    const emoji = '😀'.repeat(250);
    assert.equal(previewFromText(emoji), '😀'.repeat(200));
    assert.equal(previewFromText('a\u200bb\u0000c\u00a0d\u2028e'), 'ab c d e');
    assert.equal(previewFromText(`${'x'.repeat(199)} y`), `${'x'.repeat(199)}`);
    assert.equal(htmlToText('a<br/>b<unclosed'), 'a b ');
    assert.equal(htmlToText('<!-- never closed'), ' ');
    assert.equal(htmlToText('&#0; &#xD800; &bogus; &AMP;'), '    &bogus; &');
  });
});
