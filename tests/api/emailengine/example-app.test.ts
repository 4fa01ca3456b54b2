// An app written the way EmailEngine's API examples are (plain HTTP with a
// bearer token, nothing Heron-specific but the base URL): it lists INBOX, reads
// a message with its text and attachment, flags it, moves it to a folder it
// makes, and replies with `reference`. Run unchanged against Heron, every
// step's effect is checked in the store or over IMAP.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fetchWithDeadline } from '../../helpers/deadline.ts';
import { type MailWorld, OTHER, OWNER, useMailWorld } from './world.ts';

/** The app: EmailEngine's documented calls, given a base URL, a token and an account. */
function emailEngineApp(baseUrl: string, token: string, account: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetchWithDeadline(`${baseUrl}/v1/account/${encodeURIComponent(account)}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const type = res.headers.get('content-type') ?? '';
    const payload = type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer());
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(payload)}`);
    return { payload, type, disposition: res.headers.get('content-disposition') ?? '' };
  };
  return {
    listInbox: async () => (await call('GET', '/messages?path=INBOX&page=0&pageSize=20')).payload,
    readMessage: async (id: string) => (await call('GET', `/message/${id}?textType=*`)).payload,
    readAttachment: (id: string) => call('GET', `/attachment/${id}`),
    flag: async (id: string) => (await call('PUT', `/message/${id}`, { flags: { add: ['\\Flagged'] } })).payload,
    createMailbox: async (path: string) => (await call('POST', '/mailbox', { path })).payload,
    move: async (id: string, path: string) => (await call('PUT', `/message/${id}/move`, { path })).payload,
    reply: async (id: string, text: string) => (await call('POST', '/submit', { reference: { message: id, action: 'reply' }, text })).payload,
  };
}

const PDF = Buffer.from('%PDF-1.4 quarterly figures\n');
const ORIGINAL =
  `From: Other <${OTHER}>\r\nTo: Owner <${OWNER}>\r\nSubject: Quarterly figures\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\n` +
  'Message-ID: <figures@heron.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
  '--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe figures are attached.\r\n' +
  `--b\r\nContent-Type: application/pdf; name="figures.pdf"\r\nContent-Disposition: attachment; filename="figures.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${PDF.toString('base64')}\r\n--b--\r\n`;

describe("EmailEngine's example app, unchanged", () => {
  let w: MailWorld;
  let token = '';
  useMailWorld(async (world) => {
    w = world;
    const made = await w.api.post('/api/access_token', w.owner, { data: { type: 'access_token', attributes: { description: 'example app', scopes: ['read', 'write', 'send'] } } });
    assert.equal(made.status, 201, made.text);
    token = made.body.data.attributes.token;
  });

  test('list INBOX, read the message and its attachment, flag it, move it, reply with reference', async () => {
    await w.deliver(OWNER, 'INBOX', ORIGINAL);
    const app = emailEngineApp(`http://127.0.0.1:${w.heron.ports.api}`, token, OWNER);

    const inbox = await app.listInbox();
    assert.equal(inbox.total, 1);
    const [listed] = inbox.messages;
    assert.equal(listed.subject, 'Quarterly figures');
    assert.equal(listed.from.address, OTHER);
    assert.equal(listed.unseen, true);

    const message = await app.readMessage(listed.id);
    assert.equal(message.text.plain.trim(), 'The figures are attached.');
    assert.equal(message.attachments.length, 1);
    assert.equal(message.attachments[0].filename, 'figures.pdf');
    const attachment = await app.readAttachment(message.attachments[0].id);
    assert.match(attachment.type, /^application\/pdf/);
    assert.match(attachment.disposition, /figures\.pdf/);
    assert.deepEqual(attachment.payload, PDF, 'decoded, byte for byte');

    await app.flag(listed.id);
    await app.createMailbox('Figures');
    const moved = await app.move(listed.id, 'Figures');
    assert.equal(moved.path, 'Figures');

    // Over IMAP the owner sees what the app did.
    const imap = w.ownerImap();
    await imap.connect();
    try {
      const status = await imap.status('INBOX', { messages: true });
      assert.ok(status && status.messages === 0, 'INBOX is empty');
      const lock = await imap.getMailboxLock('Figures');
      try {
        const [msg] = await imap.fetchAll('1:*', { flags: true, envelope: true });
        assert.equal(msg.envelope?.subject, 'Quarterly figures');
        assert.ok(msg.flags?.has('\\Flagged'), 'flagged');
      } finally {
        lock.release();
      }
    } finally {
      await imap.logout();
    }

    const sent = await app.reply(moved.id, 'Thanks, got them.');
    assert.equal(sent.response, 'Queued for delivery');
    // The reply reached the other account (local delivery) threaded under the original.
    const other = await w.call('GET', `/v1/account/${OTHER}/messages?path=INBOX`, w.other);
    const reply = other.body.messages.find((m: { subject: string }) => m.subject === 'Re: Quarterly figures');
    assert.ok(reply, JSON.stringify(other.body.messages.map((m: { subject: string }) => m.subject)));
    assert.equal(reply.inReplyTo, '<figures@heron.test>');
  });
});
