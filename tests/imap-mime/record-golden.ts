// Records Dovecot's FETCH output for every golden/*.eml as golden/*.expected.json.
// Not part of `npm test`: run it by hand against a Dovecot (Debian dovecot-imapd)
// listening on loopback, e.g.
//   ORACLE=127.0.0.1:14143 ORACLE_USER=oracle ORACLE_PASS=oracle node --import tsx tests/imap-mime/record-golden.ts
// The expected strings are binary strings (one char per byte).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { tail, WAIT_MS, within } from '../helpers/deadline.ts';
import { GOLDEN_DIR, GOLDEN_SECTIONS } from './golden.ts';

class Conn {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private tag = 0;
  constructor(private sock: net.Socket) {
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiting?.();
    });
  }
  private async need(pred: () => boolean): Promise<void> {
    while (!pred()) await within(new Promise<void>((r) => (this.waiting = r)), WAIT_MS, () => `the oracle; got ${tail(this.buf.toString('latin1'))}`);
  }
  /** Reads one response line including any literals it announces. */
  async readResponse(): Promise<string> {
    let out = '';
    for (;;) {
      await this.need(() => this.buf.indexOf('\r\n') !== -1);
      const eol = this.buf.indexOf('\r\n');
      const line = this.buf.subarray(0, eol + 2).toString('latin1');
      this.buf = this.buf.subarray(eol + 2);
      out += line;
      const m = /\{(\d+)\}\r\n$/.exec(line);
      if (!m) return out;
      const n = Number(m[1]);
      await this.need(() => this.buf.length >= n);
      out += this.buf.subarray(0, n).toString('latin1');
      this.buf = this.buf.subarray(n);
    }
  }
  async command(text: string | Buffer[], ): Promise<{ untagged: string[]; tagged: string }> {
    const tag = `a${++this.tag}`;
    const parts = typeof text === 'string' ? [Buffer.from(text, 'latin1')] : text;
    this.sock.write(Buffer.concat([Buffer.from(tag + ' '), ...parts, Buffer.from('\r\n')]));
    const untagged: string[] = [];
    for (;;) {
      const r = await this.readResponse();
      if (r.startsWith(tag + ' ')) return { untagged, tagged: r };
      untagged.push(r);
    }
  }
}

/** The value of the single item in `* n FETCH (UID u ITEM value)`, as written. */
function fetchValue(untagged: string[], item: string): string | null {
  for (const r of untagged) {
    const m = /^\* \d+ FETCH \(/.exec(r);
    if (!m) continue;
    const body = r.slice(m[0].length, r.length - 3); // strip ")\r\n"
    const idx = body.indexOf(item + ' ');
    if (idx === -1) continue;
    return body.slice(idx + item.length + 1);
  }
  return null;
}

/** Decodes a single nstring token (quoted, literal or NIL) to its bytes as a binary string. */
function nstringValue(token: string): string | null {
  if (token === 'NIL') return null;
  if (token.startsWith('"')) return token.slice(1, -1).replace(/\\(.)/g, '$1');
  const m = /^\{(\d+)\}\r\n/.exec(token);
  if (!m) throw new Error('unexpected token ' + token.slice(0, 40));
  return token.slice(m[0].length);
}

async function main(): Promise<void> {
  const [host, port] = (process.env.ORACLE ?? '127.0.0.1:14143').split(':');
  const sock = net.connect(Number(port), host);
  const c = new Conn(sock);
  await c.readResponse();
  await c.command(`LOGIN ${process.env.ORACLE_USER ?? 'oracle'} ${process.env.ORACLE_PASS ?? 'oracle'}`);
  await c.command('DELETE heron-golden');
  await c.command('CREATE heron-golden');
  await c.command('SELECT heron-golden');
  const names = fs.readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.eml')).sort();
  for (const name of names) {
    const raw = fs.readFileSync(path.join(GOLDEN_DIR, name));
    const appended = await c.command([Buffer.from(`APPEND heron-golden {${raw.length}+}\r\n`), raw]);
    const uid = /APPENDUID \d+ (\d+)/.exec(appended.tagged)?.[1];
    if (!uid) throw new Error('APPEND failed: ' + appended.tagged);
    await c.command('NOOP');
    const whole = await c.command(`UID FETCH ${uid} BODY.PEEK[]`);
    // Dovecot serves bare-LF messages with CRLF line ends, so its output for
    // lf-*.eml describes the CRLF form of the message.
    const served = name.startsWith('lf-') ? raw.toString('latin1').replace(/\r?\n/g, '\r\n') : raw.toString('latin1');
    if (nstringValue(fetchValue(whole.untagged, 'BODY[]')!) !== served) throw new Error(name + ': Dovecot changed the bytes');
    const expected: Record<string, unknown> = {};
    for (const item of ['ENVELOPE', 'BODY', 'BODYSTRUCTURE']) {
      expected[item] = fetchValue((await c.command(`UID FETCH ${uid} ${item}`)).untagged, item);
    }
    const sections: Record<string, string | null> = {};
    for (const section of GOLDEN_SECTIONS) {
      const r = await c.command(`UID FETCH ${uid} BODY.PEEK[${section}]`);
      if (!r.tagged.includes(' OK ')) throw new Error(`${name} ${section}: ${r.tagged}`);
      const label = `BODY[${section.replace(/\(([^)]*)\)/, (_, f: string) => '(' + f.toUpperCase() + ')')}]`;
      const v = fetchValue(r.untagged, label);
      sections[section] = v === null ? null : nstringValue(v);
    }
    expected.sections = sections;
    fs.writeFileSync(path.join(GOLDEN_DIR, name.replace(/\.eml$/, '.expected.json')), JSON.stringify(expected, null, 1) + '\n');
    console.log(name);
  }
  await c.command('LOGOUT');
  sock.end();
}

await main();
