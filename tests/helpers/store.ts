// A real store on a temporary SQLite file, with an account ready to use.
import path from 'node:path';
import { closeStore, createMailAccount, createMailServer, openStore, type MailAccountRow, type Store } from '../../schema/index.ts';
import { removeDir, tempDir } from './heron.ts';

export interface StoreFixture {
  store: Store;
  dir: string;
  file: string;
  account: MailAccountRow;
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

export async function storeFixture(): Promise<StoreFixture> {
  const dir = tempDir('heron-store-');
  const file = path.join(dir, 'heron.db');
  const fixture: StoreFixture = {
    store: openStore(file),
    dir,
    file,
    account: undefined as unknown as MailAccountRow,
    async reopen() {
      await closeStore(fixture.store);
      fixture.store = openStore(file);
      return fixture.store;
    },
    async cleanup() {
      await closeStore(fixture.store);
      removeDir(dir);
    },
  };
  const server = await createMailServer(fixture.store, { hostname: 'example.test' });
  fixture.account = await createMailAccount(fixture.store, { username: 'alice@example.test', password: 'alice-password', mailServerId: server.id });
  return fixture;
}

export function message(subject: string, body = 'Hello.\r\n', extraHeaders = ''): Buffer {
  return Buffer.from(
    `From: Bob <bob@remote.test>\r\nTo: alice@example.test\r\nSubject: ${subject}\r\nDate: Fri, 20 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}@remote.test>\r\n${extraHeaders}\r\n${body}`,
  );
}
