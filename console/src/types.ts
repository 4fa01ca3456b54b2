// Attribute shapes of the API resources and answers the console reads (see
// GET /openapi.json and the README's "The admin API"). Where the server has
// the type already, it is imported (types only: nothing of the server is bundled).
import type { RecipientState } from '../../schema/store/outbox.ts';
import type { ListenerState as ServerListenerState } from '../../server/service.ts';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  is_admin: boolean;
}

export interface UserAccount {
  email: string;
  name: string;
  is_admin: boolean;
}

export interface MailServer {
  hostname: string;
  is_enabled: boolean;
  listen_interface: string;
  always_on_tls: boolean;
  authentication_required: boolean;
  max_size: number;
  max_clients: number;
}

export interface MailAccount {
  username: string;
  created_at: string;
}

export interface MailBox {
  name: string;
  messages?: number;
  unseen?: number;
  size?: number;
}

export type { RecipientState } from '../../schema/store/outbox.ts';

export interface Outbox {
  from_address: string;
  to_address: string[];
  to_host: string;
  envelope_from: string;
  message_id: string;
  status: 'queued' | 'sending' | 'sent' | 'partial' | 'failed' | 'cancelled';
  recipient_status: Record<string, RecipientState>;
  retry_count: number;
  last_error: string;
  next_retry_at: string | null;
  last_attempt_at: string | null;
  dsn_sent: boolean;
  created_at: string;
}

export interface Certificate {
  hostname: string;
  source: 'none' | 'self-signed' | 'acme' | 'imported';
  issuer: string;
  alt_names: string[];
  expires_at: string | null;
  generated_at: string | null;
  last_error: string;
  acme_email: string;
}

export interface Mail {
  subject: string;
  from_address: string;
  internal_date: string;
  text?: string;
}

export interface DnsRecord {
  name: string;
  type: 'MX' | 'TXT' | 'SRV' | 'CNAME' | 'CAA';
  comment: string;
  priority?: number;
  exchange?: string;
  text?: string;
  weight?: number;
  port?: number;
  target?: string;
  flags?: number;
  tag?: string;
  value?: string;
}

export interface DnsZone {
  domain: string;
  records: DnsRecord[];
  text: string;
}

export interface RecordCheck {
  name: string;
  type: DnsRecord['type'];
  expected: string;
  status: 'present' | 'missing' | 'different' | 'error';
  found: string[];
  detail?: string;
}

export interface DnsCheck {
  domain: string;
  summary: Record<RecordCheck['status'], number>;
  results: RecordCheck[];
}

export interface DkimKey {
  domain: string;
  selector: string;
  algorithm: 'rsa' | 'ed25519';
  is_active: boolean;
  dns_name: string;
  dns_txt: string;
  created_at: string;
}

export interface MailAlias {
  address: string;
  mail_account_id: string | null;
}

/** A listener as GET /stats reports it: the server's state plus its default certificate. */
export interface ListenerState extends ServerListenerState {
  certificate: { hostname: string; source: string; issuer: string; expires_at: string | null } | null;
}

export interface StatsAttributes {
  hostname: string;
  started_at: string;
  listeners: ListenerState[];
  queue: Record<Outbox['status'], number>;
  totals: {
    received: number;
    rejected: Record<string, number>;
    outbound: { sent: number; deferred: number; failed: number };
    authFailures: Record<'smtp' | 'imap' | 'api', number>;
    authThrottled: Record<'smtp' | 'imap' | 'api', number>;
  };
  today: { date: string; received: number; rejected: number; sent: number; failed: number; authFailures: number };
  recent: {
    received: Array<{ at: string; listener: string; client: string; from: string; recipients: number }>;
    rejected: Array<{ at: string; listener: string; client: string; code: number; enhanced: string; reason: string }>;
    outbound: Array<{ at: string; result: 'sent' | 'deferred' | 'failed'; toHost: string; recipients: number; detail: string }>;
    auth_failures: Array<{ at: string; protocol: string; client: string; username: string; throttled: boolean }>;
  };
}

export interface AccessToken {
  description: string;
  scopes: Array<'read' | 'write' | 'send' | 'metrics'>;
  /** Addresses the token may reach; null: every account of its owner. */
  accounts: string[] | null;
  expires_at: string | null;
  last_used_at: string | null;
  created_at: string;
  /** Only in the answer that made it. */
  token?: string;
}
