// A 24 MB message through the mail API with Heron in its own process: its
// source and its (decoded) attachment are streamed from the store with
// backpressure, byte-exact, four at a time, while the server's memory stays
// bounded, and a client that stops reading holds no more than the socket's
// buffers while others are served.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createMailAccount, deliverMessage, findMailbox, findMailServerByHostname } from '../../../schema/index.ts';
import { type HeronProcess, sampleRss, startHeronProcess } from '../../helpers/heron-process.ts';
import { fetchWithDeadline, within } from '../../helpers/deadline.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, startTestHeron, tempDir, TEST_HOSTNAME } from '../../helpers/heron.ts';
import { largeMessage } from '../../imap/messages.ts';
import { Api } from '../client.ts';

const SIZE = 24_000_000;
const PARALLEL = 4;
const ACCOUNT = `big@${TEST_HOSTNAME}`;
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

describe('a 24 MB message through the mail API', () => {
  const dataDir = tempDir();
  const raw = largeMessage(SIZE, 'Large over the mail API');
  // The attachment as its sender had it: the base64 body of the second part, decoded.
  const attachmentBytes = Buffer.from(raw.toString('latin1').split('Content-Disposition: attachment; filename="data.bin"\r\n\r\n')[1].split('\r\n--=_large_boundary--')[0], 'base64');
  let heron: HeronProcess;
  let api: Api;
  let token = '';
  let messageId = '';

  before(async () => {
    const setup = await startTestHeron({ dataDir });
    const server = await findMailServerByHostname(setup.store, TEST_HOSTNAME);
    const account = await createMailAccount(setup.store, { username: ACCOUNT, password: 'big password', mailServerId: server!.id });
    const inbox = (await findMailbox(setup.store, account.id, 'INBOX'))!.id;
    [{ referenceId: messageId }] = await deliverMessage(setup.store, { raw, copies: [{ mailboxId: inbox }] });
    await setup.stop();
    heron = await startHeronProcess(dataDir);
    api = new Api(`http://127.0.0.1:${heron.ports.api}`);
    token = await api.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
  });

  after(async () => {
    await heron?.stop();
    removeDir(dataDir);
  });

  const get = async (path: string) => {
    const res = await fetchWithDeadline(`${api.base}${path}`, { headers: { Authorization: `Bearer ${token}` } }, 120_000);
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  /** `PARALLEL` downloads of `path` at once, the server's RSS sampled meanwhile. */
  async function parallel(path: string, what: string) {
    const rss = sampleRss(heron);
    const replies = await Promise.all(Array.from({ length: PARALLEL }, () => get(path)));
    const peak = rss.stop();
    console.log(`${PARALLEL} × ${what}: server RSS ${rss.baseline.toFixed(0)} MB → peak ${peak.toFixed(0)} MB (+${(peak - rss.baseline).toFixed(0)} MB)`);
    assert.ok(peak - rss.baseline < 100, `${what}: server RSS grew by ${(peak - rss.baseline).toFixed(0)} MB`);
    return replies;
  }

  test(`${PARALLEL} sources, then ${PARALLEL} attachments, at once: byte-exact, server RSS grows < 100 MB`, { timeout: 5 * 60_000 }, async () => {
    const listed = await api.get(`/v1/account/${ACCOUNT}/message/${messageId}`, token);
    assert.equal(listed.status, 200, listed.text);
    const attachment = listed.body.attachments[0] as { id: string; filename: string };
    assert.equal(attachment.filename, 'data.bin');
    await get(`/v1/account/${ACCOUNT}/message/${messageId}/source`); // warm-up
    for (const reply of await parallel(`/v1/account/${ACCOUNT}/message/${messageId}/source`, 'source (24 MB)')) {
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-length'), String(SIZE));
      assert.equal(sha256(reply.bytes), sha256(raw), 'source byte for byte');
    }
    for (const reply of await parallel(`/v1/account/${ACCOUNT}/attachment/${attachment.id}`, `attachment (${(attachmentBytes.length / 1e6).toFixed(1)} MB decoded)`)) {
      assert.equal(reply.status, 200);
      assert.equal(reply.headers.get('content-type'), 'application/octet-stream');
      assert.equal(reply.bytes.length, attachmentBytes.length);
      assert.equal(sha256(reply.bytes), sha256(attachmentBytes), 'attachment byte for byte');
    }
  });

  test('a reader that stops reading is sent no more than the socket takes; others are served meanwhile', { timeout: 2 * 60_000 }, async () => {
    const rss = sampleRss(heron);
    const socket = net.connect({ port: heron.ports.api, host: '127.0.0.1' });
    let received = 0;
    await within(
      new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.on('data', (d: Buffer) => {
          received += d.length;
          // Stop reading after the first 64 KiB: TCP backpressure reaches the server.
          if (received > 64 * 1024) {
            socket.pause();
            resolve();
          }
        });
        socket.write(`GET /v1/account/${ACCOUNT}/message/${messageId}/source HTTP/1.1\r\nHost: heron\r\nAuthorization: Bearer ${token}\r\n\r\n`);
      }),
      30_000,
      'the first bytes of the source',
    );
    // While it stalls, another client reads the whole message.
    const other = await get(`/v1/account/${ACCOUNT}/message/${messageId}/source`);
    assert.equal(sha256(other.bytes), sha256(raw));
    await new Promise((r) => setTimeout(r, 500));
    const peak = rss.stop();
    console.log(`stalled mail API reader: server RSS ${rss.baseline.toFixed(0)} MB → peak ${peak.toFixed(0)} MB`);
    assert.ok(received < SIZE, 'the stalled client did not get everything');
    assert.ok(peak - rss.baseline < 100, `server RSS grew by ${(peak - rss.baseline).toFixed(0)} MB`);
    socket.destroy();
    assert.equal((await api.get('/health')).status, 200);
  });
});
