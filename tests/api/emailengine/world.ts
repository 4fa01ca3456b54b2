// A running Heron for the mail API (/v1) tests: an admin, a user "owner" with
// the mail account owner@heron.test, a user "other" with other@heron.test,
// their sign-in tokens, and helpers to deliver messages (as SMTP does) and to
// call the mail API.
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import {
  createMailAccount,
  createUserAccount,
  deliverMessage,
  findMailbox,
  findMailServerByHostname,
  type MailAccountRow,
} from '../../../schema/index.ts';
import { ADMIN_EMAIL, ADMIN_PASSWORD, TEST_HOSTNAME } from '../../helpers/heron.ts';
import { type Api, api, type Reply, type TestHeron, useHeron } from '../client.ts';

export const OWNER = 'owner@heron.test';
export const OTHER = 'other@heron.test';

export interface MailWorld {
  heron: TestHeron;
  api: Api;
  admin: string;
  owner: string;
  other: string;
  ownerAccount: MailAccountRow;
  otherAccount: MailAccountRow;
  /** Stores a message in a mailbox as SMTP delivery does; returns its mail API id. */
  deliver(address: string, mailbox: string, raw: string | Buffer, options?: { flags?: string[]; internalDate?: number }): Promise<string>;
  /** A mail API call with a JSON body (or none). */
  call(method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply>;
  /** An IMAP client (not yet connected) for owner@heron.test, over implicit TLS. */
  ownerImap(): ImapFlow;
}

export function useMailWorld(setup: (w: MailWorld) => Promise<void>, env: Record<string, string> = {}): void {
  useHeron(async (heron) => {
    const a = api(heron);
    const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
    assert.ok(server);
    const accounts: Record<string, MailAccountRow> = {};
    for (const [name, address] of [['owner', OWNER], ['other', OTHER]] as const) {
      const user = await createUserAccount(heron.store, { email: `${name}-user@heron.test`, password: `${name} password` });
      accounts[name] = await createMailAccount(heron.store, { username: address, password: 'mail password', mailServerId: server.id, userAccountId: user.id });
    }
    const byAddress = (address: string) => (address === OWNER ? accounts.owner : address === OTHER ? accounts.other : undefined);
    await setup({
      heron,
      api: a,
      admin: await a.signin(ADMIN_EMAIL, ADMIN_PASSWORD),
      owner: await a.signin('owner-user@heron.test', 'owner password'),
      other: await a.signin('other-user@heron.test', 'other password'),
      ownerAccount: accounts.owner,
      otherAccount: accounts.other,
      async deliver(address, mailbox, raw, options = {}) {
        const account = byAddress(address);
        assert.ok(account, address);
        const box = await findMailbox(heron.store, account.id, mailbox);
        assert.ok(box, mailbox);
        const [stored] = await deliverMessage(heron.store, {
          raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
          copies: [{ mailboxId: box.id, flags: options.flags }],
          internalDate: options.internalDate,
        });
        return stored.referenceId;
      },
      call: (method, path, token, body) => a.request(method, path, { token, body }),
      ownerImap: () =>
        new ImapFlow({
          host: '127.0.0.1',
          port: heron.ports.imaps,
          secure: true,
          tls: { rejectUnauthorized: false, servername: TEST_HOSTNAME },
          auth: { user: OWNER, pass: 'mail password' },
          logger: false,
        }),
    });
  }, env);
}

/** A plain message; `headers` are added after the standard ones. */
export function plain(subject: string, body = 'Hello.', headers = ''): string {
  return (
    `From: Bob Sender <bob@remote.test>\r\nTo: Owner <owner@heron.test>\r\nSubject: ${subject}\r\n` +
    `Date: Fri, 20 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '') || 'x'}.${Math.random().toString(36).slice(2)}@remote.test>\r\n${headers}\r\n${body}\r\n`
  );
}

/** The mail API's error shape (EmailEngine's), with no stack trace. */
export function assertMailApiError(reply: Reply, status: number): void {
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /application\/json/);
  assert.equal(reply.body.statusCode, status, reply.text);
  assert.equal(typeof reply.body.error, 'string');
  assert.equal(typeof reply.body.message, 'string');
  assert.equal(reply.body.errors, undefined, 'not a JSON:API error document');
  assert.doesNotMatch(reply.text, /\n\s+at |node_modules|\.ts:\d+/);
}
