// A command's outcome as the tagged response (RFC 3501 §7.1): commands throw
// it to answer NO or BAD. It lives below the session and the commands so that
// neither imports the other for it (no import cycle).

/** A command's outcome: the tagged response. */
export class ImapResponse extends Error {
  constructor(
    readonly status: 'OK' | 'NO' | 'BAD',
    text: string,
    readonly code?: string,
  ) {
    super(text);
  }
}
