// What the process has been doing, counted in one place: the services report
// (SMTP receptions and rejections, outbound results, failed and throttled
// sign-ins per protocol) and the API reads (GET /stats for the console; the
// Prometheus /metrics of issue 15 reads the same object). Counts are per
// process, since start, plus the current UTC day; the most recent events are
// kept in small rings. Every event also feeds the Prometheus instruments of
// server/metrics.ts.
import { Metrics } from './metrics.ts';
import type { WriteRetryReason } from '../schema/index.ts';

export type AuthProtocol = 'smtp' | 'imap' | 'api';
export type OutboundResult = 'sent' | 'deferred' | 'failed';

export interface ReceivedEvent {
  at: number;
  listener: string;
  client: string;
  from: string;
  /** Local copies and relayed recipients the message was accepted for. */
  recipients: number;
  /** End of DATA to the 250 (scoring and the commit), when measured. */
  seconds?: number;
}

export interface RejectedEvent {
  at: number;
  listener: string;
  client: string;
  /** The SMTP reply code and enhanced status code given. */
  code: number;
  enhanced: string;
  reason: string;
}

export interface OutboundEvent {
  at: number;
  result: OutboundResult;
  toHost: string;
  recipients: number;
  detail: string;
}

export interface AuthFailureEvent {
  at: number;
  protocol: AuthProtocol;
  client: string;
  username: string;
  throttled: boolean;
}

export interface DayCounts {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  received: number;
  rejected: number;
  sent: number;
  failed: number;
  authFailures: number;
}

export interface StatsSnapshot {
  startedAt: number;
  totals: {
    received: number;
    /** By SMTP reply code, e.g. {"550": 3}. */
    rejected: Record<string, number>;
    outbound: Record<OutboundResult, number>;
    authFailures: Record<AuthProtocol, number>;
    authThrottled: Record<AuthProtocol, number>;
  };
  today: DayCounts;
  recent: { received: ReceivedEvent[]; rejected: RejectedEvent[]; outbound: OutboundEvent[]; authFailures: AuthFailureEvent[] };
}

/** How many of each kind of event are remembered. */
export const RECENT_EVENTS = 20;
const MAX_TEXT = 300;

const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);
const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);
const perProtocol = (): Record<AuthProtocol, number> => ({ smtp: 0, imap: 0, api: 0 });

function remember<T>(ring: T[], event: T): void {
  ring.unshift(event);
  if (ring.length > RECENT_EVENTS) ring.length = RECENT_EVENTS;
}

export class Stats {
  readonly startedAt: number;
  readonly metrics = new Metrics();
  private received = 0;
  private readonly rejected = new Map<number, number>();
  private readonly outbound: Record<OutboundResult, number> = { sent: 0, deferred: 0, failed: 0 };
  private readonly authFailures = perProtocol();
  private readonly authThrottled = perProtocol();
  private day: DayCounts;
  private readonly recent = {
    received: [] as ReceivedEvent[],
    rejected: [] as RejectedEvent[],
    outbound: [] as OutboundEvent[],
    authFailures: [] as AuthFailureEvent[],
  };

  constructor(private readonly clock: () => number = Date.now) {
    this.startedAt = clock();
    this.day = Stats.emptyDay(this.startedAt);
  }

  private static emptyDay(at: number): DayCounts {
    return { date: dayOf(at), received: 0, rejected: 0, sent: 0, failed: 0, authFailures: 0 };
  }

  /** Today's counters, started afresh when the UTC day changed. */
  private today(at: number): DayCounts {
    if (this.day.date !== dayOf(at)) this.day = Stats.emptyDay(at);
    return this.day;
  }

  /** An SMTP listener committed a message (the 250 after DATA). */
  messageReceived(event: Omit<ReceivedEvent, 'at'>): void {
    const at = this.clock();
    this.received++;
    this.today(at).received++;
    this.metrics.smtpAccepted.inc({ listener: event.listener });
    if (event.seconds !== undefined) this.metrics.smtpDelivery.observe(event.seconds);
    remember(this.recent.received, { at, ...event, from: clip(event.from) });
  }

  /** An SMTP listener refused a connection, sender, recipient or message with a 4xx/5xx reply. */
  messageRejected(event: Omit<RejectedEvent, 'at'>): void {
    const at = this.clock();
    this.rejected.set(event.code, (this.rejected.get(event.code) ?? 0) + 1);
    this.metrics.smtpRejected.inc({ code: String(event.code) });
    this.today(at).rejected++;
    remember(this.recent.rejected, { at, ...event, reason: clip(event.reason) });
  }

  /** The outbound worker finished an attempt at one queue row. */
  outboundAttempt(event: Omit<OutboundEvent, 'at'>): void {
    const at = this.clock();
    this.outbound[event.result]++;
    this.metrics.outboundAttempts.inc({ result: event.result });
    if (event.result === 'sent') this.today(at).sent++;
    if (event.result === 'failed') this.today(at).failed++;
    remember(this.recent.outbound, { at, ...event, detail: clip(event.detail) });
  }

  /** A wrong password (or a refusal because of earlier ones: `throttled`). */
  authFailed(protocol: AuthProtocol, client: string, username: string, throttled = false): void {
    const at = this.clock();
    (throttled ? this.authThrottled : this.authFailures)[protocol]++;
    (throttled ? this.metrics.authThrottled : this.metrics.authFailures).inc({ protocol });
    this.today(at).authFailures++;
    remember(this.recent.authFailures, { at, protocol, client, username: clip(username), throttled });
  }

  /** An IMAP command got its tagged reply (OK, NO or BAD; BYE when the session ended instead). */
  imapCommand(command: string, result: string, seconds: number): void {
    this.metrics.imapCommands.inc({ command, result });
    this.metrics.imapLatency.observe({ command }, seconds);
  }

  /** The store committed a transaction carrying `writes` writes. */
  storeCommit(seconds: number, writes: number): void {
    this.metrics.commitLatency.observe(seconds);
    this.metrics.commitBatch.observe(writes);
  }

  storeRetry(reason: WriteRetryReason): void {
    this.metrics.writeRetries.inc({ reason });
  }

  snapshot(): StatsSnapshot {
    return {
      startedAt: this.startedAt,
      totals: {
        received: this.received,
        rejected: Object.fromEntries([...this.rejected].sort(([a], [b]) => a - b).map(([code, n]) => [String(code), n])),
        outbound: { ...this.outbound },
        authFailures: { ...this.authFailures },
        authThrottled: { ...this.authThrottled },
      },
      today: { ...this.today(this.clock()) },
      recent: {
        received: [...this.recent.received],
        rejected: [...this.recent.rejected],
        outbound: [...this.recent.outbound],
        authFailures: [...this.recent.authFailures],
      },
    };
  }
}
