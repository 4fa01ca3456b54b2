// The mail store: the only code that writes SQL. Protocol code imports from here.
export * from './store/store.ts';
export * from './store/errors.ts';
export * from './store/events.ts';
export * from './store/rows.ts';
export * from './store/flags.ts';
export * from './store/passwords.ts';
export * from './store/mailbox-names.ts';
export * from './store/users.ts';
export * from './store/tokens.ts';
export * from './store/servers.ts';
export * from './store/accounts.ts';
export * from './store/mailboxes.ts';
export * from './store/messages.ts';
export * from './store/certificates.ts';
export type * from './mime/types.ts';
export { indexMessage, decodeTransfer, decodeCharset } from './mime/index-message.ts';
export { parseHeaderFields, findBodyStart } from './mime/headers.ts';
export * from './auth-throttle.ts';
