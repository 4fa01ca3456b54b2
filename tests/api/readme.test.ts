// Runs the README's admin API example block with bash, curl and jq against a
// real Heron, failing on any HTTP error, and checks what it prints.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { useHeron, type TestHeron } from './client.ts';

const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');

/** The sh block after "This block is run by `tests/api/readme.test.ts`" in the README section `heading`. */
function readmeBlock(heading: string): string {
  const text = fs.readFileSync(README, 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  assert.ok(start !== -1, `README has ${heading}`);
  const end = text.indexOf('\n## ', start + 1);
  const section = text.slice(start, end === -1 ? undefined : end);
  const match = /This block is run by\s+`tests\/api\/readme\.test\.ts`[\s\S]*?```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(match, `README has the example block of ${heading}`);
  return match[1];
}
const adminApiBlock = () => readmeBlock('## The admin API');
const mailApiBlock = () => readmeBlock("## The mail API (EmailEngine's /v1 routes)");
const webhooksBlock = () => readmeBlock('## Webhooks');
const metricsBlock = () => readmeBlock('## Metrics and readiness');

/** Runs `script` with bash against `heron`; any HTTP error fails it (curl --fail-with-body, set -e, pipefail). */
function runBlock(heron: TestHeron, script: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const prelude = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n';
  // Asynchronous: the server under test runs in this process.
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', prelude + script],
      { env: { ...process.env, HERON: `http://127.0.0.1:${heron.ports.api}`, ADMIN_EMAIL, ADMIN_PASSWORD, ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('README admin API examples', () => {
  let heron: TestHeron;
  useHeron(async (h) => {
    heron = h;
  });

  test('the curl block runs as written and prints what it promises', async () => {
    const run = await runBlock(heron, adminApiBlock());
    assert.equal(run.code, 0, `stderr: ${run.stderr}\nstdout: ${run.stdout}`);
    const out = run.stdout;
    assert.match(out, /Generated a self-signed certificate for example\.com/);
    assert.match(out, /Drafts\nINBOX\nJunk\nSent\nTrash\n/);
    assert.match(out, /Hi Alice\./);
    assert.match(out, /\["\\\\Seen"\]/);
    assert.match(out, /\{"messages":1,"unseen":0,"uidnext":2\}/);
    assert.match(out, /Signed out/);
  });
});

describe('README mail API examples', () => {
  let heron: TestHeron;
  useHeron(async (h) => {
    heron = h;
  });

  test('after the admin API block, the mail API block runs as written and prints what it promises', async () => {
    const run = await runBlock(heron, `${adminApiBlock()}\n${mailApiBlock()}`);
    assert.equal(run.code, 0, `stderr: ${run.stderr}\nstdout: ${run.stdout}`);
    const out = run.stdout.slice(run.stdout.indexOf('Signed out'));
    assert.match(out, /\{"messages":1,"unseen":0\}\n/);
    assert.match(out, /\nHello\nHi Alice\.\n/);
    assert.match(out, /\nSubject: Hello\r?\n/);
    assert.match(out, /\n\{"flags":\{"add":true\}\}\n1\n\{"path":"Archive","created":true\}\nArchive\n$/);
    // The message is in Archive now, flagged and seen, and the token reaches no other account.
    const archived = await heron.store.all<{ name: string }>(`SELECT b.name FROM mail m JOIN mail_box b ON b.id = m.mail_box_id WHERE m.subject = ?`, 'Hello');
    assert.deepEqual(archived, [{ name: 'Archive' }]);
  });
});

describe('README webhook examples', () => {
  let heron: TestHeron;
  useHeron(async (h) => {
    heron = h;
  });

  test('after the admin API block, the webhooks block turns webhooks on and the receiver gets the signed event', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const run = await runBlock(heron, `${adminApiBlock()}\n${webhooksBlock()}`, { RECEIVER: receiver.url });
      assert.equal(run.code, 0, `stderr: ${run.stderr}\nstdout: ${run.stdout}`);
      const out = run.stdout.slice(run.stdout.indexOf('Signed out'));
      assert.match(out, /\{"updated":\["webhooksEnabled","webhooks","webhookEvents"\]\}\n\{"flags":\{"add":true\}\}\n\{"event":"messageUpdated","account":"alice@example\.com","path":"INBOX"\}\n$/);
      const hook = await receiver.waitFor((h) => h.body.event === 'messageUpdated', 'the messageUpdated webhook');
      assert.deepEqual(hook.body.data.changes.flags.added, ['\\Flagged']);
    } finally {
      await receiver.close();
    }
  });
});

describe('README metrics examples', () => {
  let heron: TestHeron;
  useHeron(async (h) => {
    heron = h;
  });

  test('the metrics block reads /ready and a figure of /metrics', async () => {
    const run = await runBlock(heron, metricsBlock());
    assert.equal(run.code, 0, `stderr: ${run.stderr}\nstdout: ${run.stdout}`);
    assert.equal(run.stdout, '{"status":"ready","problems":[]}\nheron_outbound_queue{status="queued"} 0\n');
  });
});
