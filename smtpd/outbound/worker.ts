// The delivery worker: takes due outbox rows (a claim with a lease, so a crash
// leaves nothing stuck and a restart never has two deliveries of one row in
// flight), delivers each to its destination's MX hosts in preference order,
// records a result per recipient, and schedules retries or bounces.
import type { Resolver } from 'node:dns/promises';
import {
  claimOutbox,
  deliverMessage,
  findMailAccountById,
  findMailServerById,
  findSpecialMailbox,
  finishOutboxAttempt,
  listDueOutbox,
  nextOutboxDue,
  type OutboxRow,
  parseRecipientStatus,
  type RecipientState,
  type RecipientStatus,
  reclaimOutbox,
} from '../../schema/index.ts';
import { type RecipientResult, runTransaction } from './deliver.ts';
import type { OutboundDeps } from './deps.ts';
import { buildDsn, type DsnRecipient } from './dsn.ts';
import { createResolver, findDestination, hostAddresses } from './mx.ts';
import { delayNoticeDue, nextRetry } from './schedule.ts';

/** A claim outlives any one attempt (socket timeouts are 5 minutes per reply). */
const LEASE_MS = 30 * 60_000;
/** The queue is looked at at least this often even when nothing wakes the worker. */
const IDLE_POLL_MS = 60_000;
/** How long stop() waits for transactions in flight before it lets them go. */
const STOP_GRACE_MS = 30_000;

type Outcome = Map<string, RecipientResult & { mx?: string }>;

export interface OutboundWorker {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  describe(): string[];
  /** Look at the queue now (new rows, retry-now). */
  kick(): void;
  /** Resolves when no delivery is in flight (tests, shutdown). */
  idle(): Promise<void>;
}

export function createOutboundWorker(deps: OutboundDeps): OutboundWorker {
  const { store, settings, log } = deps;
  const resolver: Resolver = createResolver(deps.dns);
  const inflight = new Map<number, Promise<void>>();
  const perHost = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let kickPending = false;
  let ticking = false;
  let tickAgain = false;
  let running = false;

  const kick = () => {
    if (!running || kickPending) return;
    kickPending = true;
    setImmediate(() => {
      kickPending = false;
      void tick();
    });
  };

  async function tick(): Promise<void> {
    if (!running) return;
    if (ticking) {
      tickAgain = true;
      return;
    }
    ticking = true;
    try {
      await reclaimOutbox(store, { all: false });
      const free = settings.concurrency - inflight.size;
      if (free > 0) {
        for (const due of await listDueOutbox(store, Date.now(), free * 4 + 16)) {
          if (!running || inflight.size >= settings.concurrency) break;
          if (inflight.has(due.id) || (perHost.get(due.to_host) ?? 0) >= settings.perDestination) continue;
          const row = await claimOutbox(store, due.id, Date.now() + LEASE_MS);
          if (row) launch(row);
        }
      }
      await scheduleTimer();
    } catch (err) {
      if (running) log.error({ err }, 'outbound queue scan failed');
    } finally {
      ticking = false;
    }
    if (tickAgain) {
      tickAgain = false;
      kick();
    }
  }

  async function scheduleTimer(): Promise<void> {
    if (timer) clearTimeout(timer);
    const next = await nextOutboxDue(store);
    const wait = next === null ? IDLE_POLL_MS : Math.min(Math.max(next - Date.now(), 250), IDLE_POLL_MS);
    timer = setTimeout(() => void tick(), wait);
    timer.unref();
  }

  function launch(row: OutboxRow): void {
    perHost.set(row.to_host, (perHost.get(row.to_host) ?? 0) + 1);
    const work = attempt(row)
      .catch((err: unknown) => log.error({ err, outbox: row.reference_id }, 'outbound attempt failed unexpectedly'))
      .finally(() => {
        inflight.delete(row.id);
        const n = (perHost.get(row.to_host) ?? 1) - 1;
        if (n <= 0) perHost.delete(row.to_host);
        else perHost.set(row.to_host, n);
        kick();
      });
    inflight.set(row.id, work);
  }

  /** Tries the destination's hosts in order until one holds an SMTP conversation. */
  async function deliverTo(row: OutboxRow, recipients: string[]): Promise<Outcome> {
    const deferAll = (enhanced: string, response: string): Outcome =>
      new Map(recipients.map((r) => [r, { status: 'deferred', code: 0, enhanced, response }]));
    const destination = await findDestination(resolver, row.to_host);
    if (destination.kind === 'undeliverable') {
      // Heron's own verdict (code 0): no server was asked.
      return new Map(recipients.map((r) => [r, { status: 'failed', code: 0, enhanced: destination.enhanced, response: destination.reason }]));
    }
    if (destination.kind === 'dns-error') return deferAll('4.4.3', destination.reason);
    let lastError = `no reachable host for ${row.to_host}`;
    const heloName = await heloNameFor(row);
    for (const mxHost of destination.hosts) {
      const addresses = await hostAddresses(resolver, mxHost);
      if (addresses.length === 0) lastError = `${mxHost}: host has no address`;
      for (const address of addresses) {
        const result = await runTransaction({
          address,
          mxHost,
          port: settings.port,
          heloName,
          tlsStrict: settings.tlsStrict,
          envelopeFrom: row.envelope_from,
          recipients,
          raw: row.mail,
        });
        if (result.kind === 'unreachable') {
          lastError = result.error;
          continue;
        }
        const outcome: Outcome = new Map();
        for (const r of recipients) outcome.set(r, { ...(result.results.get(r) ?? deferAll('4.4.0', 'no reply for recipient').get(r)!), mx: mxHost });
        return outcome;
      }
    }
    return deferAll('4.4.1', lastError);
  }

  /** The sender's mail_server hostname (what its PTR and certificate name), else the default one. */
  async function heloNameFor(row: OutboxRow): Promise<string> {
    const account = row.mail_account_id === null ? undefined : await findMailAccountById(store, row.mail_account_id);
    const server = account ? await findMailServerById(store, account.mail_server_id) : undefined;
    return server?.hostname ?? deps.hostname;
  }

  async function attempt(row: OutboxRow): Promise<void> {
    const statuses: RecipientStatus = parseRecipientStatus(row);
    const pending = Object.keys(statuses).filter((r) => statuses[r].status === 'queued' || statuses[r].status === 'deferred');
    const at = Date.now();
    const outcome = pending.length ? await deliverTo(row, pending) : new Map();
    for (const [rcpt, result] of outcome) {
      statuses[rcpt] = { ...statuses[rcpt], status: result.status, code: result.code, enhanced: result.enhanced, response: result.response, mx: result.mx, at };
    }
    const deferred = pending.filter((r) => statuses[r].status === 'deferred');
    const retryCount = row.retry_count + (deferred.length ? 1 : 0);
    let nextRetryAt: number | null = null;
    let delayNotified = row.delay_notified;
    if (deferred.length) {
      const decision = nextRetry(settings, row.created_at, retryCount, Date.now());
      if (decision.giveUp) {
        // The last reply stays as it was (the DSN quotes it as the remote server's); `expired` says why it failed.
        for (const r of deferred) statuses[r] = { ...statuses[r], status: 'failed', expired: true };
      } else {
        nextRetryAt = decision.nextRetryAt;
      }
    }
    const stillDeferred = pending.filter((r) => statuses[r].status === 'deferred');
    let dsnSent = row.dsn_sent;
    const newlyFailed = Object.keys(statuses).filter((r) => statuses[r].status === 'failed' && !statuses[r].bounced);
    if (newlyFailed.length && (await sendDsn(row, statuses, newlyFailed, 'failed'))) {
      for (const r of newlyFailed) statuses[r] = { ...statuses[r], bounced: true };
      dsnSent = true;
    }
    if (stillDeferred.length && delayNoticeDue(settings, row.created_at, Date.now(), delayNotified)) {
      delayNotified = (await sendDsn(row, statuses, stillDeferred, 'delayed')) || delayNotified;
    }
    const status = stillDeferred.length ? 'queued' : finalStatus(statuses);
    const lastError = Object.entries(statuses)
      .filter(([, s]) => s.status !== 'sent' && s.response)
      .map(([r, s]) => `${r}: ${s.expired ? `gave up after ${retryCount} attempts: ` : ''}${s.response}`)
      .join('; ');
    await finishOutboxAttempt(store, row.id, { status, recipientStatus: statuses, retryCount, nextRetryAt, lastError, delayNotified, dsnSent });
    log.info({ outbox: row.reference_id, to_host: row.to_host, status, retryCount, recipients: summarize(statuses) }, 'outbound attempt');
    if (pending.length) {
      const result = status === 'sent' ? 'sent' : status === 'queued' ? 'deferred' : 'failed';
      deps.stats?.outboundAttempt({ result, toHost: row.to_host, recipients: pending.length, detail: lastError || 'delivered' });
    }
  }

  /** Delivers a DSN to the sender's INBOX; false when there is nobody to tell. */
  async function sendDsn(row: OutboxRow, statuses: RecipientStatus, recipients: string[], action: 'failed' | 'delayed'): Promise<boolean> {
    // RFC 5321 §4.5.5: never a DSN about a message with a null reverse-path (it is a DSN itself).
    if (!row.envelope_from || row.mail_account_id === null) return false;
    try {
      const raw = await buildDsn({
        reportingMta: deps.hostname,
        to: row.envelope_from,
        originalRaw: row.mail,
        arrivalDate: row.created_at,
        willRetryUntil: row.created_at + settings.lifetimeMs,
        recipients: recipients.map((r): DsnRecipient => dsnRecipient(r, statuses[r], action)),
      });
      const inbox = await findSpecialMailbox(store, row.mail_account_id, 'INBOX');
      // Counted, never refused: a full mailbox must still learn that its mail bounced.
      await deliverMessage(store, { raw, copies: [{ mailboxId: inbox.id }], meta: { returnPath: '' }, enforceQuota: false });
      return true;
    } catch (err) {
      log.error({ err, outbox: row.reference_id }, 'could not deliver the DSN');
      return false;
    }
  }

  return {
    name: 'outbound',
    async start() {
      // Nothing of this process holds a claim yet: every 'sending' row is left from a stop or crash.
      const reclaimed = await reclaimOutbox(store, { all: true });
      if (reclaimed) log.warn({ reclaimed }, 'outbound rows reclaimed from an earlier run');
      running = true;
      store.events.on('outbox', kick);
      kick();
    },
    async stop() {
      running = false;
      store.events.off('outbox', kick);
      if (timer) clearTimeout(timer);
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inflight.values()]),
        new Promise((resolve) => {
          grace = setTimeout(resolve, STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(grace);
    },
    describe: () => [`outbound    port ${settings.port}, ${settings.concurrency} at once, ${settings.perDestination} per destination`],
    kick,
    async idle() {
      while (inflight.size > 0 || ticking || kickPending) {
        await Promise.allSettled([...inflight.values()]);
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

/** A row with nothing left to try: every recipient accepted, some, or none. */
function finalStatus(statuses: RecipientStatus): 'sent' | 'partial' | 'failed' {
  const states = Object.values(statuses);
  const accepted = states.filter((s) => s.status === 'sent').length;
  if (accepted === states.length) return 'sent';
  return accepted > 0 ? 'partial' : 'failed';
}

function dsnRecipient(address: string, state: RecipientState, action: 'failed' | 'delayed'): DsnRecipient {
  const enhanced = state.enhanced ?? (action === 'failed' ? '5.0.0' : '4.0.0');
  const fromRemote = (state.code ?? 0) > 0;
  return {
    address,
    action,
    status: enhanced,
    diagnostic: state.response || 'no reply',
    fromRemote,
    // RFC 3464 §2.3.6: Remote-MTA says the diagnostic came from that MTA; without one it is the reporting MTA's.
    remoteMta: fromRemote ? state.mx : undefined,
    note: state.expired ? 'gave up when the queue lifetime ran out; the last attempt said' : undefined,
    lastAttemptAt: state.at,
  };
}

function summarize(statuses: RecipientStatus): Record<string, string> {
  return Object.fromEntries(Object.entries(statuses).map(([r, s]) => [r, `${s.status}${s.code ? ' ' + s.code : ''}`]));
}
