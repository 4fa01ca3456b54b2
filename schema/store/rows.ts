// Row types read from the tables, shared by the store's functions.
import type * as tables from '../tables.ts';

export type UserAccountRow = typeof tables.userAccount.$inferSelect;
export type MailServerRow = typeof tables.mailServer.$inferSelect;
export type MailAccountRow = typeof tables.mailAccount.$inferSelect;
export type MailBoxRow = typeof tables.mailBox.$inferSelect;
export type MailRow = typeof tables.mail.$inferSelect;
export type OutboxRow = typeof tables.outbox.$inferSelect;
export type CertificateRow = typeof tables.certificate.$inferSelect;
