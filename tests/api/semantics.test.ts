// What writes do through the store: messages (raw forms, parsed view, flags and
// expunge with IMAP notifications and journal rows), mailboxes as IMAP
// CREATE/RENAME/DELETE, accounts (hashed password, cascade), mail servers
// (reload notification) and certificate import.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { describe, test } from 'node:test';
import { generateSelfSigned } from '../../certs/self-signed.ts';
import { verifyMailAccountLogin } from '../../schema/index.ts';
import { api, type Api, assertError, buildWorld, message, type TestHeron, useHeron, type World } from './client.ts';

const MULTIPART = [
  'From: a@remote.test',
  'To: owner@heron.test',
  'Subject: With attachment',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: multipart/alternative; boundary="b2"',
  '',
  '--b2',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Plain body',
  '--b2',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>HTML body</p>',
  '--b2--',
  '--b1',
  'Content-Type: application/pdf; name="report.pdf"',
  'Content-Disposition: attachment; filename="report.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('%PDF-1.4 fake').toString('base64'),
  '--b1--',
  '',
].join('\r\n');

describe('write semantics', () => {
  let heron: TestHeron;
  let a: Api;
  let w: World;
  const events: Array<[string, unknown]> = [];

  useHeron(async (h) => {
    heron = h;
    a = api(heron);
    w = await buildWorld(a);
    for (const name of ['mailbox', 'mailboxes', 'mail_server', 'certificate'] as const) {
      heron.store.events.on(name, (...args: unknown[]) => events.push([name, args[0]]));
    }
  });

  const inbox = () => ({ mail_box_id: { type: 'mail_box', id: w.ownerInboxId } });
  const raw = async (id: string) => Buffer.from((await a.get(`/api/mail/${id}`, w.owner)).body.data.attributes.mail, 'base64');

  test('mail: base64, gzip+base64 and plain text (LF becomes CRLF) are stored byte-exact', async () => {
    const bytes = Buffer.from(message('Base64 form'));
    const b64 = await a.create(w.owner, 'mail', { mail: bytes.toString('base64') }, inbox());
    assert.deepEqual(await raw(b64), bytes);
    const gz = await a.create(w.owner, 'mail', { mail: zlib.gzipSync(bytes).toString('base64') }, inbox());
    assert.deepEqual(await raw(gz), bytes);
    const plain = await a.create(w.owner, 'mail', { mail: 'Subject: LF only\nFrom: x@remote.test\n\nbody\n' }, inbox());
    assert.equal((await raw(plain)).toString(), 'Subject: LF only\r\nFrom: x@remote.test\r\n\r\nbody\r\n');
  });

  test('mail: a single read has the parsed view; lists carry metadata only', async () => {
    const id = await a.create(w.owner, 'mail', { mail: MULTIPART }, inbox());
    const one = (await a.get(`/api/mail/${id}`, w.owner)).body.data.attributes;
    assert.equal(one.text.trim(), 'Plain body');
    assert.equal(one.html.trim(), '<p>HTML body</p>');
    assert.deepEqual(one.attachments.map((x: { filename: string; content_type: string; size: number }) => [x.filename, x.content_type, x.size]), [
      ['report.pdf', 'application/pdf', 13],
    ]);
    assert.equal(one.has_attachment, true);
    const list = await a.get(`/api/mail?filter[id]=${id}`, w.owner);
    assert.equal(list.body.data[0].attributes.subject, 'With attachment');
    assert.equal(list.body.data[0].attributes.mail, undefined);
    assert.equal(list.body.data[0].attributes.html, undefined);
  });

  test('mail: PATCH flags and DELETE go through the store (IMAP sessions are told)', async () => {
    const id = await a.create(w.owner, 'mail', { mail: message('Flag me') }, inbox());
    events.length = 0;
    const patched = await a.patch(`/api/mail/${id}`, w.owner, { data: { type: 'mail', attributes: { flags: '\\Flagged $Work \\Recent', seen: true } } });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.body.data.attributes.flags, ['$Work', '\\Flagged', '\\Seen']);
    assert.equal(patched.body.data.attributes.seen, true);
    assert.equal(events.length, 1);
    assert.equal(events[0][0], 'mailbox');
    const uid = patched.body.data.attributes.uid;
    const journal = () => heron.store.all<{ kind: string }>(`SELECT kind FROM mail_change c JOIN mail_box b ON b.id = c.mail_box_id WHERE b.reference_id = ? AND c.uid = ? ORDER BY c.id`, w.ownerInboxId, uid);
    assert.deepEqual((await journal()).map((j) => j.kind), ['new', 'flags']);
    const unset = await a.patch(`/api/mail/${id}`, w.owner, { data: { type: 'mail', attributes: { seen: false } } });
    assert.deepEqual(unset.body.data.attributes.flags, ['$Work', '\\Flagged']);
    events.length = 0;
    assert.equal((await a.delete(`/api/mail/${id}`, w.owner)).status, 204);
    assert.deepEqual(events.map((e) => e[0]), ['mailbox']);
    assert.deepEqual((await journal()).map((j) => j.kind), ['new', 'flags', 'flags', 'expunge']);
    assertError(await a.get(`/api/mail/${id}`, w.owner), 404);
  });

  test('mail_box: rename moves children, delete keeps a \\Noselect parent, INBOX stays', async () => {
    const rel = { mail_account_id: { type: 'mail_account', id: w.ownerAccountId } };
    const parent = await a.create(w.owner, 'mail_box', { name: 'Work' }, rel);
    await a.create(w.owner, 'mail_box', { name: 'Work/2026' }, rel);
    events.length = 0;
    const renamed = await a.patch(`/api/mail_box/${parent}`, w.owner, { data: { type: 'mail_box', attributes: { name: 'Job' } } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.data.attributes.name, 'Job');
    assert.deepEqual(events.map((e) => e[0]), ['mailboxes']);
    const names = (await a.get(`/api/mail_account/${w.ownerAccountId}/mail_box?sort=name&fields=name`, w.owner)).body.data.map((d: { attributes: { name: string } }) => d.attributes.name);
    assert.ok(names.includes('Job/2026') && !names.includes('Work/2026'));
    assert.equal((await a.delete(`/api/mail_box/${parent}`, w.owner)).status, 204);
    const kept = await a.get(`/api/mail_box/${parent}`, w.owner);
    assert.equal(kept.body.data.attributes.noselect, true);
    assertError(
      await a.post('/api/mail', w.owner, { data: { type: 'mail', attributes: { mail: message('nope') }, relationships: { mail_box_id: { data: { type: 'mail_box', id: parent } } } } }),
      422,
    );
  });

  test('mail_account: password hashed and write-only; delete removes mailboxes and mail', async () => {
    const id = await a.create(w.admin, 'mail_account', { username: 'temp@heron.test', password: 'first-password', password_md5: 'ignored' });
    const changed = await a.patch(`/api/mail_account/${id}`, w.admin, { data: { type: 'mail_account', attributes: { password: 'second-password', password_md5: 'x' } } });
    assert.equal(changed.status, 200);
    assert.doesNotMatch(changed.text, /password/);
    assert.ok(await verifyMailAccountLogin(heron.store, 'temp@heron.test', 'second-password'));
    assert.equal(await verifyMailAccountLogin(heron.store, 'temp@heron.test', 'first-password'), null);
    const boxes = (await a.get(`/api/mail_account/${id}/mail_box`, w.admin)).body.data;
    assert.deepEqual(boxes.map((b: { attributes: { name: string } }) => b.attributes.name).sort(), ['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    const inboxId = boxes.find((b: { attributes: { name: string } }) => b.attributes.name === 'INBOX').id;
    await a.create(w.admin, 'mail', { mail: message('goes away') }, { mail_box_id: { type: 'mail_box', id: inboxId } });
    const internal = (await heron.store.get<{ id: number }>('SELECT id FROM mail_account WHERE reference_id = ?', id))!;
    assert.equal((await a.delete(`/api/mail_account/${id}`, w.admin)).status, 204);
    const left = await heron.store.get('SELECT (SELECT count(*) FROM mail_box WHERE mail_account_id = ?) AS boxes, (SELECT count(*) FROM mail WHERE mail_account_id = ?) AS mails', internal.id, internal.id);
    assert.deepEqual(left, { boxes: 0, mails: 0 });
  });

  test('mail_server: create, change and delete tell the listeners', async () => {
    events.length = 0;
    const id = await a.create(w.admin, 'mail_server', { hostname: 'reload.test' });
    const patched = await a.patch(`/api/mail_server/${id}`, w.admin, { data: { type: 'mail_server', attributes: { is_enabled: false, listen_interface: '127.0.0.1:0' } } });
    assert.equal(patched.body.data.attributes.is_enabled, false);
    assert.equal((await a.delete(`/api/mail_server/${id}`, w.admin)).status, 204);
    assert.deepEqual(events.map((e) => e[0]), ['mail_server', 'mail_server', 'mail_server']);
  });

  test('certificate import: checked, sealed, never returned', async () => {
    // Keys first: generating one takes seconds, and a request after a long pause may meet a keep-alive socket the server just closed.
    const good = generateSelfSigned('import.test');
    const other = generateSelfSigned('import.test');
    const elsewhere = generateSelfSigned('elsewhere.test');
    const expired = generateSelfSigned('import.test', [], 0);
    const id = await a.create(w.admin, 'certificate', { hostname: 'import.test' });
    const patch = (attributes: Record<string, unknown>) => a.patch(`/api/certificate/${id}`, w.admin, { data: { type: 'certificate', attributes } });
    assertError(await patch({ certificate_pem: good.certificatePem, private_key_pem: other.privateKeyPem }), 422);
    assertError(await patch({ certificate_pem: good.certificatePem }), 422);
    assertError(await patch({ certificate_pem: elsewhere.certificatePem, private_key_pem: good.privateKeyPem }), 422);
    assertError(await patch({ certificate_pem: good.certificatePem, private_key_pem: good.privateKeyPem, root_certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }), 422);
    assertError(await patch({ certificate_pem: good.certificatePem, private_key_pem: good.privateKeyPem, root_certificate: other.certificatePem }), 422);
    assertError(await patch({ certificate_pem: expired.certificatePem, private_key_pem: expired.privateKeyPem }), 422);
    events.length = 0;
    const ok = await patch({ certificate_pem: good.certificatePem, private_key_pem: good.privateKeyPem });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.data.attributes.source, 'imported');
    assert.equal(ok.body.data.attributes.has_private_key, true);
    assert.doesNotMatch(ok.text, /PRIVATE KEY/);
    assert.deepEqual(events, [['certificate', { hostname: 'import.test' }]]);
    const stored = (await heron.store.get<{ private_key_pem: string }>('SELECT private_key_pem FROM certificate WHERE reference_id = ?', id))!;
    assert.match(heron.secret.open(stored.private_key_pem), /BEGIN PRIVATE KEY/);
    const download = await a.post('/action/certificate/download_certificate', w.admin, { certificate_id: id });
    const lines = (pem: string) => pem.replace(/\r\n/g, '\n').trim();
    assert.equal(lines(Buffer.from(download.body[0].Attributes.content, 'base64').toString()), lines(good.certificatePem));
    const pub = await a.post('/action/certificate/download_public_key', w.admin, { certificate_id: id });
    assert.match(Buffer.from(pub.body[0].Attributes.content, 'base64').toString(), /BEGIN PUBLIC KEY/);
    assert.doesNotMatch(JSON.stringify([download.body, pub.body]), /PRIVATE/);
  });
});
