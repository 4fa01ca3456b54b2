// The Daptin guide's setup recipe (docs: daptin-smtp-server.md) as the same
// HTTP calls its curl commands make: sign in, create a certificate record and
// generate it, create a mail server, a mail account and INBOX, list the
// mailboxes with a `query` filter, create a mail row by hand, then read it.
// The guide's SMTP AUTH send and IMAP read are in tests/e2e/daptin-recipe.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { api, type Api, type TestHeron, useHeron } from './client.ts';

describe('Daptin setup recipe', () => {
  let heron: TestHeron;
  let a: Api;
  let TOKEN: string;
  const ids: Record<string, string> = {};
  const events: string[] = [];

  useHeron(async (h) => {
    heron = h;
    a = api(heron);
    for (const name of ['mail_server', 'certificate', 'mailboxes'] as const) heron.store.events.on(name, () => events.push(name));
  });

  test('sign in', async () => {
    TOKEN = await a.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
  });

  test('step 1: certificate record, then generate_self_certificate (JSON and form Content-Type)', async () => {
    const created = await a.post('/api/certificate', TOKEN, { data: { type: 'certificate', attributes: { hostname: 'mail.example.com' } } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.data.attributes.source, 'none');
    ids.cert = created.body.data.id;
    const gen = await a.post('/action/certificate/generate_self_certificate', TOKEN, { attributes: {}, certificate_id: ids.cert });
    assert.equal(gen.status, 200, gen.text);
    // The guide's second form: no Content-Type header (curl -d sends form encoding).
    const again = await a.post('/action/certificate/generate_self_certificate', TOKEN, { attributes: { hostname: 'mail.example.com' }, certificate_id: ids.cert }, { contentType: 'application/x-www-form-urlencoded' });
    assert.equal(again.status, 200, again.text);
    const row = await a.get(`/api/certificate/${ids.cert}`, TOKEN);
    assert.equal(row.body.data.attributes.source, 'self-signed');
    assert.equal(row.body.data.attributes.has_private_key, true);
    assert.match(row.body.data.attributes.certificate_pem, /BEGIN CERTIFICATE/);
    assert.doesNotMatch(row.text, /PRIVATE KEY|enc:v1:/);
    const stored = (await heron.store.get<{ private_key_pem: string }>('SELECT private_key_pem FROM certificate WHERE reference_id = ?', ids.cert))!;
    assert.ok(stored.private_key_pem.startsWith('enc:v1:'), 'key sealed at rest');
    assert.ok(events.includes('certificate'));
  });

  test('step 2: mail server (listeners are told at once: no restart step)', async () => {
    events.length = 0;
    const reply = await a.post('/api/mail_server', TOKEN, {
      data: {
        type: 'mail_server',
        attributes: { hostname: 'mail.example.com', is_enabled: true, listen_interface: '0.0.0.0:465', always_on_tls: false, max_size: 10485760, max_clients: 100 },
      },
    });
    assert.equal(reply.status, 201, reply.text);
    ids.server = reply.body.data.id;
    assert.deepEqual(events, ['mail_server']);
    const sync = await a.post('/action/mail_server/sync_mail_servers', TOKEN, undefined);
    assert.equal(sync.status, 200, sync.text);
    assert.deepEqual(events, ['mail_server', 'mail_server']);
  });

  test('step 4: mail account with password and password_md5', async () => {
    const reply = await a.post('/api/mail_account', TOKEN, {
      data: {
        type: 'mail_account',
        attributes: { username: 'noreply@example.com', password: 'account-password', password_md5: 'account-password' },
        relationships: { mail_server_id: { data: { type: 'mail_server', id: ids.server } } },
      },
    });
    assert.equal(reply.status, 201, reply.text);
    ids.account = reply.body.data.id;
    assert.equal(reply.body.data.relationships.mail_server_id.data.id, ids.server);
    assert.doesNotMatch(reply.text, /account-password|scrypt/);
    const hash = (await heron.store.get<{ password_hash: string }>('SELECT password_hash FROM mail_account WHERE reference_id = ?', ids.account))!;
    assert.match(hash.password_hash, /^scrypt\$/);
  });

  test('step 5: INBOX (already made with the account: answered with the existing row)', async () => {
    const reply = await a.post('/api/mail_box', TOKEN, {
      data: {
        type: 'mail_box',
        attributes: {
          name: 'INBOX',
          subscribed: true,
          uidvalidity: 1,
          nextuid: 1,
          attributes: '\\HasNoChildren',
          flags: '\\Seen \\Answered \\Flagged \\Deleted \\Draft',
          permanent_flags: '\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*',
        },
        relationships: { mail_account_id: { data: { type: 'mail_account', id: ids.account } } },
      },
    });
    assert.equal(reply.status, 200, reply.text);
    ids.inbox = reply.body.data.id;
    assert.equal(reply.body.data.attributes.name, 'INBOX');
    assert.equal(reply.body.data.attributes.permanent_flags, '\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*');
    // A new name is a real IMAP CREATE.
    events.length = 0;
    const archive = await a.post('/api/mail_box', TOKEN, {
      data: { type: 'mail_box', attributes: { name: 'Archive/2026' }, relationships: { mail_account_id: { data: { type: 'mail_account', id: ids.account } } } },
    });
    assert.equal(archive.status, 201, archive.text);
    assert.deepEqual(events, ['mailboxes']);
  });

  test('list mailboxes with a query filter', async () => {
    const query = JSON.stringify([{ column: 'mail_account_id', operator: 'is', value: ids.account }]);
    const reply = await a.get(`/api/mail_box?query=${encodeURIComponent(query)}`, TOKEN);
    assert.equal(reply.status, 200, reply.text);
    const names = reply.body.data.map((d: { attributes: { name: string } }) => d.attributes.name).sort();
    assert.deepEqual(names, ['Archive', 'Archive/2026', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    assert.equal(reply.body.meta.total_count, 7);
  });

  test('manual email creation with the guide\'s attributes; Heron fills the metadata from the message', async () => {
    const users = await a.get('/api/user_account', TOKEN);
    const USER_ID = users.body.data[0].id;
    const reply = await a.post('/api/mail', TOKEN, {
      data: {
        type: 'mail',
        attributes: {
          message_id: '<unique-id@example.com>',
          mail_id: 'unique-hash',
          from_address: 'sender@example.com',
          to_address: 'noreply@example.com',
          sender_address: 'sender@example.com',
          subject: 'Email Subject',
          body: 'Plain text body',
          mail: 'From: sender@example.com\r\nTo: noreply@example.com\r\nSubject: Email Subject\r\n\r\nEmail body.',
          spam_score: 0,
          spam: false,
          hash: 'unique-hash',
          content_type: 'text/plain',
          reply_to_address: 'sender@example.com',
          internal_date: '2026-01-23T12:00:00Z',
          recipient: 'noreply@example.com',
          has_attachment: false,
          ip_addr: '127.0.0.1',
          return_path: 'sender@example.com',
          is_tls: false,
          seen: false,
          recent: true,
          flags: '\\Recent',
          size: 100,
        },
        relationships: {
          mail_box_id: { data: { type: 'mail_box', id: ids.inbox } },
          user_account_id: { data: { type: 'user_account', id: USER_ID } },
        },
      },
    });
    assert.equal(reply.status, 201, reply.text);
    const attrs = reply.body.data.attributes;
    assert.equal(attrs.subject, 'Email Subject');
    assert.equal(attrs.from_address, 'sender@example.com');
    assert.equal(attrs.uid, 1);
    assert.equal(attrs.internal_date, '2026-01-23T12:00:00.000Z');
    assert.deepEqual(attrs.flags, [], '\\Recent is session state, never stored');
    assert.equal(attrs.seen, false);
    assert.equal(attrs.recent, true);
    assert.equal(attrs.body, 'Email body.');
    assert.equal(Buffer.from(attrs.mail, 'base64').toString(), 'From: sender@example.com\r\nTo: noreply@example.com\r\nSubject: Email Subject\r\n\r\nEmail body.');
    assert.equal(attrs.size, 88, 'size is the stored byte count, not the attribute sent');
    const status = await a.post('/action/mail_box/status', TOKEN, { attributes: {}, mail_box_id: ids.inbox });
    assert.equal(status.status, 200, status.text);
    const s = status.body[0].Attributes;
    assert.equal(s.messages, 1);
    assert.equal(s.unseen, 1);
    assert.equal(s.uidnext, 2);
    assert.equal(s.latest.attributes.subject, 'Email Subject');
  });

  test('GET /api/mail_server/<id> answers (the guide\'s "get DKIM public key" call)', async () => {
    const reply = await a.get(`/api/mail_server/${ids.server}`, TOKEN);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.data.attributes.hostname, 'mail.example.com');
  });
});
