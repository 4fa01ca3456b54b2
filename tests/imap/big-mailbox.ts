// A Heron in a child process (its memory measured apart from the test's) with
// one account whose INBOX holds many copies of one large message: the copies
// share the stored bytes, as COPY does, so setting it up stays quick.
import { appendMessage, copyMessages, createMailAccount, findMailbox, findMailServerByHostname } from '../../schema/index.ts';
import { type HeronProcess, startHeronProcess } from '../helpers/heron-process.ts';
import { startTestHeron, TEST_HOSTNAME } from '../helpers/heron.ts';
import { PASSWORD } from './fixture.ts';

/** `user` gets `copies` copies of `raw` in INBOX; each of `others` an empty account. All use the fixture's password. */
export async function startHeronWithCopies(dataDir: string, options: { user: string; others: string[]; raw: Buffer; copies: number }): Promise<HeronProcess> {
  const setup = await startTestHeron({ dataDir });
  const server = await findMailServerByHostname(setup.store, TEST_HOSTNAME);
  const account = await createMailAccount(setup.store, { username: options.user, password: PASSWORD, mailServerId: server!.id });
  for (const other of options.others) await createMailAccount(setup.store, { username: other, password: PASSWORD, mailServerId: server!.id });
  const inbox = (await findMailbox(setup.store, account.id, 'INBOX'))!.id;
  const appended = await appendMessage(setup.store, { mailboxId: inbox, raw: options.raw });
  for (let i = 1; i < options.copies; i++) await copyMessages(setup.store, { sourceMailboxId: inbox, uids: [appended.uid], targetMailboxId: inbox });
  await setup.stop();
  return startHeronProcess(dataDir);
}
