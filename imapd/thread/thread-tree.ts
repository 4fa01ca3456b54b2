// What the threading algorithms produce and THREAD renders: a forest of
// messages, each thread a tree. Pure data, no I/O, so the algorithms can be
// reused (and checked) without a session.

export interface ThreadNode {
  /** The message's UID; null for a dummy (RFC 5256 §4: a missing parent, or messages grouped by subject). */
  uid: number | null;
  children: readonly ThreadNode[];
}

/** What the algorithms read of a message (schema's ThreadRow has these); messages come in UID order. */
export interface ThreadMessage {
  uid: number;
  /** Normalized Message ID; "" when it has no valid one. */
  messageId: string;
  /** Its References (else In-Reply-To's first ID), oldest first. */
  references: readonly string[];
  /** The sent date (RFC 5256 §2.2), epoch ms. */
  sentDate: number;
  /** The base subject (RFC 5256 §2.1), in a form where equal subjects are equal strings. */
  baseSubject: string;
  replyOrForward: boolean;
}
