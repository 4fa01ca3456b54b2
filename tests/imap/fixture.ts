// A running Heron with helpers to make accounts and messages for IMAP tests.
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { createMailAccount, deliverMessage, findMailbox, findMailServerByHostname, updateMailServer } from '../../schema/index.ts';
import { IMAP_CLIENT_DEADLINES } from '../helpers/deadline.ts';
import { removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';
import { loggedIn, RawClient } from './raw-client.ts';

export const PASSWORD = 'imap test password';

export type TestHeron = Awaited<ReturnType<typeof startTestHeron>>;

export async function startImap(env: Record<string, string> = {}) {
  const heron = await startTestHeron({ env });
  let n = 0;
  const clients: RawClient[] = [];
  return {
    heron,
    /** A new account; returns its address. */
    async account(): Promise<{ user: string; id: number }> {
      const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
      const user = `user${++n}-${Date.now()}@${TEST_HOSTNAME}`;
      const row = await createMailAccount(heron.store, { username: user, password: PASSWORD, mailServerId: server!.id });
      return { user, id: row.id };
    },
    /** Delivers a message into a mailbox the way SMTP does. */
    async deliver(accountId: number, mailbox: string, raw: string, flags: string[] = [], internalDate?: number) {
      const box = await findMailbox(heron.store, accountId, mailbox);
      const [m] = await deliverMessage(heron.store, { raw: Buffer.from(raw), copies: [{ mailboxId: box!.id, flags }], internalDate });
      return m;
    },
    async login(user: string): Promise<RawClient> {
      const c = await loggedIn(heron.ports.imaps, user, PASSWORD);
      clients.push(c);
      return c;
    },
    /** An imapflow client (not connected yet) for an account, over implicit TLS. */
    imapflow(user: string, options: Partial<ImapFlowOptions> = {}): ImapFlow {
      return new ImapFlow({
        host: '127.0.0.1',
        port: heron.ports.imaps,
        secure: true,
        tls: { rejectUnauthorized: false, servername: 'heron.test' },
        auth: { user, pass: PASSWORD },
        logger: false,
        ...options,
      });
    },
    async connect(options: { tls?: boolean } = {}): Promise<RawClient> {
      const c = await RawClient.connect(options.tls ? heron.ports.imaps : heron.ports.imap, options);
      clients.push(c);
      return c;
    },
    /** Runs `fn` with the test server's max message size (the APPEND limit) set to `bytes`, then puts it back. */
    async withMaxSize<T>(bytes: number, fn: () => Promise<T>): Promise<T> {
      const server = (await findMailServerByHostname(heron.store, TEST_HOSTNAME))!;
      await updateMailServer(heron.store, server.id, { max_size: bytes });
      try {
        return await fn();
      } finally {
        await updateMailServer(heron.store, server.id, { max_size: server.max_size });
      }
    },
    async stop() {
      for (const c of clients) c.close();
      await heron.stop();
      removeDir(heron.dataDir);
    },
  };
}

export function message(subject: string, body = 'Hello world', extra = ''): string {
  return `From: Alice Example <alice@example.org>\r\nTo: Bob <bob@heron.test>\r\nSubject: ${subject}\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.org>\r\n${extra}\r\n${body}\r\n`;
}

/** A message from "Smith", as the RFC 4731 and 5182 search examples exclude. */
export function smithMessage(subject: string): string {
  return message(subject).replace('From: Alice Example <alice@example.org>', 'From: John Smith <smith@example.org>');
}

/** The untagged lines of a response, without the tagged one. */
export function untagged(response: string): string[] {
  return response.split('\r\n').filter((l) => l.startsWith('* '));
}

export type Imap = Awaited<ReturnType<typeof startImap>>;

/** Test options: socket reads wait at most this long, so silence fails a test instead of hanging it. */
export const DEADLINE = { timeout: 60_000 };

/** One running Heron for a test file: started before its tests, stopped after them. */
export function useImap(env: Record<string, string> = {}): () => Imap {
  let imap: Imap | undefined;
  before(async () => {
    imap = await startImap(env);
  });
  after(() => imap?.stop());
  return () => imap!;
}

/** Runs a command that must answer OK; returns its untagged lines. */
export async function untaggedOk(c: RawClient, command: string, tag = 't'): Promise<string[]> {
  const r = await c.command(tag, command);
  assert.match(r, new RegExp(`(^|\\r\\n)${tag} OK `), command);
  return untagged(r);
}

/** Each command must answer BAD, with no untagged response before it. */
export async function expectBad(c: RawClient, commands: readonly string[]): Promise<void> {
  for (const command of commands) {
    const r = await c.command('b', command);
    assert.match(r, /^b BAD /m, command);
    assert.deepEqual(untagged(r), [], command);
  }
}

/** imapflow logged in to Heron over implicit TLS (not yet connected). */
export function flowClient(imap: Imap, user: string): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: imap.heron.ports.imaps,
    secure: true,
    tls: { rejectUnauthorized: false, servername: 'heron.test' },
    auth: { user, pass: PASSWORD },
    logger: false,
    ...IMAP_CLIENT_DEADLINES,
  });
}
