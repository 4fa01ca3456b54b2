// Python's imaplib (the standard library's IMAP client, with its own SORT and
// THREAD commands) as a second real client: a test gives the body of a
// Python function that gets a logged-in IMAP4_SSL client `m`, with INBOX
// selected read-only, and returns something JSON can hold. The process is
// killed if it runs past its deadline.
import { spawn } from 'node:child_process';

const PRELUDE = `
import imaplib, json, ssl, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', port, ssl_context=ctx, timeout=20)
m.login(user, password)
m.select('INBOX', readonly=True)
def text(data):
    return [d.decode() if isinstance(d, bytes) else d for d in data]
def run(m):
`;

export async function withImaplibOnInbox(port: number, user: string, password: string, body: string, deadlineMs = 30_000): Promise<unknown> {
  const script = `${PRELUDE}${body.replace(/^/gm, '    ')}\nprint(json.dumps(run(m)))\nm.logout()\n`;
  const child = spawn('python3', ['-c', script, String(port), user, password], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`python3 imaplib exited with ${code}:\n${err}`);
  return JSON.parse(out);
}
