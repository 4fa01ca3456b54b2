// COMPRESS=DEFLATE benchmark (prints figures; not a test). Starts Heron as its
// own process with COPIES copies of a plain-text message in one INBOX and
// times `FETCH 1:* BODY.PEEK[]` over implicit TLS, uncompressed and then with
// COMPRESS=DEFLATE: seconds, IMAP bytes sent (before TLS), and the server's
// peak RSS. With --dovecot, the same against a running Dovecot (imap_zlib
// plugin loaded): the message is APPENDed and copied there, and removed after.
// Usage: node --import tsx scripts/bench-compress.ts [--copies 400] [--size 100000]
//   [--dovecot <imaps port> --user u --password p]
import { sampleRss } from '../tests/helpers/heron-process.ts';
import { removeDir, tempDir, TEST_HOSTNAME } from '../tests/helpers/heron.ts';
import { startHeronWithCopies } from '../tests/imap/big-mailbox.ts';
import { PASSWORD } from '../tests/imap/fixture.ts';
import { StreamingClient } from '../tests/imap/streaming-client.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const COPIES = Number(opt('copies') ?? 400);
const SIZE = Number(opt('size') ?? 100_000);
const MB = 1024 * 1024;

/** A plain-text message of about `size` bytes, written like mail (varied lines), so it compresses as mail does. */
function textMessage(size: number): Buffer {
  const words = ['meeting', 'invoice', 'tomorrow', 'project', 'please', 'attached', 'review', 'thanks', 'regards', 'schedule', 'budget', 'update'];
  let body = '';
  for (let i = 0; body.length < size; i++) body += `${i}: ${words[i % 12]} ${words[(i * 7) % 12]} ${words[(i * 5) % 12]} item ${(i * 2654435761) % 100000}\r\n`;
  return Buffer.from(`From: Alice <alice@example.org>\r\nTo: bench@${TEST_HOSTNAME}\r\nSubject: Text\r\nMessage-ID: <text@example.org>\r\n\r\n${body}`);
}

/** FETCHes the whole INBOX uncompressed, then compressed, and prints the figures. */
async function measure(server: string, port: number, user: string, password: string, rssOf?: () => { baseline: number; stop(): number }): Promise<void> {
  for (const compress of [false, true]) {
    const c = await StreamingClient.connect(port);
    await c.command('L', `LOGIN ${user} "${password}"`);
    if (compress && !(await c.compress()).text.startsWith('Z OK')) throw new Error(`${server} refused COMPRESS`);
    await c.command('S', 'SELECT INBOX');
    const wire = c.wireBytes;
    const received = c.received;
    const rss = rssOf?.();
    const started = performance.now();
    const r = await c.command('F', 'FETCH 1:* BODY.PEEK[]', 120_000);
    const seconds = (performance.now() - started) / 1000;
    const peak = rss?.stop();
    if (!r.at(-1)!.text.startsWith('F OK')) throw new Error(r.at(-1)!.text);
    const data = (c.received - received) / MB;
    console.log(
      `${server} ${compress ? 'COMPRESS=DEFLATE' : 'uncompressed    '}: ${COPIES} × ${(SIZE / 1000).toFixed(0)} kB in ${seconds.toFixed(2)} s ` +
        `(${(data / seconds).toFixed(0)} MB/s of responses), ${((c.wireBytes - wire) / MB).toFixed(1)} MB sent for ${data.toFixed(1)} MB` +
        (rss && peak !== undefined ? `, server RSS peak +${(peak - rss.baseline).toFixed(0)} MB` : ''),
    );
    c.close();
  }
}

const raw = textMessage(SIZE);
const dataDir = tempDir('heron-bench-compress-');
const user = `bench@${TEST_HOSTNAME}`;
const heron = await startHeronWithCopies(dataDir, { user, others: [], raw, copies: COPIES });
try {
  await measure('Heron  ', heron.ports.imaps, user, PASSWORD, () => sampleRss(heron));
} finally {
  await heron.stop();
  removeDir(dataDir);
}

const dovecotPort = opt('dovecot');
if (dovecotPort) {
  const [dUser, dPassword] = [opt('user') ?? 'bench', opt('password') ?? 'bench'];
  const c = await StreamingClient.connect(Number(dovecotPort));
  await c.command('L', `LOGIN ${dUser} "${dPassword}"`);
  await c.command('S', 'SELECT INBOX');
  c.send(`A APPEND INBOX {${raw.length}}\r\n`);
  await c.nextResponse();
  c.send(Buffer.concat([raw, Buffer.from('\r\n')]));
  await c.untilTagged('A');
  for (let n = 1; n < COPIES; n *= 2) await c.command('C', `COPY 1:${Math.min(n, COPIES - n)} INBOX`);
  try {
    await measure('Dovecot', Number(dovecotPort), dUser, dPassword);
  } finally {
    await c.command('D', 'STORE 1:* +FLAGS.SILENT (\\Deleted)');
    await c.command('E', 'EXPUNGE');
    c.close();
  }
}
