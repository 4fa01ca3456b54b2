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
  /** RFC 9208 §4.3: the account's quota would be exceeded (SMTP 552 5.2.2). */
  | 'OVERQUOTA'
  | 'AUTHENTICATIONFAILED'
  /** The database cannot be reached or used right now (SMTP 451 4.3.0, IMAP NO [UNAVAILABLE], HTTP 503). */
  | 'UNAVAILABLE';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StoreError';
  }
}

/**
 * A write broke a constraint the store did not check first (a race between two
 * writes, e.g. on two nodes): `unique` when a row with that value already exists.
 */
export class ConstraintError extends Error {
  constructor(
    readonly unique: boolean,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'ConstraintError';
  }
}
