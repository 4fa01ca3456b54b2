// RFC 8474 object identifiers, derived from what the store keeps (never from
// in-memory counters), so they are the same on every node and after restarts,
// and never name another object later:
//
// - MAILBOXID "F" + the mailbox row's reference_id (a UUID; RENAME keeps it,
//   a re-created mailbox gets a new one).
// - EMAILID   "M" + the first 16 hex digits of the message's SHA-256 + "_" + the
//   id of its stored bytes (mail_raw). Copies and moves share the stored bytes,
//   so they share the EMAILID (§5.1); the same bytes delivered twice are stored
//   twice and get two. Row ids are never reused; the hash prefix keeps the ID
//   from being guessed from a row count.
// - THREADID  "T" + the thread token on the mail row (schema/store/threads.ts).
//
// Every ID is a letter followed by [0-9A-Za-z_-] (RFC 8474 §7.1 objectid, and the
// prefix keeps it from being all digits, starting with "-", or reading "NIL").
// The EmailEngine routes expose emailId and threadId with these same functions.

/** objectid (RFC 8474 §7): 1 to 255 of ALPHA / DIGIT / "_" / "-". */
export const OBJECT_ID = /^[A-Za-z0-9_-]{1,255}$/;

export function mailboxObjectId(referenceId: string): string {
  return `F${referenceId}`;
}

export function emailObjectId(rawId: number, sha256: string): string {
  return `M${sha256.slice(0, 16)}_${rawId}`;
}

/** The stored bytes an EMAILID names, or null when it is not one of ours. */
export function parseEmailObjectId(id: string): { rawId: number; hashPrefix: string } | null {
  const m = /^M([0-9a-f]{16})_([1-9]\d{0,15})$/.exec(id);
  if (!m) return null;
  const rawId = Number(m[2]);
  return Number.isSafeInteger(rawId) ? { rawId, hashPrefix: m[1] } : null;
}

/** THREADID of a thread token; null (THREADID NIL, RFC 8474 §5.2) when the message has none. */
export function threadObjectId(threadToken: string): string | null {
  return threadToken ? `T${threadToken}` : null;
}

/** The thread token a THREADID names, or null when it is not one of ours. */
export function parseThreadObjectId(id: string): string | null {
  return /^T[0-9A-Za-z_-]{1,254}$/.test(id) ? id.slice(1) : null;
}
