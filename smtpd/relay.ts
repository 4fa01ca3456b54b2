// The hand-off from an SMTP submission (or the REST send action) to the outbound
// queue. The SMTP listener calls a RelayHandler for recipients outside Heron's
// domains once the sender has authenticated; the outbound queue provides it.
// Without one, relayed mail is refused with a temporary error, never accepted and lost.

export interface RelayRequest {
  /** mail_account.id of the authenticated sender. */
  accountId: number;
  /** The authenticated account's address. */
  username: string;
  /** RFC 5321 MAIL FROM. */
  envelopeFrom: string;
  /** Non-local RCPT TO addresses (local ones are delivered by the listener itself). */
  recipients: string[];
  /**
   * The message as submitted with Heron's Received field on top, before signing:
   * no Authentication-Results (nothing about the login leaves Heron), and still
   * with its Bcc field, which the handler removes from what it sends and keeps
   * only in the sender's Sent copy.
   */
  raw: Buffer;
  clientAddress?: string;
}

export interface RelayResult {
  /** outbox reference_ids, one per destination host. */
  queueIds: string[];
  messageId: string;
}

/** Resolves only after the message is committed to the outbox (the SMTP 250 waits for it). */
export type RelayHandler = (request: RelayRequest) => Promise<RelayResult>;
