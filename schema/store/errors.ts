// Errors the store raises for rule violations a caller can report to its client.
// The codes are RFC 5530 IMAP response codes; SMTP and the API map them too.
export type StoreErrorCode =
  | 'NONEXISTENT'
  | 'ALREADYEXISTS'
  | 'CANNOT'
  | 'INUSE'
  | 'NOPERM'
  | 'LIMIT'
  | 'TOOBIG'
  | 'AUTHENTICATIONFAILED';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
