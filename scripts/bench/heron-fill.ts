// Prepares a Heron data folder before the server process starts: accounts,
// and mailboxes filled through the store's own appendMessage (the fast way to
// 100,000 messages; the appends requested in one tick share one commit).
import { appendMessage, createMailAccount, findMailbox, findMailServerByHostname } from '../../schema/index.ts';
import { startTestHeron, TEST_HOSTNAME } from '../../tests/helpers/heron.ts';

export interface FillAccount {
  user: string;
  count: number;
  message: (i: number) => { raw: string; flags: string[] };
}

/**
 * Creates the accounts (on TEST_HOSTNAME) and fills their INBOX; returns the
 * messages/s of the fill. `env`: the database settings the server will run with.
 */
export async function fillHeron(dataDir: string, password: string, env: Record<string, string>, accounts: FillAccount[]): Promise<number> {
  const heron = await startTestHeron({ dataDir, env });
  try {
    const server = await findMailServerByHostname(heron.store, TEST_HOSTNAME);
    let total = 0;
    const started = process.hrtime.bigint();
    for (const a of accounts) {
      const account = await createMailAccount(heron.store, { username: a.user, password, mailServerId: server!.id });
      const inbox = (await findMailbox(heron.store, account.id, 'INBOX'))!.id;
      const BATCH = 500;
      for (let i = 0; i < a.count; i += BATCH) {
        await Promise.all(
          Array.from({ length: Math.min(BATCH, a.count - i) }, (_, j) => {
            const m = a.message(i + j);
            return appendMessage(heron.store, { mailboxId: inbox, raw: Buffer.from(m.raw, 'latin1'), flags: m.flags });
          }),
        );
      }
      total += a.count;
    }
    return total / (Number(process.hrtime.bigint() - started) / 1e9);
  } finally {
    await heron.stop();
  }
}
