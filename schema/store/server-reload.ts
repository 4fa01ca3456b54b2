// Daptin's sync_mail_servers: ask every listener to reload its mail_server rows
// now, with the same notification a mail_server write sends after commit (so on
// PostgreSQL every node's listeners reload).
import { type Store, write } from './store.ts';

export async function requestMailServerReload(store: Store): Promise<void> {
  await write(store, async (tx) => tx.notify('mail_server'));
}
