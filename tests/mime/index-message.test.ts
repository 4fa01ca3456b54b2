import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { indexMessage } from '../../schema/index.ts';

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');

describe('MIME indexer', () => {
  test('multipart with an attachment and an embedded message: offsets, sizes, lines, envelope', () => {
    const raw = crlf(`From: "Ann Example" <ann@example.test>
To: Friends: bob@example.test, carol@example.test;, dave@example.test
Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=
Message-ID: <m1@example.test>
Content-Type: multipart/mixed; boundary="outer"

preamble
--outer
Content-Type: text/plain; charset=utf-8

Hello
there
--outer
Content-Type: application/pdf; name="r.pdf"
Content-Disposition: attachment; filename*0*=utf-8''r%C3%A9; filename*1=".pdf"
Content-Transfer-Encoding: base64

JVBERi0=
--outer
Content-Type: message/rfc822

From: inner@example.test
Subject: inner

inner body
--outer--
epilogue
`);
    const m = indexMessage(raw);
    assert.equal(m.subject, 'Grüße');
    assert.equal(m.envelope.subject, '=?utf-8?q?Gr=C3=BC=C3=9Fe?=', 'ENVELOPE keeps the raw subject');
    assert.deepEqual(m.envelope.from, [{ name: 'Ann Example', adl: null, mailbox: 'ann', host: 'example.test' }]);
    assert.deepEqual(m.envelope.sender, m.envelope.from, 'Sender defaults to From');
    assert.deepEqual(m.envelope.to, [
      { name: null, adl: null, mailbox: 'Friends', host: null },
      { name: null, adl: null, mailbox: 'bob', host: 'example.test' },
      { name: null, adl: null, mailbox: 'carol', host: 'example.test' },
      { name: null, adl: null, mailbox: null, host: null },
      { name: null, adl: null, mailbox: 'dave', host: 'example.test' },
    ]);
    assert.equal(m.root.type, 'multipart');
    assert.equal(m.root.parts?.length, 3);
    const [text, pdf, inner] = m.root.parts!;
    assert.equal(raw.subarray(text.bodyStart, text.bodyEnd).toString(), 'Hello\r\nthere');
    assert.equal(text.size, 12);
    assert.equal(text.lines, 1, 'lines count line breaks; the one before the boundary belongs to the boundary (as Dovecot counts)');
    assert.equal(pdf.disposition?.params.filename, 'ré.pdf', 'RFC 2231 continuation decoded');
    assert.equal(pdf.encoding, 'BASE64');
    assert.equal(inner.message?.envelope.subject, 'inner');
    assert.equal(raw.subarray(inner.message!.root.bodyStart, inner.message!.root.bodyEnd).toString(), 'inner body');
    assert.equal(m.hasAttachment, true);
    assert.match(m.bodyText, /Hello\r\nthere/);
    assert.match(m.bodyText, /inner body/, 'embedded message text is indexed');
  });

  test('hostile input never throws and still yields a usable tree', () => {
    const cases: Buffer[] = [
      Buffer.alloc(0),
      crlf('\n\nbody only'),
      crlf('Content-Type: multipart/mixed; boundary=x\n\nno boundary here at all'),
      crlf('Content-Type: multipart/mixed\n\nmissing boundary parameter'),
      crlf('Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nunterminated'),
      crlf('Content-Type: text/\n\nbroken type'),
      Buffer.from('Subject: \xff\xfe 8-bit\r\n\r\n', 'latin1'),
      crlf('Content-Type: ' + 'multipart/mixed; boundary=a\n\n--a\n'.repeat(1) + 'Content-Type: multipart/mixed; boundary=a\n\n--a\n'.repeat(200)),
    ];
    for (const raw of cases) {
      const m = indexMessage(raw);
      assert.ok(m.root.type.length > 0);
      assert.ok(m.root.bodyEnd <= raw.length && m.root.bodyStart <= m.root.bodyEnd);
      if (m.root.type === 'multipart') assert.ok((m.root.parts?.length ?? 0) >= 1, 'a multipart always has a body part');
    }
    const noType = indexMessage(crlf('Subject: x\n\nhi'));
    assert.equal(`${noType.root.type}/${noType.root.subtype}`, 'text/plain');
    assert.deepEqual(noType.root.params, { charset: 'us-ascii' });
  });
});
