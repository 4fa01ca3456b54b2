// Daptin's sync_mail_servers: ask every listener to reload its mail_server rows
// now, with the same notification a mail_server write sends after commit.
import type { Store } from './store.ts';

export function requestMailServerReload(store: Store): void {
  store.events.emit('mail_server');
}
