// Per-account quotas (RFC 9208 STORAGE and MESSAGE, one quota root per account).
//
// Usage is two counters on the mail_account row, changed in the same
// transaction as every insert and delete of a `mail` row (deliverMessage,
// copyInWrite, expungeInWrite in ./messages.ts). The charge is one conditional
// UPDATE: the row lock it takes makes concurrent writers of one account take
// turns (on PostgreSQL, READ COMMITTED re-checks the WHERE clause against the
// row a concurrent writer just committed), so usage never passes the limit and
// is exact without scanning the account's mail. An indexed SUM would be exact
// too, but costs a scan per delivery and still needs the row lock.
import { StoreError } from './errors.ts';
import { type Queryable, type Store, type WriteContext, write } from './store.ts';

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
 * Applies a ledger inside a write. A growth that would take an account past a
 * limit throws StoreError OVERQUOTA (rolling the write back), unless `enforce`
 * is false (the server's own filings: DSNs, Sent copies of mail already sent).
 * Accounts are charged in id order, after the caller's mailbox locks, one order
 * for every writer.
 */
export async function settleQuota(tx: WriteContext, ledger: QuotaLedger, enforce = true): Promise<void> {
  for (const accountId of [...ledger.deltas.keys()].sort((a, b) => a - b)) {
    const { messages, bytes } = ledger.deltas.get(accountId)!;
    if (messages === 0 && bytes === 0) continue;
    const check = enforce && (messages > 0 || bytes > 0);
    const charged = await tx.get(
      `UPDATE mail_account SET used_messages = used_messages + ?, used_storage_bytes = used_storage_bytes + ?
       WHERE id = ? AND (? = 0 OR ((quota_messages IS NULL OR used_messages + ? <= quota_messages)
                               AND (quota_storage_bytes IS NULL OR used_storage_bytes + ? <= quota_storage_bytes)))
       RETURNING id`,
      messages,
      bytes,
      accountId,
      check ? 1 : 0,
      messages,
      bytes,
    );
    if (!charged) {
      const exists = await tx.get(`SELECT 1 FROM mail_account WHERE id = ?`, accountId);
      if (!exists) throw new StoreError('NONEXISTENT', 'mail account does not exist');
      // RFC 9208 §4.3: the caller answers NO [OVERQUOTA] (SMTP 552 5.2.2).
      throw new StoreError('OVERQUOTA', 'Quota exceeded: the mailbox is full');
    }
  }
}

interface QuotaRow {
  quota_storage_bytes: number | null;
  quota_messages: number | null;
  used_storage_bytes: number;
  used_messages: number;
}

/** Limits and usage of an account (GETQUOTA, the API, SMTP's RCPT check). */
export async function accountQuota(db: Queryable, accountId: number): Promise<AccountQuota> {
  const row = await db.get<QuotaRow>(
    `SELECT quota_storage_bytes, quota_messages, used_storage_bytes, used_messages FROM mail_account WHERE id = ?`,
    accountId,
  );
  if (!row) throw new StoreError('NONEXISTENT', 'mail account does not exist');
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
