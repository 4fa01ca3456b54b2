// GET /api/mail/<id> carries the raw message (Daptin's `mail`, base64): it is
// read from the store in chunks and written as the client takes it, never
// whole in the server's memory (issue 10 §1). Heron runs as its own process so
// that its RSS is measured apart from the client's.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { appendMessage, createMailAccount, findMailbox, findMailServerByHostname } from '../../schema/index.ts';
import { type HeronProcess, sampleRss, startHeronProcess } from '../helpers/heron-process.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, removeDir, startTestHeron, tempDir, TEST_HOSTNAME } from '../helpers/heron.ts';
import { largeMessage } from '../imap/messages.ts';
import { Api } from './client.ts';
import { fetchWithDeadline } from '../helpers/deadline.ts';

const SIZE = 24_000_000;
const PARALLEL = 4;

describe('a 24 MB message read through the API', () => {
  const dataDir = tempDir();
  const raw = largeMessage(SIZE, 'Large over the API');
  const rawHash = crypto.createHash('sha256').update(raw).digest('hex');
  let heron: HeronProcess;
  let mailId = '';

  before(async () => {
    const setup = await startTestHeron({ dataDir });
    const server = await findMailServerByHostname(setup.store, TEST_HOSTNAME);
    const account = await createMailAccount(setup.store, { username: `big@${TEST_HOSTNAME}`, password: 'api test password', mailServerId: server!.id });
    const inbox = (await findMailbox(setup.store, account.id, 'INBOX'))!.id;
    mailId = (await appendMessage(setup.store, { mailboxId: inbox, raw })).referenceId;
    await setup.stop();
    heron = await startHeronProcess(dataDir);
  });

  after(async () => {
    await heron?.stop();
    removeDir(dataDir);
  });

  test(`${PARALLEL} parallel reads are streamed, byte-exact, with the parsed view; server RSS grows < 100 MB`, { timeout: 5 * 60_000 }, async () => {
    const a = new Api(`http://127.0.0.1:${heron.ports.api}`);
    const token = await a.signin(ADMIN_EMAIL, ADMIN_PASSWORD);
    // The baseline is the high-water mark of one read: how far RSS falls back
    // after it depends on when the GC gets to run (late on a busy machine, where
    // an idle baseline swung by 40 MB between runs). Buffering whole messages
    // would still show: four reads at once would need four times one read's memory.
    const warm = sampleRss(heron);
    assert.equal((await a.get(`/api/mail/${mailId}`, token, { headers: { 'X-Warm-Up': '1' } })).status, 200);
    const oneRead = warm.stop();
    const rss = sampleRss(heron);
    const replies = await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        const res = await fetchWithDeadline(`${a.base}/api/mail/${mailId}`, { headers: { Authorization: `Bearer ${token}` } }, 120_000);
        return { status: res.status, headers: res.headers, text: await res.text() };
      }),
    );
    const peak = rss.stop();
    const baseline = Math.max(oneRead, rss.baseline);
    console.log(`${PARALLEL} × GET /api/mail (24 MB): server RSS ${baseline.toFixed(0)} MB → peak ${peak.toFixed(0)} MB (+${(peak - baseline).toFixed(0)} MB)`);
    for (const reply of replies) {
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('content-type') ?? '', /application\/vnd\.api\+json/);
      // Streamed: no length known up front.
      assert.equal(reply.headers.get('transfer-encoding'), 'chunked');
      assert.equal(reply.headers.get('content-length'), null);
      const doc = JSON.parse(reply.text) as { data: { attributes: Record<string, unknown> } };
      const attrs = doc.data.attributes;
      const bytes = Buffer.from(attrs.mail as string, 'base64');
      assert.equal(bytes.length, SIZE);
      assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), rawHash, 'byte-exact');
      assert.equal((attrs.text as string).trim(), 'Here is the file.');
      const [file] = attrs.attachments as Array<{ filename: string; content_type: string; size: number }>;
      assert.equal(file.filename, 'data.bin');
      assert.equal(file.content_type, 'application/octet-stream');
      assert.ok(file.size > 17_000_000, `attachment size ${file.size}`);
      assert.equal(attrs.subject, 'Large over the API');
    }
    assert.ok(peak - baseline < 100, `server RSS grew by ${(peak - baseline).toFixed(0)} MB`);
    assert.equal((await a.get('/health')).status, 200);
  });
});
