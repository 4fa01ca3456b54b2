// A real store on a temporary database (a SQLite file, or a fresh PostgreSQL
// database when HERON_TEST_DATABASE_URL is set), with an account ready to use.
import { closeStore, createMailAccount, createMailServer, openStore, type MailAccountRow, type Store } from '../../schema/index.ts';
import { testStoreLocation } from './database.ts';
import { removeDir, tempDir } from './heron.ts';

export interface StoreFixture {
  store: Store;
  dir: string;
  /** Where the data lives: the SQLite file or the PostgreSQL URL (open more stores on it with openStore). */
  location: string;
  account: MailAccountRow;
  reopen(): Promise<Store>;
  cleanup(): Promise<void>;
}

export async function storeFixture(): Promise<StoreFixture> {
  const dir = tempDir('heron-store-');
  const location = await testStoreLocation(dir);
  const fixture: StoreFixture = {
    store: await openStore(location),
    dir,
    location,
    account: undefined as unknown as MailAccountRow,
    async reopen() {
      await closeStore(fixture.store);
      fixture.store = await openStore(location);
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
