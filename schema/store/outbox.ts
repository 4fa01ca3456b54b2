// outbox rows: one per message and destination host, claimed by the delivery
// worker with a lease (`locked_until`) so that a crash never loses a row and a
// restart never has two workers on it. On PostgreSQL several nodes work the
// queue: a claim skips rows another node is claiming (FOR UPDATE SKIP LOCKED)
// and only expired leases are taken back.
import crypto from 'node:crypto';
import { outbox } from '../tables.ts';
import { StoreError } from './errors.ts';
import { insertRow, rowOf, rowOrUndefined, rowsOf, updateRows } from './row-codec.ts';
import type { OutboxRow } from './rows.ts';
import { now, type Store, write } from './store.ts';
import { queueOutboundWebhookEvents } from './webhooks.ts';

/** Where one recipient of a row stands after the last attempt. */
export interface RecipientState {
  status: 'queued' | 'sent' | 'deferred' | 'failed';
  /**
   * The remote server's SMTP reply code; 0 when Heron decided without one (DNS,
   * connection, null MX, no 8BITMIME or SMTPUTF8 where the message needs it).
   */
  code?: number;
  /** RFC 3463 enhanced status code, e.g. "5.1.1". */
  enhanced?: string;
  /** The remote server's reply when `code` is set, otherwise Heron's own reason. */
  response?: string;
  /** Failed because the queue lifetime ran out while it was deferred. */
  expired?: boolean;
  /** The host that gave the answer. */
  mx?: string;
  at?: number;
  /** A DSN reporting this recipient's failure has been delivered. */
  bounced?: boolean;
}

export type RecipientStatus = Record<string, RecipientState>;

export function parseRecipientStatus(row: Pick<OutboxRow, 'recipient_status' | 'to_address'>): RecipientStatus {
  const parsed = JSON.parse(row.recipient_status || '{}') as RecipientStatus;
  for (const rcpt of JSON.parse(row.to_address) as string[]) parsed[rcpt] ??= { status: 'queued' };
  return parsed;
}

export interface NewOutboxEntry {
  accountId: number | null;
  fromAddress: string;
  /** RFC 5321 reverse-path; '' for the null sender. */
  envelopeFrom: string;
  toHost: string;
  recipients: string[];
  raw: Buffer;
  messageId: string;
}

/** Queues one row per destination in a single transaction: all are committed or none. */
export async function enqueueOutbox(store: Store, entries: NewOutboxEntry[]): Promise<OutboxRow[]> {
  return write(store, async (tx) => {
    const t = now();
    const rows: OutboxRow[] = [];
    for (const e of entries) {
      rows.push(
        await insertRow(tx, outbox, {
          reference_id: crypto.randomUUID(),
          mail_account_id: e.accountId,
          from_address: e.fromAddress,
          to_address: JSON.stringify(e.recipients),
          to_host: e.toHost.toLowerCase(),
          mail: e.raw,
          envelope_from: e.envelopeFrom,
          message_id: e.messageId,
          status: 'queued',
          recipient_status: JSON.stringify(Object.fromEntries(e.recipients.map((r) => [r, { status: 'queued' }]))),
          next_retry_at: t,
          created_at: t,
          updated_at: t,
        }),
      );
    }
    tx.notify('outbox');
    return rows;
  });
}

/** Queued rows that are due, oldest first (without the message bytes). */
export async function listDueOutbox(store: Store, at: number, limit: number): Promise<Array<{ id: number; to_host: string }>> {
  return store.all<{ id: number; to_host: string }>(
    `SELECT id, to_host FROM outbox WHERE status = 'queued' AND next_retry_at <= ? ORDER BY next_retry_at, id LIMIT ?`,
    at,
    limit,
  );
}

/** When the next queued row falls due, or null when the queue is empty. */
export async function nextOutboxDue(store: Store): Promise<number | null> {
  const row = await store.get<{ due: number | null }>(`SELECT min(next_retry_at) AS due FROM outbox WHERE status = 'queued'`);
  return row?.due ?? null;
}

/** Takes a queued row for delivery until `lockedUntil`; undefined when someone else has it or it is gone. */
export async function claimOutbox(store: Store, id: number, lockedUntil: number): Promise<OutboxRow | undefined> {
  return write(store, async (tx) => {
    const t = now();
    const row = await tx.get(
      `UPDATE outbox SET status = 'sending', locked_until = ?, last_attempt_at = ?, updated_at = ?
       WHERE id IN (SELECT id FROM outbox WHERE id = ? AND status = 'queued'${tx.dialect.forUpdateSkipLocked}) RETURNING *`,
      lockedUntil,
      t,
      t,
      id,
    );
    return rowOrUndefined(outbox, row);
  });
}

export interface OutboxAttempt {
  /** queued: some recipient is deferred; otherwise final: sent (all accepted), partial (some), failed (none). */
  status: 'queued' | 'sent' | 'partial' | 'failed';
  recipientStatus: RecipientStatus;
  retryCount: number;
  /** null when the row is final. */
  nextRetryAt: number | null;
  lastError: string;
  delayNotified: boolean;
  dsnSent: boolean;
}

/** Records an attempt's outcome and releases the claim. */
export async function finishOutboxAttempt(store: Store, id: number, attempt: OutboxAttempt): Promise<void> {
  await write(store, async (tx) => {
    await queueOutboundWebhookEvents(tx, id, attempt);
    await updateRows(
      tx,
      outbox,
      {
        status: attempt.status,
        sent: attempt.status === 'sent',
        recipient_status: JSON.stringify(attempt.recipientStatus),
        retry_count: attempt.retryCount,
        next_retry_at: attempt.nextRetryAt,
        last_error: attempt.lastError,
        delay_notified: attempt.delayNotified,
        dsn_sent: attempt.dsnSent,
        locked_until: 0,
        updated_at: now(),
      },
      `id = ? AND status = 'sending'`,
      id,
    );
  });
}

/**
 * Puts claimed rows back in the queue: every 'sending' row with `all` (at start,
 * when no worker of this process can hold one), otherwise only expired claims.
 * On a shared database (PostgreSQL) other nodes' workers may hold claims, so
 * only expired ones are taken back even with `all`.
 */
export async function reclaimOutbox(store: Store, options: { all: boolean }): Promise<number> {
  return write(store, async (tx) => {
    const t = now();
    const everything = options.all && !tx.dialect.shared;
    const result = await tx.run(
      `UPDATE outbox SET status = 'queued', locked_until = 0, next_retry_at = ?, updated_at = ?
       WHERE status = 'sending'${everything ? '' : ' AND locked_until <= ?'}`,
      ...(everything ? [t, t] : [t, t, t]),
    );
    if (result.changes > 0) tx.notify('outbox');
    return result.changes;
  });
}

export type OutboxWithOwner = OutboxRow & { owner_user_id: number | null };

/** A row and the user_account that owns its sender's mail_account. */
export async function findOutbox(store: Store, referenceId: string): Promise<OutboxWithOwner | undefined> {
  const row = await store.get<Record<string, unknown> & { owner_user_id: number | null }>(
    `SELECT o.*, a.user_account_id AS owner_user_id FROM outbox o LEFT JOIN mail_account a ON a.id = o.mail_account_id WHERE o.reference_id = ?`,
    referenceId,
  );
  return row ? { ...rowOf(outbox, row), owner_user_id: row.owner_user_id ?? null } : undefined;
}

async function changeQueued(store: Store, referenceId: string, change: Partial<OutboxRow>, verb: string): Promise<OutboxRow> {
  return write(store, async (tx) => {
    const [row] = await updateRows(tx, outbox, { ...change, updated_at: now() }, `reference_id = ? AND status = 'queued'`, referenceId);
    if (row) {
      tx.notify('outbox');
      return row;
    }
    const existing = await tx.get<{ status: string }>(`SELECT status FROM outbox WHERE reference_id = ?`, referenceId);
    if (!existing) throw new StoreError('NONEXISTENT', 'outbox row does not exist');
    throw new StoreError('CANNOT', `only a queued row can be ${verb}; this one is ${existing.status}`);
  });
}

/** "Retry now": a queued row becomes due at once. */
export async function retryOutboxNow(store: Store, referenceId: string): Promise<OutboxRow> {
  return changeQueued(store, referenceId, { next_retry_at: now() }, 'retried');
}

/** Cancels a queued row; it is never delivered and no DSN is sent. */
export async function cancelOutbox(store: Store, referenceId: string): Promise<OutboxRow> {
  return changeQueued(store, referenceId, { status: 'cancelled', locked_until: 0, next_retry_at: null }, 'cancelled');
}

/** Makes every queued row due now (only the rows of this user's mail accounts when given). */
export async function makeOutboxDue(store: Store, ownerUserId: number | null): Promise<number> {
  return write(store, async (tx) => {
    const t = now();
    const result =
      ownerUserId === null
        ? await tx.run(`UPDATE outbox SET next_retry_at = ?, updated_at = ? WHERE status = 'queued'`, t, t)
        : await tx.run(
            `UPDATE outbox SET next_retry_at = ?, updated_at = ?
             WHERE status = 'queued' AND mail_account_id IN (SELECT id FROM mail_account WHERE user_account_id = ?)`,
            t,
            t,
            ownerUserId,
          );
    tx.notify('outbox');
    return result.changes;
  });
}

/** Every row, oldest first (tests and operator scripts; the API lists through its resources). */
export async function listOutbox(store: Store): Promise<OutboxRow[]> {
  return rowsOf(outbox, await store.all(`SELECT * FROM outbox ORDER BY id`));
}

/** Every queue status a row can have, in the order a row moves through them. */
export const OUTBOX_STATUSES = ['queued', 'sending', 'sent', 'partial', 'failed', 'cancelled'] as const;

/** Rows per status, every status present (0 when none): the console's overview and /metrics. */
export async function countOutboxByStatus(store: Store): Promise<Record<(typeof OUTBOX_STATUSES)[number], number>> {
  const counts = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<(typeof OUTBOX_STATUSES)[number], number>;
  for (const row of await store.all<{ status: string; n: number | string }>(`SELECT status, count(*) AS n FROM outbox GROUP BY status`)) {
    if (row.status in counts) counts[row.status as keyof typeof counts] = Number(row.n);
  }
  return counts;
}
