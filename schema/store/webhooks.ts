// The webhook queue: an event row is written by queueWebhookEvent() inside the
// same write transaction as the change it reports (so a crash never loses one),
// and a worker (server/webhooks/) claims due rows, POSTs them and records each
// attempt. Rows stay as the delivery history until pruned.
//
// Order: rows with one order_key (a mailbox) are delivered one at a time in id
// order; a row waiting for a retry holds back the later rows of its key.
import crypto from 'node:crypto';
import { StoreError } from './errors.ts';
import type { OutboxAttempt, RecipientState } from './outbox.ts';
import { rowOf, rowOrUndefined, rowsOf } from './row-codec.ts';
import { now, type Store, type WriteContext, write } from './store.ts';
import { webhookEvent, webhookSetting } from '../tables.ts';

/** EmailEngine's event names that Heron sends. */
export const WEBHOOK_EVENTS = [
  'messageNew',
  'messageDeleted',
  'messageUpdated',
  'mailboxNew',
  'mailboxDeleted',
  'messageSent',
  'messageDeliveryError',
  'messageFailed',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

export type WebhookSettingRow = typeof webhookSetting.$inferSelect;
export type WebhookEventRow = typeof webhookEvent.$inferSelect;
export type WebhookStatus = WebhookEventRow['status'];

/** Webhooks on (the settings row is `s`). */
const ENABLED = `s.id = 1 AND s.enabled = 1 AND s.url <> ''`;
/** …and the event (bound as its JSON string) subscribed. */
const SUBSCRIBED = (d: WriteContext['dialect']) => `${ENABLED} AND (s.events = '["*"]' OR ${d.instr}(s.events, ?) > 0)`;

async function insertEvent(tx: WriteContext, event: WebhookEventName, source: { mailboxId: number } | { accountId: number }, data: object): Promise<void> {
  const t = now();
  const [from, orderKey, id] =
    'mailboxId' in source
      ? ['mail_box b JOIN mail_account a ON a.id = b.mail_account_id WHERE b.id = ?', `mailbox:${source.mailboxId}`, source.mailboxId]
      : ['mail_account a WHERE a.id = ?', `account:${source.accountId}`, source.accountId];
  // One statement either way: with webhooks off, or the event not subscribed, it inserts nothing.
  const { changes } = await tx.run(
    `INSERT INTO webhook_event (reference_id, event, order_key, account, path, data, next_attempt_at, created_at, updated_at)
     SELECT ?, ?, ?, a.username, ${'mailboxId' in source ? 'b.name' : 'NULL'}, ?, ?, ?, ?
     FROM webhook_setting s, ${from} AND ${SUBSCRIBED(tx.dialect)}`,
    crypto.randomUUID(),
    event,
    orderKey,
    JSON.stringify(data),
    t,
    t,
    t,
    id,
    JSON.stringify(event),
  );
  if (changes > 0) tx.notify('webhook');
}

/**
 * Queues `event` about a mailbox (its path and account are read here) when
 * webhooks are on and the event is subscribed; otherwise does nothing. Call
 * inside the write that makes the change, before a deleted mailbox's row goes.
 */
export async function queueWebhookEvent(tx: WriteContext, mailboxId: number, event: WebhookEventName, data: object): Promise<void> {
  await insertEvent(tx, event, { mailboxId }, data);
}

/**
 * Queues what an outbound delivery attempt of an account's mail came to:
 * messageSent for the recipients accepted, messageFailed for those given up
 * on, messageDeliveryError for those deferred (EmailEngine's payloads; the
 * queue id is the outbox row's id). Call inside the write that records the
 * attempt, before the row is updated: a recipient is reported as sent or
 * failed once, in the attempt that changed its status.
 */
export async function queueOutboundWebhookEvents(tx: WriteContext, outboxId: number, attempt: Pick<OutboxAttempt, 'recipientStatus' | 'retryCount' | 'nextRetryAt' | 'lastError'>): Promise<void> {
  const row = await tx.get<{ mail_account_id: number | null; reference_id: string; message_id: string; envelope_from: string; recipient_status: string }>(
    `SELECT o.mail_account_id, o.reference_id, o.message_id, o.envelope_from, o.recipient_status FROM outbox o, webhook_setting s WHERE o.id = ? AND o.status = 'sending' AND ${ENABLED}`,
    outboxId,
  );
  if (!row || row.mail_account_id === null) return;
  const before = JSON.parse(row.recipient_status || '{}') as Record<string, RecipientState | undefined>;
  const accountId = row.mail_account_id;
  const base = { queueId: row.reference_id, messageId: row.message_id };
  const recipients = (status: RecipientState['status']) =>
    Object.entries(attempt.recipientStatus).filter(([address, r]) => r.status === status && (status === 'deferred' || before[address]?.status !== status));
  const reply = (list: Array<[string, RecipientState]>) => list[0]?.[1];
  const sent = recipients('sent');
  if (sent.length > 0) {
    await insertEvent(tx, 'messageSent', { accountId }, { ...base, response: reply(sent)?.response ?? '', envelope: { from: row.envelope_from, to: sent.map(([a]) => a) } });
  }
  const failed = recipients('failed');
  if (failed.length > 0) {
    const r = reply(failed)!;
    await insertEvent(tx, 'messageFailed', { accountId }, { ...base, error: r.response ?? attempt.lastError, ...(r.code ? { smtpResponseCode: r.code } : {}), envelope: { from: row.envelope_from, to: failed.map(([a]) => a) } });
  }
  const deferred = recipients('deferred');
  if (deferred.length > 0) {
    const r = reply(deferred)!;
    await insertEvent(tx, 'messageDeliveryError', { accountId }, {
      ...base,
      envelope: { from: row.envelope_from, to: deferred.map(([a]) => a) },
      error: r.response ?? attempt.lastError,
      ...(r.code ? { smtpResponseCode: r.code } : {}),
      job: { attemptsMade: attempt.retryCount, ...(attempt.nextRetryAt !== null ? { nextAttempt: new Date(attempt.nextRetryAt).toISOString() } : {}) },
    });
  }
}

// ---------------------------------------------------------------- settings

/** The settings row, created (disabled, with a random signing secret) when missing; `firstUrl` turns webhooks on for a first start. */
export async function ensureWebhookSettings(store: Store, firstUrl?: string): Promise<WebhookSettingRow> {
  await store.run(
    `INSERT INTO webhook_setting (id, enabled, url, secret, updated_at) VALUES (1, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    firstUrl ? 1 : 0,
    firstUrl ?? '',
    crypto.randomBytes(32).toString('hex'),
    now(),
  );
  return webhookSettings(store);
}

export async function webhookSettings(store: Store): Promise<WebhookSettingRow> {
  const row = rowOrUndefined(webhookSetting, await store.get(`SELECT * FROM webhook_setting WHERE id = 1`));
  return row ?? ensureWebhookSettings(store);
}

export interface WebhookSettingsChange {
  enabled?: boolean;
  url?: string;
  /** EmailEngine names, or ["*"]. */
  events?: string[];
  secret?: string;
}

export async function updateWebhookSettings(store: Store, change: WebhookSettingsChange): Promise<WebhookSettingRow> {
  await ensureWebhookSettings(store);
  return write(store, async (tx) => {
    const current = rowOf(webhookSetting, await tx.get(`SELECT * FROM webhook_setting WHERE id = 1${tx.dialect.forUpdate}`));
    const next = {
      enabled: change.enabled ?? current.enabled,
      url: change.url ?? current.url,
      events: change.events ? JSON.stringify(change.events.includes('*') ? ['*'] : [...new Set(change.events)]) : current.events,
      secret: change.secret ?? current.secret,
    };
    const row = await tx.get(
      `UPDATE webhook_setting SET enabled = ?, url = ?, events = ?, secret = ?, updated_at = ? WHERE id = 1 RETURNING *`,
      next.enabled ? 1 : 0,
      next.url,
      next.events,
      next.secret,
      now(),
    );
    tx.notify('webhook');
    return rowOf(webhookSetting, row);
  });
}

// ---------------------------------------------------------------- the worker's side

/**
 * Claims up to `limit` due rows until `lockedUntil`, each the oldest pending
 * row of its order key (so one key never has two in flight), oldest first.
 */
export async function claimWebhookEvents(store: Store, limit: number, lockedUntil: number): Promise<WebhookEventRow[]> {
  return write(store, async (tx) => {
    const t = now();
    const rows = await tx.all(
      `UPDATE webhook_event SET locked_until = ?, attempts = attempts + 1, updated_at = ?
       WHERE id IN (
         SELECT e.id FROM webhook_event e
         WHERE e.status = 'pending' AND e.next_attempt_at <= ? AND e.locked_until <= ?
           AND NOT EXISTS (SELECT 1 FROM webhook_event p WHERE p.order_key = e.order_key AND p.status = 'pending' AND p.id < e.id)
         ORDER BY e.id LIMIT ?${tx.dialect.forUpdateSkipLocked})
       RETURNING *`,
      lockedUntil,
      t,
      t,
      t,
      limit,
    );
    return rowsOf(webhookEvent, rows).sort((a, b) => a.id - b.id);
  });
}

/** Fixes the body a row is POSTed with (at its first attempt), so every retry sends the same bytes. */
export async function setWebhookBody(store: Store, id: number, body: string): Promise<void> {
  await store.run(`UPDATE webhook_event SET body = ? WHERE id = ? AND body IS NULL`, body, id);
}

export interface WebhookAttempt {
  /** delivered: a 2xx answer; pending: retry at nextAttemptAt; failed: given up. */
  status: WebhookStatus;
  responseCode: number | null;
  error: string;
  nextAttemptAt?: number;
}

/** Records an attempt's outcome and releases the claim. */
export async function finishWebhookAttempt(store: Store, id: number, attempt: WebhookAttempt): Promise<void> {
  const t = now();
  await store.run(
    `UPDATE webhook_event SET status = ?, response_code = ?, last_error = ?, next_attempt_at = ?, locked_until = 0,
       delivered_at = ?, updated_at = ? WHERE id = ?`,
    attempt.status,
    attempt.responseCode,
    attempt.error.slice(0, 500),
    attempt.nextAttemptAt ?? t,
    attempt.status === 'delivered' ? t : null,
    t,
    id,
  );
}

/** When the next claimable row (the oldest pending of its key) is due: its retry time or the end of its claim; null when none is pending. */
export async function nextWebhookDue(store: Store): Promise<number | null> {
  const row = await store.get<{ due: number | null }>(
    `SELECT min(CASE WHEN e.locked_until > e.next_attempt_at THEN e.locked_until ELSE e.next_attempt_at END) AS due FROM webhook_event e
     WHERE e.status = 'pending' AND NOT EXISTS (SELECT 1 FROM webhook_event p WHERE p.order_key = e.order_key AND p.status = 'pending' AND p.id < e.id)`,
  );
  return row?.due ?? null;
}

/** Removes delivered and failed rows last changed before `before`; returns how many. */
export async function pruneWebhookEvents(store: Store, before: number): Promise<number> {
  const { changes } = await store.run(`DELETE FROM webhook_event WHERE status <> 'pending' AND updated_at < ?`, before);
  return changes;
}

// ---------------------------------------------------------------- history

export interface WebhookDeliveryPage {
  total: number;
  rows: WebhookEventRow[];
}

/** Delivery history, newest first, optionally of one status or event. */
export async function listWebhookDeliveries(
  store: Store,
  filter: { status?: WebhookStatus; event?: string; offset: number; limit: number },
): Promise<WebhookDeliveryPage> {
  const where = `WHERE (CAST(? AS TEXT) IS NULL OR status = ?) AND (CAST(? AS TEXT) IS NULL OR event = ?)`;
  const params = [filter.status ?? null, filter.status ?? null, filter.event ?? null, filter.event ?? null];
  const total = (await store.get<{ n: number }>(`SELECT count(*) AS n FROM webhook_event ${where}`, ...params))!.n;
  const rows = await store.all(`SELECT * FROM webhook_event ${where} ORDER BY id DESC LIMIT ? OFFSET ?`, ...params, filter.limit, filter.offset);
  return { total: Number(total), rows: rowsOf(webhookEvent, rows) };
}

export async function findWebhookDelivery(store: Store, referenceId: string): Promise<WebhookEventRow> {
  const row = rowOrUndefined(webhookEvent, await store.get(`SELECT * FROM webhook_event WHERE reference_id = ?`, referenceId));
  if (!row) throw new StoreError('NONEXISTENT', 'no such webhook delivery');
  return row;
}
