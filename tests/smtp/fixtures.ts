// Shared test setup for SMTP: a running Heron with a second hosted account, and
// reads of what ended up in a mailbox (through the store's public functions).
import {
  createMailAccount,
  findMailAccount,
  findMailServerByHostname,
  findSpecialMailbox,
  getMessages,
  listMessageSummaries,
  readRaw,
  type SpecialUse,
} from '../../schema/index.ts';
import type { Heron } from '../../server/heron.ts';
import { ADMIN_PASSWORD, removeDir, startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';
import type { HeronOptions } from '../../server/heron.ts';

export const POSTMASTER = `postmaster@${TEST_HOSTNAME}`;
export const PASSWORD = ADMIN_PASSWORD;
export const ALICE = `alice@${TEST_HOSTNAME}`;
export const ALICE_PASSWORD = 'alice-password-1';

export type TestHeron = Heron & { dataDir: string };

export async function smtpHeron(options: { env?: Record<string, string> } & HeronOptions = {}): Promise<TestHeron> {
  const heron = await startTestHeron(options);
  const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
  await createMailAccount(heron.store, { username: ALICE, password: ALICE_PASSWORD, mailServerId: server!.id });
  return heron;
}

export async function stopHeron(heron: TestHeron): Promise<void> {
  await heron.stop();
  removeDir(heron.dataDir);
}

export interface StoredMessage {
  uid: number;
  flags: string[];
  raw: string;
  rawId: number;
  spamScore: number;
  spam: boolean;
}

/** The messages in an account's INBOX (or special-use mailbox), oldest first. */
export async function mailboxOf(heron: Heron, address: string, which: SpecialUse | 'INBOX' = 'INBOX'): Promise<StoredMessage[]> {
  const account = await findMailAccount(heron.store, address);
  if (!account) throw new Error(`no account ${address}`);
  const box = await findSpecialMailbox(heron.store, account.id, which);
  const summaries = await listMessageSummaries(heron.store, box.id);
  const metas = await getMessages(
    heron.store,
    box.id,
    summaries.map((s) => s.uid),
  );
  return Promise.all(
    metas.map(async (m) => {
      const row = (await heron.store.get<{ spam_score: number; spam: number }>(`SELECT spam_score, spam FROM mail WHERE id = ?`, m.id))!;
      return { uid: m.uid, flags: m.flags, raw: (await readRaw(heron.store, m.rawId)).toString('latin1'), rawId: m.rawId, spamScore: row.spam_score, spam: row.spam === 1 };
    }),
  );
}

/** Rows in the mail and mail_raw tables: "nothing half-written" checks compare these. */
export async function storedCounts(heron: Heron): Promise<{ mail: number; raw: number }> {
  const q = async (sql: string) => (await heron.store.get<{ n: number }>(sql))!.n;
  return { mail: await q(`SELECT count(*) AS n FROM mail`), raw: await q(`SELECT count(*) AS n FROM mail_raw`) };
}
