// Per-account quotas (RFC 9208 STORAGE and MESSAGE, one quota root per account).
//
// Usage is two counters on the mail_account row, changed in the same
// transaction as every insert and delete of a `mail` row (deliverMessage,
// copyInWrite, expungeInWrite in ./messages.ts). The charge is an UPDATE and a
// check of the row it left (heron_assert, so that it can also be one of a
// write's final statements): the row lock the UPDATE takes makes concurrent
// writers of one account take turns (on PostgreSQL, READ COMMITTED updates the
// row a concurrent writer just committed), so usage never passes the limit and
// is exact without scanning the account's mail. An indexed SUM would be exact
// too, but costs a scan per delivery and still needs the row lock.
import { StoreError } from './errors.ts';
import { type FinalStatement, type Queryable, type Store, type WriteContext, write } from './store.ts';

/** Limits (null: unlimited) and usage of one account; storage in bytes. */
export interface AccountQuota {
  storageLimitBytes: number | null;
  storageUsedBytes: number;
  messageLimit: number | null;
  messagesUsed: number;
}

/**
 * Usage changes of one write, per account, applied together by settleQuota so
 * that a MOVE inside an account (copy, then expunge) nets to zero instead of
 * being refused on the way.
 */
export class QuotaLedger {
  readonly deltas = new Map<number, { messages: number; bytes: number }>();

  add(accountId: number, messages: number, bytes: number): void {
    const d = this.deltas.get(accountId) ?? { messages: 0, bytes: 0 };
    d.messages += messages;
    d.bytes += bytes;
    this.deltas.set(accountId, d);
  }
}

/**
 * The statements applying a ledger, for a write's final statements (after its
 * mailbox locks): per account, in id order (one order for every writer), the
 * change (RETURNING the account's id), then — for a growth, unless `enforce`
 * is false (the server's own filings: DSNs, Sent copies of mail already sent)
 * — a check that fails the write with StoreError OVERQUOTA when the account
 * is now past a limit.
 */
export function quotaStatements(ledger: QuotaLedger, enforce = true): FinalStatement[] {
  const statements: FinalStatement[] = [];
  for (const accountId of [...ledger.deltas.keys()].sort((a, b) => a - b)) {
    const { messages, bytes } = ledger.deltas.get(accountId)!;
    if (messages === 0 && bytes === 0) continue;
    statements.push({
      sql: `UPDATE mail_account SET used_messages = used_messages + ?, used_storage_bytes = used_storage_bytes + ? WHERE id = ? RETURNING id`,
      params: [messages, bytes, accountId],
    });
    // RFC 9208 §4.3: the caller answers NO [OVERQUOTA] (SMTP 552 5.2.2).
    if (enforce && (messages > 0 || bytes > 0)) {
      statements.push({
        sql: `SELECT heron_assert((quota_messages IS NULL OR used_messages <= quota_messages) AND (quota_storage_bytes IS NULL OR used_storage_bytes <= quota_storage_bytes),
                'OVERQUOTA', 'Quota exceeded: the mailbox is full') FROM mail_account WHERE id = ?`,
        params: [accountId],
      });
    }
  }
  return statements;
}

/**
 * Applies a ledger inside a write that goes on afterwards (quotaStatements,
 * one at a time). A growth that would take an account past a limit throws
 * StoreError OVERQUOTA (rolling the write back), unless `enforce` is false.
 * The row lock the change takes makes concurrent writers of one account take
 * turns, so the check sees every committed charge.
 */
export async function settleQuota(tx: WriteContext, ledger: QuotaLedger, enforce = true): Promise<void> {
  for (const statement of quotaStatements(ledger, enforce)) {
    const rows = await tx.all(statement.sql, ...statement.params);
    if (statement.sql.startsWith('UPDATE') && rows.length === 0) throw new StoreError('NONEXISTENT', 'mail account does not exist');
  }
}

interface QuotaRow {
  quota_storage_bytes: number | null;
  quota_messages: number | null;
  used_storage_bytes: number;
  used_messages: number;
}

/** Limits and usage of an account (GETQUOTA, the API, SMTP's DATA check). */
export async function accountQuota(db: Queryable, accountId: number): Promise<AccountQuota> {
  const row = await db.get<QuotaRow>(
    `SELECT quota_storage_bytes, quota_messages, used_storage_bytes, used_messages FROM mail_account WHERE id = ?`,
    accountId,
  );
  if (!row) throw new StoreError('NONEXISTENT', 'mail account does not exist');
  return quotaOfAccount(row);
}

/** Limits and usage as of an account row already read (SMTP's RCPT check reads the row to resolve the address). */
export function quotaOfAccount(row: QuotaRow): AccountQuota {
  return {
    storageLimitBytes: row.quota_storage_bytes,
    storageUsedBytes: row.used_storage_bytes,
    messageLimit: row.quota_messages,
    messagesUsed: row.used_messages,
  };
}

/**
 * Whether one more message of `bytes` would fit now. A hint for early refusals
 * (SMTP RCPT with SIZE=); the binding check is settleQuota's at commit.
 */
export function quotaHasRoom(q: AccountQuota, bytes: number): boolean {
  if (q.messageLimit !== null && q.messagesUsed + 1 > q.messageLimit) return false;
  if (q.storageLimitBytes !== null && q.storageUsedBytes + bytes > q.storageLimitBytes) return false;
  return true;
}

/** Sets an account's limits (null: unlimited; undefined: unchanged). Lowering below usage refuses new mail only. */
export async function setAccountQuota(store: Store, accountId: number, limits: { storageBytes?: number | null; messages?: number | null }): Promise<void> {
  await write(store, async (tx) => {
    if (limits.storageBytes !== undefined) await tx.run(`UPDATE mail_account SET quota_storage_bytes = ? WHERE id = ?`, limits.storageBytes, accountId);
    if (limits.messages !== undefined) await tx.run(`UPDATE mail_account SET quota_messages = ? WHERE id = ?`, limits.messages, accountId);
  });
}
