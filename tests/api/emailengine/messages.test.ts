// The mail API's reading routes (EmailEngine's GET …/messages, …/message/:id,
// …/message/:id/source, …/text/:id, …/attachment/:id): paging newest first,
// decoded subjects, names and text (encoded words, ISO-8859-1, quoted-
// printable), headers as an object of arrays, attachments decoded byte for
// byte (base64, quoted-printable, inside an attached message), the source as stored.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { describe, test } from 'node:test';
import { assertMailApiError, type MailWorld, OTHER, OWNER, plain, useMailWorld } from './world.ts';
import { fetchWithDeadline } from '../../helpers/deadline.ts';

const wrap76 = (s: string) => s.replace(/.{1,76}/g, '$&\r\n');
/** Quoted-printable of arbitrary bytes, lines under 76 characters with soft breaks. */
function qp(bytes: Buffer): string {
  let out = '';
  let line = '';
  for (const b of bytes) {
    const piece = (b >= 33 && b <= 126 && b !== 61) || b === 32 ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    if (line.length + piece.length > 72) {
      out += `${line}=\r\n`;
      line = '';
    }
    line += piece;
  }
  return `${out}${line}=\r\n`.replace(/ =\r\n/g, '=20=\r\n');
}

const PDF = crypto.randomBytes(100_000);
const CSV = Buffer.concat([Buffer.from('name;city\r\nJörg;Köln\r\n'), crypto.randomBytes(3000), Buffer.from([0x3d, 0x20, 0x09, 0x0d, 0x0a])]);
const INNER_PNG = crypto.randomBytes(5000);

/** Text and HTML alternatives, two attachments and an attached message with its own attachment. */
function richMessage(): Buffer {
  const inner =
    'From: Carol <carol@remote.test>\r\nTo: bob@remote.test\r\nSubject: inner\r\nMIME-Version: 1.0\r\n' +
    'Content-Type: multipart/mixed; boundary="in"\r\n\r\n' +
    '--in\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nInner text.\r\n' +
    '--in\r\nContent-Type: image/png; name="pic.png"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="pic.png"\r\n\r\n' +
    wrap76(INNER_PNG.toString('base64')) +
    '--in--\r\n';
  const text =
    'From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <jorg@remote.test>\r\n' +
    'To: Owner <owner@heron.test>, "Second, Person" <second@remote.test>\r\n' +
    'Cc: =?UTF-8?B?w4Rnb24=?= <agon@remote.test>\r\n' +
    'Bcc: hidden@remote.test\r\n' +
    'Subject: =?UTF-8?B?w4RwZmVsIHVuZCBCaXJuZW4=?= =?UTF-8?Q?_f=C3=BCr_dich?=\r\n' +
    'Date: Tue, 03 Nov 2026 09:30:00 +0100\r\n' +
    'Message-ID: <rich@remote.test>\r\n' +
    'In-Reply-To: <earlier@remote.test>\r\n' +
    'Received: from a by b\r\n' +
    'Received: from c by d\r\n' +
    'MIME-Version: 1.0\r\n' +
    'Content-Type: multipart/mixed; boundary="outer"\r\n\r\n' +
    '--outer\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n' +
    '--alt\r\nContent-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=FC=DFe aus K=F6ln.\r\nZweite Zeile.\r\n' +
    '--alt\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
    wrap76(Buffer.from('<p>Grüße aus <b>Köln</b>.</p>').toString('base64')) +
    '--alt--\r\n' +
    "--outer\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename*=UTF-8''%C3%9Cbersicht%202026.pdf\r\n\r\n" +
    wrap76(PDF.toString('base64')) +
    '--outer\r\nContent-Type: text/csv; charset=utf-8; name="data.csv"\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Disposition: attachment; filename="data.csv"\r\nContent-ID: <csv@remote.test>\r\n\r\n' +
    qp(CSV) +
    '--outer\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="forwarded.eml"\r\n\r\n' +
    inner +
    '--outer--\r\n';
  return Buffer.from(text, 'latin1');
}

async function download(w: MailWorld, path: string, token: string) {
  const res = await fetchWithDeadline(`http://127.0.0.1:${w.heron.ports.api}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('mail API: reading messages', () => {
  let w: MailWorld;
  let richId: string;
  const raw = richMessage();

  useMailWorld(async (world) => {
    w = world;
    await w.call('POST', `/v1/account/${OWNER}/mailbox`, w.owner, { path: 'Paging' });
    for (let i = 1; i <= 25; i++) await w.deliver(OWNER, 'Paging', plain(`Paged ${i}`), { internalDate: Date.UTC(2026, 0, i) });
    richId = await w.deliver(OWNER, 'INBOX', raw);
  });

  test('listing: newest first, page/pages/total, cursors, an empty page past the end', async () => {
    const first = await w.call('GET', `/v1/account/${OWNER}/messages?path=Paging&pageSize=10`, w.owner);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.total, 25);
    assert.equal(first.body.pages, 3);
    assert.equal(first.body.page, 0);
    assert.equal(first.body.prevPageCursor, null);
    assert.deepEqual(
      first.body.messages.map((m: { uid: number }) => m.uid),
      [25, 24, 23, 22, 21, 20, 19, 18, 17, 16],
    );
    assert.equal(first.body.messages[0].subject, 'Paged 25');
    const last = await w.call('GET', `/v1/account/${OWNER}/messages?path=Paging&pageSize=10&page=2`, w.owner);
    assert.deepEqual(
      last.body.messages.map((m: { uid: number }) => m.uid),
      [5, 4, 3, 2, 1],
    );
    assert.equal(last.body.nextPageCursor, null);
    const viaCursor = await w.call('GET', `/v1/account/${OWNER}/messages?path=Paging&pageSize=10&cursor=${first.body.nextPageCursor}`, w.owner);
    assert.equal(viaCursor.body.page, 1);
    assert.equal(viaCursor.body.messages[0].uid, 15);
    const beyond = await w.call('GET', `/v1/account/${OWNER}/messages?path=Paging&pageSize=10&page=7`, w.owner);
    assert.deepEqual([beyond.status, beyond.body.total, beyond.body.messages], [200, 25, []]);
    // Defaults: page 0, 20 per page.
    assert.equal((await w.call('GET', `/v1/account/${OWNER}/messages?path=Paging`, w.owner)).body.messages.length, 20);

    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/messages?path=Paging&cursor=imap_garbage`, w.owner), 400);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/messages?path=Paging&pageSize=0`, w.owner), 400);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/messages?path=Paging&pageSize=1001`, w.owner), 400);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/messages?path=Paging&page=-1`, w.owner), 400);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/messages`, w.owner), 400);
    const missing = await w.call('GET', `/v1/account/${OWNER}/messages?path=Nope`, w.owner);
    assertMailApiError(missing, 404);
    assert.equal(missing.body.code, 'FolderNotFound');
  });

  test('a listing entry: decoded subject and names, flags as booleans, text and attachment ids', async () => {
    const reply = await w.call('GET', `/v1/account/${OWNER}/messages?path=${encodeURIComponent('\\Inbox')}`, w.owner);
    assert.equal(reply.status, 200, reply.text);
    const m = reply.body.messages.find((e: { id: string }) => e.id === richId);
    assert.ok(m, reply.text);
    assert.equal(m.subject, 'Äpfel und Birnen für dich');
    assert.deepEqual(m.from, { name: 'Jörg Müller', address: 'jorg@remote.test' });
    assert.deepEqual(m.to, [
      { name: 'Owner', address: 'owner@heron.test' },
      { name: 'Second, Person', address: 'second@remote.test' },
    ]);
    assert.deepEqual(m.cc, [{ name: 'Ägon', address: 'agon@remote.test' }]);
    assert.equal(m.bcc, undefined, 'Bcc only in the details');
    assert.equal(m.date, '2026-11-03T08:30:00.000Z');
    assert.equal(m.messageId, '<rich@remote.test>');
    assert.equal(m.inReplyTo, '<earlier@remote.test>');
    assert.equal(m.path, 'INBOX');
    assert.equal(m.messageSpecialUse, '\\Inbox');
    assert.equal(m.size, raw.length);
    assert.deepEqual([m.unseen, m.flagged, m.answered, m.draft], [true, false, false, false]);
    assert.deepEqual(m.flags, []);
    assert.match(m.emailId, /^M[0-9a-f]{24}$/);
    assert.match(m.threadId, /^T[0-9a-f]{24}$/);
    assert.match(m.text.id, /^[A-Za-z0-9_-]+$/);
    assert.ok(m.text.encodedSize.plain > 0 && m.text.encodedSize.html > 0);
    const attachments = m.attachments as Array<Record<string, unknown>>;
    assert.deepEqual(
      attachments.map((a) => [a.contentType, a.filename ?? null, a.encodedInMessage]),
      [
        ['application/pdf', 'Übersicht 2026.pdf', false],
        ['text/csv', 'data.csv', false],
        ['message/rfc822', 'forwarded.eml', false],
        ['image/png', 'pic.png', true],
      ],
    );
    assert.equal(attachments[1].contentId, '<csv@remote.test>');
    assert.equal(attachments[0].embedded, false);
    assert.equal(attachments[0].inline, false);
    assert.ok((attachments[0].encodedSize as number) > PDF.length);
  });

  test('one message: details, headers as arrays, the text with textType, cut at maxBytes', async () => {
    const base = `/v1/account/${OWNER}/message/${richId}`;
    const bare = await w.call('GET', base, w.owner);
    assert.equal(bare.status, 200, bare.text);
    assert.equal(bare.body.text.plain, undefined, 'no text unless asked');
    assert.deepEqual(bare.body.bcc, [{ address: 'hidden@remote.test' }]);
    assert.deepEqual(bare.body.sender, { name: 'Jörg Müller', address: 'jorg@remote.test' });
    assert.deepEqual(bare.body.headers.received, ['from a by b', 'from c by d']);
    assert.deepEqual(bare.body.headers['message-id'], ['<rich@remote.test>']);
    assert.equal(bare.body.specialUse, '\\Inbox');

    const all = await w.call('GET', `${base}?textType=*`, w.owner);
    // As in EmailEngine, the text parts of an attached message count too, after the message's own.
    assert.equal(all.body.text.plain, 'Grüße aus Köln.\nZweite Zeile.\nInner text.');
    assert.equal(all.body.text.html, '<p>Grüße aus <b>Köln</b>.</p>');
    assert.equal(all.body.text.hasMore, false);
    const htmlOnly = await w.call('GET', `${base}?textType=html`, w.owner);
    assert.deepEqual([htmlOnly.body.text.plain, htmlOnly.body.text.html], [undefined, '<p>Grüße aus <b>Köln</b>.</p>']);
    const cut = await w.call('GET', `${base}?textType=plain&maxBytes=6`, w.owner);
    assert.deepEqual([cut.body.text.plain, cut.body.text.hasMore], ['Grüße ', true]);

    const text = await w.call('GET', `/v1/account/${OWNER}/text/${all.body.text.id}`, w.owner);
    assert.deepEqual(text.body, { plain: 'Grüße aus Köln.\nZweite Zeile.\nInner text.', html: '<p>Grüße aus <b>Köln</b>.</p>', hasMore: false });
    const textCut = await w.call('GET', `/v1/account/${OWNER}/text/${all.body.text.id}?textType=html&maxBytes=3`, w.owner);
    assert.deepEqual(textCut.body, { html: '<p>', hasMore: true });

    assertMailApiError(await w.call('GET', `${base}?textType=rtf`, w.owner), 400);
    assertMailApiError(await w.call('GET', `${base}?webSafeHtml=true`, w.owner), 400);
    const nope = await w.call('GET', `/v1/account/${OWNER}/message/00000000-0000-4000-8000-000000000000`, w.owner);
    assertMailApiError(nope, 404);
    assert.equal(nope.body.code, 'MessageNotFound');
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/message/AAAAAQAACnA`, w.owner), 404);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/text/${richId}`, w.owner), 404);
  });

  test('attachments come decoded, byte for byte, with their type and file name; the source as stored', async () => {
    const entry = (await w.call('GET', `/v1/account/${OWNER}/message/${richId}`, w.owner)).body;
    const [pdf, csv, eml, png] = entry.attachments as Array<{ id: string }>;
    const gotPdf = await download(w, `/v1/account/${OWNER}/attachment/${pdf.id}`, w.owner);
    assert.equal(gotPdf.status, 200);
    assert.ok(gotPdf.bytes.equals(PDF), 'base64 attachment byte for byte');
    assert.equal(gotPdf.headers.get('content-type'), 'application/pdf');
    assert.match(gotPdf.headers.get('content-disposition') ?? '', /^attachment; filename="Ubersicht 2026\.pdf"; filename\*=UTF-8''%C3%9Cbersicht%202026\.pdf$/);
    const gotCsv = await download(w, `/v1/account/${OWNER}/attachment/${csv.id}`, w.owner);
    assert.ok(gotCsv.bytes.equals(CSV), 'quoted-printable attachment byte for byte');
    assert.equal(gotCsv.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(gotCsv.headers.get('content-disposition'), 'attachment; filename="data.csv"');
    const gotPng = await download(w, `/v1/account/${OWNER}/attachment/${png.id}`, w.owner);
    assert.ok(gotPng.bytes.equals(INNER_PNG), 'the attachment of an attached message');
    const gotEml = await download(w, `/v1/account/${OWNER}/attachment/${eml.id}`, w.owner);
    // The CRLF before the outer boundary belongs to the boundary (RFC 2046 §5.1.1).
    assert.match(gotEml.bytes.toString(), /^From: Carol <carol@remote\.test>\r\n[\s\S]*--in--$/);
    assert.equal(gotEml.headers.get('content-type'), 'message/rfc822');

    const source = await download(w, `/v1/account/${OWNER}/message/${richId}/source`, w.owner);
    assert.equal(source.status, 200);
    assert.ok(source.bytes.equals(raw), 'the source byte for byte');
    assert.equal(source.headers.get('content-type'), 'message/rfc822');
    assert.equal(source.headers.get('content-length'), String(raw.length));

    // The text id is not an attachment id; made-up and foreign ids are not found.
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/attachment/${entry.text.id}`, w.owner), 404);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/attachment/AAAAAgAACrIyLjI`, w.owner), 404);
    assertMailApiError(await w.call('GET', `/v1/account/${OWNER}/attachment/${pdf.id.slice(0, -2)}`, w.owner), 404);
    assertMailApiError(await w.call('GET', `/v1/account/${OTHER}/attachment/${pdf.id}`, w.admin), 404);
    assertMailApiError(await w.call('GET', `/v1/account/${OTHER}/message/${richId}/source`, w.admin), 404);
  });

  test('markAsSeen adds \\Seen while reading', async () => {
    const id = await w.deliver(OWNER, 'INBOX', plain('to be seen'));
    const read = await w.call('GET', `/v1/account/${OWNER}/message/${id}?markAsSeen=true`, w.owner);
    assert.deepEqual([read.body.flags, read.body.unseen], [['\\Seen'], false]);
    const again = await w.call('GET', `/v1/account/${OWNER}/message/${id}`, w.owner);
    assert.deepEqual(again.body.flags, ['\\Seen']);
  });

  test('a message with a broken structure still lists and reads', async () => {
    const broken = 'Subject: =?utf-8?B?broken\r\nContent-Type: multipart/mixed\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!\r\n';
    const id = await w.deliver(OWNER, 'INBOX', broken);
    const details = await w.call('GET', `/v1/account/${OWNER}/message/${id}?textType=*`, w.owner);
    assert.equal(details.status, 200, details.text);
    assert.equal(details.body.subject, '=?utf-8?B?broken');
    const source = await download(w, `/v1/account/${OWNER}/message/${id}/source`, w.owner);
    assert.equal(source.bytes.toString(), broken);
  });
});
