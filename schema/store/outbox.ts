// outbox rows: one per message and destination host, claimed by the delivery
// worker with a lease (`locked_until`) so that a crash never loses a row and a
// restart never has two workers on it.
import crypto from 'node:crypto';
import { and, asc, eq, lte, min, sql } from 'drizzle-orm';
import { mailAccount, outbox } from '../tables.ts';
import { StoreError } from './errors.ts';
import type { OutboxRow } from './rows.ts';
import { now, type Store, write } from './store.ts';

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
  return write(store, (ctx) => {
    const t = now();
    const rows = entries.map((e) =>
      store.db
        .insert(outbox)
        .values({
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
        })
        .returning()
        .get(),
    );
    ctx.notify('outbox');
    return rows;
  });
}

/** Queued rows that are due, oldest first (without the message bytes). */
export async function listDueOutbox(store: Store, at: number, limit: number): Promise<Array<{ id: number; to_host: string }>> {
  return store.db
    .select({ id: outbox.id, to_host: outbox.to_host })
    .from(outbox)
    .where(and(eq(outbox.status, 'queued'), lte(outbox.next_retry_at, at)))
    .orderBy(asc(outbox.next_retry_at), asc(outbox.id))
    .limit(limit)
    .all();
}

/** When the next queued row falls due, or null when the queue is empty. */
export async function nextOutboxDue(store: Store): Promise<number | null> {
  const row = store.db.select({ due: min(outbox.next_retry_at) }).from(outbox).where(eq(outbox.status, 'queued')).get();
  return row?.due ?? null;
}

/** Takes a queued row for delivery until `lockedUntil`; undefined when someone else has it or it is gone. */
export async function claimOutbox(store: Store, id: number, lockedUntil: number): Promise<OutboxRow | undefined> {
  return write(store, () =>
    store.db
      .update(outbox)
      .set({ status: 'sending', locked_until: lockedUntil, last_attempt_at: now(), updated_at: now() })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'queued')))
      .returning()
      .get(),
  );
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
  await write(store, () => {
    store.db
      .update(outbox)
      .set({
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
      })
      .where(and(eq(outbox.id, id), eq(outbox.status, 'sending')))
      .run();
  });
}

/**
 * Puts claimed rows back in the queue: every 'sending' row with `all` (at start,
 * when no worker of this process can hold one), otherwise only expired claims.
 */
export async function reclaimOutbox(store: Store, options: { all: boolean }): Promise<number> {
  return write(store, (ctx) => {
    const t = now();
    const result = store.db
      .update(outbox)
      .set({ status: 'queued', locked_until: 0, next_retry_at: t, updated_at: t })
      .where(options.all ? eq(outbox.status, 'sending') : and(eq(outbox.status, 'sending'), lte(outbox.locked_until, t)))
      .run();
    if (result.changes > 0) ctx.notify('outbox');
    return result.changes;
  });
}

export type OutboxWithOwner = OutboxRow & { owner_user_id: number | null };

/** A row and the user_account that owns its sender's mail_account. */
export async function findOutbox(store: Store, referenceId: string): Promise<OutboxWithOwner | undefined> {
  const row = store.db
    .select({ row: outbox, owner: mailAccount.user_account_id })
    .from(outbox)
    .leftJoin(mailAccount, eq(mailAccount.id, outbox.mail_account_id))
    .where(eq(outbox.reference_id, referenceId))
    .get();
  return row ? { ...row.row, owner_user_id: row.owner ?? null } : undefined;
}

async function changeQueued(store: Store, referenceId: string, change: Partial<OutboxRow>, verb: string): Promise<OutboxRow> {
  return write(store, (ctx) => {
    const row = store.db
      .update(outbox)
      .set({ ...change, updated_at: now() })
      .where(and(eq(outbox.reference_id, referenceId), eq(outbox.status, 'queued')))
      .returning()
      .get();
    if (row) {
      ctx.notify('outbox');
      return row;
    }
    const existing = store.db.select({ status: outbox.status }).from(outbox).where(eq(outbox.reference_id, referenceId)).get();
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
  return write(store, (ctx) => {
    const t = now();
    const owned =
      ownerUserId === null
        ? sql`1`
        : sql`${outbox.mail_account_id} IN (SELECT ${mailAccount.id} FROM ${mailAccount} WHERE ${mailAccount.user_account_id} = ${ownerUserId})`;
    const result = store.db
      .update(outbox)
      .set({ next_retry_at: t, updated_at: t })
      .where(and(eq(outbox.status, 'queued'), owned))
      .run();
    ctx.notify('outbox');
    return result.changes;
  });
}

/** Every row, newest first (tests and operator scripts; the API lists through its resources). */
export async function listOutbox(store: Store): Promise<OutboxRow[]> {
  return store.db.select().from(outbox).orderBy(asc(outbox.id)).all();
}
