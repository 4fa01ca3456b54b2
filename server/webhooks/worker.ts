// The webhook worker (one per process): claims due rows of the webhook queue
// (schema/store/webhooks.ts; FOR UPDATE SKIP LOCKED on PostgreSQL, so several
// nodes share the queue), POSTs each with an HMAC-SHA256 signature of the body,
// and records the attempt: delivered on a 2xx answer, else retried with
// exponential backoff until the event's lifetime (a day) is over. A claim is a
// lease: after a crash the row is taken again once the lease ends, with the
// same event id (at-least-once delivery). Nothing here is awaited by mail flow:
// the change's transaction only inserted the row.
import crypto from 'node:crypto';
import {
  claimWebhookEvents,
  finishWebhookAttempt,
  nextWebhookDue,
  pruneWebhookEvents,
  setWebhookBody,
  type Store,
  type WebhookEventRow,
  webhookSettings,
  type WebhookSettingRow,
} from '../../schema/index.ts';
import type { WebhookSettings } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Service } from '../service.ts';
import { webhookBody } from './payload.ts';

/** A claim outlives one attempt (the request timeout) by this much (rendering, recording). */
const LEASE_MARGIN_MS = 5_000;
/** The queue is looked at at least this often even when nothing wakes the worker. */
const IDLE_POLL_MS = 60_000;
const PRUNE_EVERY_MS = 3600_000;
/** EmailEngine's header names. */
export const SIGNATURE_HEADER = 'X-EE-Wh-Signature';
export const EVENT_ID_HEADER = 'X-EE-Wh-Id';

/** The signature header's value: base64url HMAC-SHA256 of the body with the settings' secret. */
export function signWebhook(secret: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(body).digest('base64url');
}

export interface WebhookWorker extends Service {
  /** Look at the queue now. */
  kick(): void;
  /** Resolves when no POST is in flight. */
  idle(): Promise<void>;
}

export function createWebhookWorker(deps: { store: Store; settings: WebhookSettings; log: Logger }): WebhookWorker {
  const { store, settings, log } = deps;
  const inflight = new Map<number, Promise<void>>();
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let ticking = false;
  let tickAgain = false;
  let lastPrune = 0;

  const kick = () => {
    if (!running) return;
    setImmediate(() => void tick());
  };

  function schedule(at: number | null): void {
    if (timer) clearTimeout(timer);
    const wait = Math.max(0, Math.min(IDLE_POLL_MS, (at ?? Infinity) - Date.now()));
    timer = setTimeout(() => void tick(), wait + 10);
    timer.unref();
  }

  async function tick(): Promise<void> {
    if (!running) return;
    if (ticking) {
      tickAgain = true;
      return;
    }
    ticking = true;
    try {
      const config = await webhookSettings(store);
      if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
        lastPrune = Date.now();
        await pruneWebhookEvents(store, Date.now() - settings.historyMs);
      }
      const free = settings.concurrency - inflight.size;
      // Off, or every slot busy: a settings change or a finishing POST wakes the worker.
      if (!config.enabled || !config.url || free <= 0) {
        schedule(null);
        return;
      }
      for (const row of await claimWebhookEvents(store, free, Date.now() + settings.timeoutMs + LEASE_MARGIN_MS)) {
        const job = attempt(row, config).finally(() => {
          inflight.delete(row.id);
          kick();
        });
        inflight.set(row.id, job);
      }
      schedule(await nextWebhookDue(store));
    } catch (err) {
      if (running) log.error({ err }, 'webhook queue scan failed');
      schedule(Date.now() + 5_000);
    } finally {
      ticking = false;
      // Woken while scanning: scan again (the settings or the queue changed meanwhile).
      if (tickAgain) {
        tickAgain = false;
        kick();
      }
    }
  }

  function retryAt(row: WebhookEventRow): number | null {
    if (Date.now() - row.created_at >= settings.lifetimeMs) return null;
    return Date.now() + Math.min(settings.retryMaxMs, settings.retryMinMs * 2 ** Math.min(30, row.attempts - 1));
  }

  async function attempt(row: WebhookEventRow, config: WebhookSettingRow): Promise<void> {
    let responseCode: number | null = null;
    let error = '';
    try {
      let body = row.body;
      if (body === null) {
        body = await webhookBody(store, row);
        await setWebhookBody(store, row.id, body);
      }
      const response = await fetch(config.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Heron webhooks',
          [SIGNATURE_HEADER]: signWebhook(config.secret, body),
          [EVENT_ID_HEADER]: row.reference_id,
          'X-EE-Wh-Attempts-Made': String(row.attempts),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      responseCode = response.status;
      // The answer's body is not needed: drop it without reading it.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) {
        await finishWebhookAttempt(store, row.id, { status: 'delivered', responseCode, error: '' });
        return;
      }
      error = `HTTP ${response.status}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      error = e.name === 'TimeoutError' ? `no answer within ${settings.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    }
    const next = retryAt(row);
    log.warn({ event: row.event, eventId: row.reference_id, attempts: row.attempts, responseCode, error, retry: next !== null }, 'webhook delivery failed');
    try {
      await finishWebhookAttempt(store, row.id, next === null ? { status: 'failed', responseCode, error } : { status: 'pending', responseCode, error, nextAttemptAt: next });
    } catch (err) {
      // The lease runs out and the row is taken again.
      log.error({ err, eventId: row.reference_id }, 'webhook attempt not recorded');
    }
  }

  const onEvent = () => kick();

  return {
    name: 'webhooks',
    async start() {
      running = true;
      store.events.on('webhook', onEvent);
      kick();
    },
    async stop() {
      running = false;
      store.events.off('webhook', onEvent);
      if (timer) clearTimeout(timer);
      // POSTs end within the request timeout; a row not recorded is taken again after its lease.
      await Promise.allSettled([...inflight.values()]);
    },
    describe: () => [],
    kick,
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight.values()]);
    },
  };
}
