// What the CONTEXT=SEARCH and CONTEXT=SORT tests share: a Heron that takes
// mail over SMTP, applying ADDTO / REMOVEFROM pairs as a client does, and
// mail from SMTP to an idling session.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import nodemailer from 'nodemailer';
import type { contextChanges } from '../../imapd/search/contexts.ts';
import { startDns, type TestDns } from '../smtp/dns.ts';
import { type Imap, startImap } from './fixture.ts';
import type { RawClient } from './raw-client.ts';

/** One running Heron for a test file, with a DNS server so that SMTP delivers to it. */
export function useImapWithDns(): () => Imap {
  let dns: TestDns | undefined;
  let server: Imap | undefined;
  before(async () => {
    dns = await startDns();
    server = await startImap({ HERON_DNS: dns.address });
  });
  after(async () => {
    await server?.stop();
    await dns?.close();
  });
  return () => server!;
}

/** `list` after the client applies the REMOVEFROM pairs, then the ADDTO pairs, in order (RFC 5267 §4.3.2). */
export function applyChanges(list: readonly number[], changes: ReturnType<typeof contextChanges>): number[] {
  const out = [...list];
  for (const r of changes.removed) {
    assert.deepEqual(out.slice(r.position - 1, r.position - 1 + r.uids.length), r.uids);
    out.splice(r.position - 1, r.uids.length);
  }
  for (const a of changes.added) out.splice(a.position - 1, 0, ...a.uids);
  return out;
}

/** Puts `c` in IDLE, sends `user` a message over SMTP, and returns what `c` heard once it includes `until`. */
export async function idleThroughSmtpMail(c: RawClient, imap: Imap, user: string, until: string): Promise<string> {
  c.write('i IDLE\r\n');
  await c.readUntil((buf) => buf.includes('+ idling\r\n'));
  c.take();
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: imap.heron.ports.smtp, secure: false, ignoreTLS: true });
  await transport.sendMail({ from: 'carol@remote.test', to: user, subject: 'from afar', text: 'hello' });
  await c.readUntil((buf) => buf.includes(until));
  return c.take();
}
