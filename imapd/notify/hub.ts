// One set of listeners per store for every NOTIFY session (RFC 5465): a
// change is handed to the sessions of its account only, as MailboxViews does
// for selected mailboxes, so 10,000 NOTIFY sessions cost one listener, not
// 10,000. The events are the store's (schema/store/events.ts): on PostgreSQL
// they include other Heron processes' commits, so nothing here assumes one process.
import type { MailboxChanged, MailboxListChanged, MetadataChanged, Store } from '../../schema/index.ts';

/** A NOTIFY session, told of its account's changes; called synchronously from the event, so no I/O. */
export interface AccountWatcher {
  readonly accountId: number;
  mailboxChanged(change: MailboxChanged): void;
  mailboxesChanged(): void;
  subscriptionsChanged(): void;
  metadataChanged(change: MetadataChanged): void;
  /** Notifications may have been missed: everything is read again. */
  resync(): void;
}

export class NotifyHub {
  private readonly byAccount = new Map<number, Set<AccountWatcher>>();

  constructor(store: Store) {
    const each = (accountId: number, act: (w: AccountWatcher) => void) => {
      for (const watcher of this.byAccount.get(accountId) ?? []) act(watcher);
    };
    store.events.on('mailbox', (c: MailboxChanged) => each(c.accountId, (w) => w.mailboxChanged(c)));
    store.events.on('mailboxes', (c: MailboxListChanged) => each(c.accountId, (w) => w.mailboxesChanged()));
    store.events.on('subscriptions', (c: MailboxListChanged) => each(c.accountId, (w) => w.subscriptionsChanged()));
    store.events.on('metadata', (c: MetadataChanged) => each(c.accountId, (w) => w.metadataChanged(c)));
    store.events.on('resync', () => {
      for (const set of this.byAccount.values()) for (const w of set) w.resync();
    });
  }

  add(watcher: AccountWatcher): void {
    let set = this.byAccount.get(watcher.accountId);
    if (!set) this.byAccount.set(watcher.accountId, (set = new Set()));
    set.add(watcher);
  }

  remove(watcher: AccountWatcher): void {
    const set = this.byAccount.get(watcher.accountId);
    if (!set?.delete(watcher)) return;
    if (set.size === 0) this.byAccount.delete(watcher.accountId);
  }
}

/** The hub of a store, made on first use (its listeners live as long as the store). */
const hubs = new WeakMap<Store, NotifyHub>();

export function notifyHub(store: Store): NotifyHub {
  let hub = hubs.get(store);
  if (!hub) hubs.set(store, (hub = new NotifyHub(store)));
  return hub;
}
