// Change notifications, emitted only after the write has committed (on
// PostgreSQL also for commits of other Heron processes on the same database).
// IMAP sessions listen for `mailbox` to pull journal rows newer than what they
// have reported; listeners reload on `mail_server` and `certificate`.
import { EventEmitter } from 'node:events';

export interface MailboxChanged {
  accountId: number;
  mailboxId: number;
  highestModseq: number;
  /**
   * Everything the write at `highestModseq` changed in the mailbox, when it
   * was small enough to carry (a MailboxChangeDetail as JSON): a view at the
   * MODSEQ before applies it without reading the journal.
   */
  detail?: string | null;
  /** The mailbox's highest UID after the write (uidnext - 1): a `new` detail's message. */
  lastUid?: number;
}

/** The journal rows of one MODSEQ, with the messages' state after it (flags as stored: canonical JSON text). */
export type MailboxChangeDetail =
  | { kind: 'flags'; messages: Array<[uid: number, flags: string]> }
  | { kind: 'new'; flags: string }
  | { kind: 'expunge'; uids: number[] };

export interface MailboxListChanged {
  accountId: number;
}

export interface MetadataChanged {
  accountId: number;
  /** The mailbox whose entry changed; null for a server entry (RFC 5464 §3.2: the empty mailbox name). */
  mailboxId: number | null;
  /** The entry's name, e.g. "/private/comment". */
  entry: string;
}

export interface StoreEventMap {
  /** Messages were added, changed or expunged in a mailbox. */
  mailbox: [MailboxChanged];
  /** Mailboxes of an account were created, renamed or deleted. */
  mailboxes: [MailboxListChanged];
  /** An account subscribed to or unsubscribed from a mailbox name (IMAP NOTIFY SubscriptionChange). */
  subscriptions: [MailboxListChanged];
  /** A METADATA entry was set or removed (IMAP NOTIFY MailboxMetadataChange/ServerMetadataChange). */
  metadata: [MetadataChanged];
  /** A mail_server row was created, changed or deleted. */
  mail_server: [];
  /** A certificate row was created, changed or deleted. */
  certificate: [{ hostname: string }];
  /** Outbox rows were queued or made due (the delivery worker wakes up). */
  outbox: [];
  /** Webhook events were queued or the webhook settings changed (the webhook worker wakes up). */
  webhook: [];
  /**
   * Notifications may have been missed (PostgreSQL: the LISTEN connection was
   * lost and is back): whoever keeps state from notifications reads it again.
   */
  resync: [];
}

export class StoreEvents extends EventEmitter<StoreEventMap> {
  constructor() {
    super();
    // Every IMAP session subscribes; the default cap of 10 would warn falsely.
    this.setMaxListeners(0);
  }
}
