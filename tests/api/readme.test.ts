// Runs the README's admin API example block with bash, curl and jq against a
// real Heron, failing on any HTTP error, and checks what it prints.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/heron.ts';
import { useHeron, type TestHeron } from './client.ts';

const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');

function adminApiBlock(): string {
  const text = fs.readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('\n## The admin API'));
  const match = /This block is run by\s+`tests\/api\/readme\.test\.ts`[\s\S]*?```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'README has the admin API example block');
  return match[1];
}

describe('README admin API examples', () => {
  let heron: TestHeron;
  useHeron(async (h) => {
    heron = h;
  });

  test('the curl block runs as written and prints what it promises', async () => {
    // Any HTTP error fails the script (curl --fail-with-body, set -e, pipefail).
    const prelude = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n';
    // Asynchronous: the server under test runs in this process.
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        ['-c', prelude + adminApiBlock()],
        { env: { ...process.env, HERON: `http://127.0.0.1:${heron.ports.api}`, ADMIN_EMAIL, ADMIN_PASSWORD }, encoding: 'utf8', timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
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
