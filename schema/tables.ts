// Drizzle table definitions for SQLite, the source of truth for both engines:
// tables-pg.ts derives the PostgreSQL tables from these. Table and column names follow Daptin's where Daptin
// has one (user_account, mail_server, mail_account, mail_box, mail, outbox,
// certificate), so that a Daptin user's queries and JSON:API attributes carry over.
// Every row has an integer primary key for joins and a UUID `reference_id` that the
// API exposes as the resource id.
import { sql } from 'drizzle-orm';
import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Default for created_at/updated_at: now in epoch milliseconds (tables-pg.ts maps it to PostgreSQL's form). */
export const NOW_MS = sql`(CAST(unixepoch('subsec') * 1000 AS INTEGER))`;

const timestamps = {
  created_at: integer('created_at').notNull().default(NOW_MS),
  updated_at: integer('updated_at').notNull().default(NOW_MS),
};

const referenceId = () => text('reference_id').notNull().unique();

export const userAccount = sqliteTable('user_account', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  reference_id: referenceId(),
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  password_hash: text('password_hash').notNull(),
  is_admin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
  ...timestamps,
});

export const apiToken = sqliteTable(
  'api_token',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference_id: referenceId(),
    // sha256 of the bearer token; the token itself is never stored.
    token_hash: text('token_hash').notNull().unique(),
    user_account_id: integer('user_account_id')
      .notNull()
      .references(() => userAccount.id, { onDelete: 'cascade' }),
    expires_at: integer('expires_at').notNull(),
    revoked_at: integer('revoked_at'),
    ...timestamps,
  },
  (t) => [index('api_token_user_idx').on(t.user_account_id)],
);

// Long-lived tokens for the mail API (/v1, EmailEngine's routes): made through
// the admin API, stored as a SHA-256 hash, limited to scopes (read, write,
// send, metrics) and to some of the owner's mail accounts, revocable by deleting
// the row. Unlike api_token (sign-in sessions) they never open the admin API.
export const accessToken = sqliteTable(
  'access_token',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference_id: referenceId(),
    token_hash: text('token_hash').notNull().unique(),
    user_account_id: integer('user_account_id')
      .notNull()
      .references(() => userAccount.id, { onDelete: 'cascade' }),
    description: text('description').notNull().default(''),
    // JSON array of scopes: ["read","write","send","metrics"].
    scopes: text('scopes').notNull().default('[]'),
    // JSON array of mail_account ids the token may reach; null means every account its owner owns.
    mail_account_ids: text('mail_account_ids'),
    // Null: the token does not expire.
    expires_at: integer('expires_at'),
    // Written at most once a minute per token, not on every request.
    last_used_at: integer('last_used_at'),
    ...timestamps,
  },
  (t) => [index('access_token_user_idx').on(t.user_account_id)],
);

export const mailServer = sqliteTable('mail_server', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  reference_id: referenceId(),
  hostname: text('hostname').notNull().unique(),
  is_enabled: integer('is_enabled', { mode: 'boolean' }).notNull().default(true),
  // Daptin's "0.0.0.0:465"; empty means "served by the default listeners only".
  listen_interface: text('listen_interface').notNull().default(''),
  always_on_tls: integer('always_on_tls', { mode: 'boolean' }).notNull().default(false),
  authentication_required: integer('authentication_required', { mode: 'boolean' }).notNull().default(false),
  max_size: integer('max_size').notNull().default(26214400),
  max_clients: integer('max_clients').notNull().default(100),
  xclient_on: integer('xclient_on', { mode: 'boolean' }).notNull().default(false),
  user_account_id: integer('user_account_id').references(() => userAccount.id, { onDelete: 'set null' }),
  ...timestamps,
});

export const mailAccount = sqliteTable(
  'mail_account',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference_id: referenceId(),
    // The full address, lower-cased: "alice@example.com".
    username: text('username').notNull().unique(),
    password_hash: text('password_hash').notNull(),
    mail_server_id: integer('mail_server_id')
      .notNull()
      .references(() => mailServer.id, { onDelete: 'cascade' }),
    user_account_id: integer('user_account_id').references(() => userAccount.id, { onDelete: 'set null' }),
    // RFC 9208 limits (STORAGE in bytes here, reported in KiB; MESSAGE); null = unlimited.
    quota_storage_bytes: integer('quota_storage_bytes'),
    quota_messages: integer('quota_messages'),
    // Usage, kept by the store in the same transaction as every mail insert and
    // delete (schema/store/quota.ts); every copy counts its full size.
    used_storage_bytes: integer('used_storage_bytes').notNull().default(0),
    used_messages: integer('used_messages').notNull().default(0),
    ...timestamps,
  },
  (t) => [index('mail_account_server_idx').on(t.mail_server_id), index('mail_account_owner_idx').on(t.user_account_id)],
);

export const mailBox = sqliteTable(
  'mail_box',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference_id: referenceId(),
    mail_account_id: integer('mail_account_id')
      .notNull()
      .references(() => mailAccount.id, { onDelete: 'cascade' }),
    // Unicode, hierarchy separated by "/". INBOX is always spelled "INBOX".
    name: text('name').notNull(),
    subscribed: integer('subscribed', { mode: 'boolean' }).notNull().default(true),
    uidvalidity: integer('uidvalidity').notNull(),
    uidnext: integer('uidnext').notNull().default(1),
    highestmodseq: integer('highestmodseq').notNull().default(1),
    // RFC 6154 attribute: \Sent, \Drafts, \Trash, \Junk, \Archive, or null.
    special_use: text('special_use'),
    // RFC 3501 §6.3.4: a deleted mailbox with inferiors stays as a \Noselect name.
    noselect: integer('noselect', { mode: 'boolean' }).notNull().default(false),
    // Highest UID that some session has already been told is \Recent (RFC 3501 §2.3.2).
    recent_uid: integer('recent_uid').notNull().default(0),
    // Highest MODSEQ of an expunge removed from mail_change by the retention policy
    // (schema/store/journal.ts): QRESYNC from a MODSEQ below it cannot be answered
    // from the journal alone (RFC 7162 §3.2.5.2).
    pruned_expunge_modseq: integer('pruned_expunge_modseq').notNull().default(0),
    // Daptin's optional descriptive columns, kept for API compatibility.
    attributes: text('attributes').notNull().default(''),
    flags: text('flags').notNull().default(''),
    permanent_flags: text('permanent_flags').notNull().default(''),
    ...timestamps,
  },
  (t) => [uniqueIndex('mail_box_account_name_idx').on(t.mail_account_id, t.name)],
);

// Subscriptions to names that have no mailbox (RFC 3501 §6.3.6: deleting a
// mailbox does not unsubscribe it); LIST (SUBSCRIBED) shows them \NonExistent
// (RFC 5258 §3). Existing mailboxes keep their subscription in mail_box.subscribed.
export const mailSubscription = sqliteTable(
  'mail_subscription',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    mail_account_id: integer('mail_account_id')
      .notNull()
      .references(() => mailAccount.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    created_at: integer('created_at').notNull().default(NOW_MS),
  },
  (t) => [uniqueIndex('mail_subscription_account_name_idx').on(t.mail_account_id, t.name)],
);

// METADATA entries (RFC 5464): an account's entries on one of its mailboxes,
// or on the server (mail_box_id 0: the empty mailbox name, METADATA-SERVER).
// `name` keeps its scope ("/private/…" or "/shared/…"), lower-cased: Heron
// compares entry names case-insensitively. No foreign key on mail_box_id (0
// names no row): deleteMailbox removes a mailbox's entries; an account's go
// with it (cascade). The server's own /shared entries come from the
// configuration, not from this table (imapd/metadata.ts).
export const mailMetadata = sqliteTable(
  'mail_metadata',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    mail_account_id: integer('mail_account_id')
      .notNull()
      .references(() => mailAccount.id, { onDelete: 'cascade' }),
    mail_box_id: integer('mail_box_id').notNull(),
    name: text('name').notNull(),
    value: blob('value', { mode: 'buffer' }).notNull(),
    updated_at: integer('updated_at').notNull().default(NOW_MS),
  },
  (t) => [uniqueIndex('mail_metadata_entry_idx').on(t.mail_account_id, t.mail_box_id, t.name)],
);

// The raw bytes of a message, exactly as received. Copies share one row.
export const mailRaw = sqliteTable('mail_raw', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  sha256: text('sha256').notNull(),
  data: blob('data', { mode: 'buffer' }).notNull(),
});

export const mail = sqliteTable(
  'mail',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference_id: referenceId(),
    mail_box_id: integer('mail_box_id')
      .notNull()
      .references(() => mailBox.id, { onDelete: 'cascade' }),
    mail_account_id: integer('mail_account_id')
      .notNull()
      .references(() => mailAccount.id, { onDelete: 'cascade' }),
    mail_raw_id: integer('mail_raw_id')
      .notNull()
      .references(() => mailRaw.id),
    uid: integer('uid').notNull(),
    modseq: integer('modseq').notNull(),
    // JSON array of flags and keywords, sorted, no duplicates: ["$Junk","\\Seen"].
    flags: text('flags').notNull().default('[]'),
    internal_date: integer('internal_date').notNull(),
    size: integer('size').notNull(),
    hash: text('hash').notNull(),
    message_id: text('message_id').notNull().default(''),
    in_reply_to: text('in_reply_to').notNull().default(''),
    subject: text('subject').notNull().default(''),
    // Date: header as epoch ms, null when absent or unparseable.
    date_header: integer('date_header'),
    from_address: text('from_address').notNull().default(''),
    to_address: text('to_address').notNull().default(''),
    cc_address: text('cc_address').notNull().default(''),
    bcc_address: text('bcc_address').notNull().default(''),
    reply_to_address: text('reply_to_address').notNull().default(''),
    sender_address: text('sender_address').notNull().default(''),
    content_type: text('content_type').notNull().default(''),
    has_attachment: integer('has_attachment', { mode: 'boolean' }).notNull().default(false),
    // Envelope recipient this copy was delivered for (SMTP RCPT TO), if any.
    recipient: text('recipient').notNull().default(''),
    return_path: text('return_path').notNull().default(''),
    ip_addr: text('ip_addr').notNull().default(''),
    is_tls: integer('is_tls', { mode: 'boolean' }).notNull().default(false),
    spam_score: integer('spam_score').notNull().default(0),
    spam: integer('spam', { mode: 'boolean' }).notNull().default(false),
    // JSON, computed once at delivery from the stored bytes (see schema/mime).
    envelope: text('envelope').notNull(),
    bodystructure: text('bodystructure').notNull(),
    // SORT and THREAD keys (RFC 5256, RFC 5957), computed once at delivery (schema/mime/sort-keys.ts):
    // strings in i;unicode-casemap form, so they order byte-wise; rows stored before these
    // columns existed have sort_keys_version 0 until they are computed (schema/store/sort-keys.ts).
    // The sent date: the Date: header, else the internal date (RFC 5256 §2.2).
    sort_date: integer('sort_date').notNull().default(0),
    sort_subject: text('sort_subject').notNull().default(''),
    subject_is_reply: integer('subject_is_reply', { mode: 'boolean' }).notNull().default(false),
    sort_from: text('sort_from').notNull().default(''),
    sort_to: text('sort_to').notNull().default(''),
    sort_cc: text('sort_cc').notNull().default(''),
    sort_display_from: text('sort_display_from').notNull().default(''),
    sort_display_to: text('sort_display_to').notNull().default(''),
    // THREAD (RFC 5256 §4): the normalized Message ID, and those of References (else
    // In-Reply-To's first) one per line, nearest last, bounded (schema/mime/message-ids.ts).
    thread_message_id: text('thread_message_id').notNull().default(''),
    thread_references: text('thread_references').notNull().default(''),
    sort_keys_version: integer('sort_keys_version').notNull().default(0),
    // The conversation this message belongs to within its account, assigned at
    // delivery from Message-ID/In-Reply-To/References (schema/store/threads.ts);
    // copies keep it. RFC 8474 THREADID is "T" + this.
    thread_id: text('thread_id').notNull().default(''),
    // RFC 8970 PREVIEW: up to 200 characters of the first text part, computed at
    // delivery; null on rows stored before it existed (computed on first FETCH).
    preview: text('preview'),
    // created_at is when the message was saved in this mailbox: RFC 8514 SAVEDATE
    // (COPY and MOVE insert a new row, so the target mailbox's time).
    ...timestamps,
  },
  (t) => [
    uniqueIndex('mail_box_uid_idx').on(t.mail_box_id, t.uid),
    // Covering index for the hot per-mailbox reads (SELECT, FETCH FLAGS, SEARCH on
    // flags, dates and sizes): they never touch the wide row with its JSON columns.
    index('mail_box_summary_idx').on(t.mail_box_id, t.uid, t.modseq, t.flags, t.internal_date, t.size, t.mail_raw_id, t.date_header),
    index('mail_box_modseq_idx').on(t.mail_box_id, t.modseq),
    // SORT: (DATE) is a scan of this index in order; every other sort reads only this
    // index (every key is in it) and sorts it, never the wide rows.
    index('mail_box_sort_idx').on(
      t.mail_box_id, t.sort_date, t.uid, t.internal_date, t.size,
      t.sort_subject, t.sort_from, t.sort_to, t.sort_cc, t.sort_display_from, t.sort_display_to,
    ),
    // THREAD reads these columns of a whole mailbox: from this index, never the wide rows.
    index('mail_box_thread_idx').on(
      t.mail_box_id, t.uid, t.sort_date, t.subject_is_reply, t.sort_subject, t.thread_message_id, t.thread_references,
    ),
    index('mail_account_idx').on(t.mail_account_id),
    index('mail_raw_idx').on(t.mail_raw_id),
    index('mail_account_thread_idx').on(t.mail_account_id, t.thread_id),
  ],
);

// Which conversation a Message-ID belongs to, per account: every message's own
// Message-ID and the IDs it refers to (In-Reply-To, References) point to its
// thread_id, so a reply joins its parent's thread whichever arrives first
// (schema/store/threads.ts).
export const mailThreadRef = sqliteTable(
  'mail_thread_ref',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    mail_account_id: integer('mail_account_id')
      .notNull()
      .references(() => mailAccount.id, { onDelete: 'cascade' }),
    // A msg-id without its angle brackets: "1234@example.org".
    message_id: text('message_id').notNull(),
    thread_id: text('thread_id').notNull(),
    created_at: integer('created_at').notNull().default(NOW_MS),
  },
  (t) => [uniqueIndex('mail_thread_ref_account_msgid_idx').on(t.mail_account_id, t.message_id), index('mail_thread_ref_created_idx').on(t.created_at)],
);

// Per-mailbox change journal keyed by MODSEQ. Expunges stay here so that a
// later QRESYNC (RFC 7162 §3.2.5) can report VANISHED, for the retention
// HERON_IMAP_EXPUNGE_RETENTION_DAYS (schema/store/journal.ts prunes older rows).
export const mailChange = sqliteTable(
  'mail_change',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    mail_box_id: integer('mail_box_id')
      .notNull()
      .references(() => mailBox.id, { onDelete: 'cascade' }),
    modseq: integer('modseq').notNull(),
    uid: integer('uid').notNull(),
    kind: text('kind', { enum: ['new', 'flags', 'expunge'] }).notNull(),
    // Epoch ms of the change, for the retention policy (0 on rows older than the column).
    created_at: integer('created_at').notNull().default(0),
  },
  (t) => [index('mail_change_box_modseq_idx').on(t.mail_box_id, t.modseq), index('mail_change_created_idx').on(t.created_at)],
);

export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference_id: referenceId(),
    mail_account_id: integer('mail_account_id').references(() => mailAccount.id, { onDelete: 'set null' }),
    from_address: text('from_address').notNull(),
    // JSON array of recipient addresses for this destination host.
    to_address: text('to_address').notNull(),
    to_host: text('to_host').notNull(),
    mail: blob('mail', { mode: 'buffer' }).notNull(),
    // RFC 5321 envelope sender; empty for bounces (null reverse-path).
    envelope_from: text('envelope_from').notNull().default(''),
    message_id: text('message_id').notNull().default(''),
    // sent: every recipient accepted; partial: some accepted, the rest failed; failed: none accepted.
    status: text('status', { enum: ['queued', 'sending', 'sent', 'partial', 'failed', 'cancelled'] })
      .notNull()
      .default('queued'),
    // JSON object: recipient -> { status, code, response } from the last attempt.
    recipient_status: text('recipient_status').notNull().default('{}'),
    // A worker's claim on a row; a row 'sending' past this time is reclaimed after a crash.
    locked_until: integer('locked_until').notNull().default(0),
    last_attempt_at: integer('last_attempt_at'),
    delay_notified: integer('delay_notified', { mode: 'boolean' }).notNull().default(false),
    dsn_sent: integer('dsn_sent', { mode: 'boolean' }).notNull().default(false),
    sent: integer('sent', { mode: 'boolean' }).notNull().default(false),
    retry_count: integer('retry_count').notNull().default(0),
    last_error: text('last_error').notNull().default(''),
    // When a queued row is next due; null once nothing is left to try.
    next_retry_at: integer('next_retry_at'),
    ...timestamps,
  },
  (t) => [index('outbox_status_next_idx').on(t.status, t.next_retry_at)],
);

export const certificate = sqliteTable('certificate', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  reference_id: referenceId(),
  hostname: text('hostname').notNull().unique(),
  // Where the material came from: self-signed, acme, or imported (PATCHed PEM).
  source: text('source', { enum: ['none', 'self-signed', 'acme', 'imported'] }).notNull().default('none'),
  // JSON array of extra subject alternative names beyond hostname.
  alt_names: text('alt_names').notNull().default('[]'),
  acme_email: text('acme_email').notNull().default(''),
  acme_directory_url: text('acme_directory_url').notNull().default(''),
  last_error: text('last_error').notNull().default(''),
  issuer: text('issuer').notNull().default(''),
  generated_at: integer('generated_at'),
  expires_at: integer('expires_at'),
  certificate_pem: text('certificate_pem').notNull().default(''),
  root_certificate: text('root_certificate').notNull().default(''),
  // Encrypted at rest with the server secret (see certs/secret.ts).
  private_key_pem: text('private_key_pem').notNull().default(''),
  public_key_pem: text('public_key_pem').notNull().default(''),
  user_account_id: integer('user_account_id').references(() => userAccount.id, { onDelete: 'set null' }),
  ...timestamps,
});

// Extra domains a mail_server accepts mail for, beyond its hostname.
export const mailDomain = sqliteTable('mail_domain', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  reference_id: referenceId(),
  domain: text('domain').notNull().unique(),
  mail_server_id: integer('mail_server_id')
    .notNull()
    .references(() => mailServer.id, { onDelete: 'cascade' }),
  ...timestamps,
});

// Extra addresses delivered to (and sendable as by) a mail_account.
export const mailAlias = sqliteTable(
  'mail_alias',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference_id: referenceId(),
    address: text('address').notNull().unique(),
    mail_account_id: integer('mail_account_id')
      .notNull()
      .references(() => mailAccount.id, { onDelete: 'cascade' }),
    ...timestamps,
  },
  (t) => [index('mail_alias_account_idx').on(t.mail_account_id)],
);

// DKIM signing keys per domain, separate from TLS keys. Several selectors may be
// published at once (rotation); one per domain is active for signing.
export const dkimKey = sqliteTable(
  'dkim_key',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference_id: referenceId(),
    domain: text('domain').notNull(),
    selector: text('selector').notNull(),
    algorithm: text('algorithm', { enum: ['rsa', 'ed25519'] }).notNull().default('rsa'),
    // Sealed with the server secret.
    private_key_pem: text('private_key_pem').notNull(),
    public_key_pem: text('public_key_pem').notNull(),
    is_active: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    ...timestamps,
  },
  (t) => [uniqueIndex('dkim_key_domain_selector_idx').on(t.domain, t.selector)],
);

// ACME account keys, one per contact email and directory.
export const acmeAccount = sqliteTable(
  'acme_account',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    email: text('email').notNull(),
    directory_url: text('directory_url').notNull(),
    // Sealed with the server secret.
    account_key_pem: text('account_key_pem').notNull(),
    account_url: text('account_url').notNull().default(''),
    ...timestamps,
  },
  (t) => [uniqueIndex('acme_account_email_dir_idx').on(t.email, t.directory_url)],
);

// Small key/value store for process-wide counters (last UIDVALIDITY handed out).
export const heronMeta = sqliteTable('heron_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

// Failed password checks (the authentication throttle, schema/auth-throttle.ts):
// one row per failure, kept while it counts and pruned after. Keys arrive
// reduced (an address or its /64, a hash of the account name). In the
// database so that every node sharing it counts every node's failures.
export const authFailure = sqliteTable(
  'auth_failure',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    address: text('address').notNull(),
    account: text('account').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [
    index('auth_failure_address_idx').on(t.address, t.at),
    index('auth_failure_account_idx').on(t.account, t.at),
    index('auth_failure_at_idx').on(t.at),
  ],
);

// Address and account pairs that logged in successfully, trusted until `trusted_until`.
export const authTrust = sqliteTable(
  'auth_trust',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    address: text('address').notNull(),
    account: text('account').notNull(),
    trusted_until: integer('trusted_until').notNull(),
  },
  (t) => [uniqueIndex('auth_trust_pair_idx').on(t.address, t.account), index('auth_trust_until_idx').on(t.trusted_until)],
);

// Pending ACME HTTP-01 challenges (RFC 8555 §8.3): the CA may ask any node.
export const acmeChallenge = sqliteTable(
  'acme_challenge',
  {
    token: text('token').primaryKey(),
    key_authorization: text('key_authorization').notNull(),
    expires_at: integer('expires_at').notNull(),
  },
  (t) => [index('acme_challenge_expires_idx').on(t.expires_at)],
);

// Running Heron processes (one row per process start): a node renews its lease
// while it runs, so what it holds (IMAP sessions) stops counting when it dies.
export const heronNode = sqliteTable('heron_node', {
  id: text('id').primaryKey(),
  hostname: text('hostname').notNull().default(''),
  pid: integer('pid').notNull().default(0),
  started_at: integer('started_at').notNull(),
  expires_at: integer('expires_at').notNull(),
});

// Authenticated IMAP sessions, for the per-account connection cap across nodes.
export const imapSession = sqliteTable(
  'imap_session',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    node_id: text('node_id')
      .notNull()
      .references(() => heronNode.id, { onDelete: 'cascade' }),
    mail_account_id: integer('mail_account_id')
      .notNull()
      .references(() => mailAccount.id, { onDelete: 'cascade' }),
    created_at: integer('created_at').notNull().default(NOW_MS),
  },
  (t) => [index('imap_session_account_idx').on(t.mail_account_id), index('imap_session_node_idx').on(t.node_id)],
);

// Webhook settings (EmailEngine's /v1/settings `webhooksEnabled`, `webhooks`,
// `webhookEvents`, `serviceSecret`): one row, id 1.
export const webhookSetting = sqliteTable('webhook_setting', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(false),
  url: text('url').notNull().default(''),
  // JSON array of EmailEngine event names; ["*"] means every event.
  events: text('events').notNull().default('["*"]'),
  // HMAC-SHA256 key of the X-EE-Wh-Signature header.
  secret: text('secret').notNull(),
  updated_at: integer('updated_at').notNull().default(NOW_MS),
});

// The webhook queue and its delivery history: a row is written in the same
// transaction as the change it reports, and the worker POSTs it (at least once;
// reference_id is the event id a receiver de-duplicates on).
export const webhookEvent = sqliteTable(
  'webhook_event',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    reference_id: referenceId(),
    event: text('event').notNull(),
    // Events with one key are delivered one at a time in id order (a mailbox's id, or "account:<id>").
    order_key: text('order_key').notNull(),
    account: text('account').notNull(),
    path: text('path'),
    // JSON: the event's data as known in the transaction.
    data: text('data').notNull(),
    // The JSON body as POSTed; fixed at the first attempt so every retry sends (and signs) the same bytes.
    body: text('body'),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] })
      .notNull()
      .default('pending'),
    attempts: integer('attempts').notNull().default(0),
    next_attempt_at: integer('next_attempt_at').notNull(),
    // A worker's claim: a pending row is not taken again before this time (a crash leaves it to be retried).
    locked_until: integer('locked_until').notNull().default(0),
    response_code: integer('response_code'),
    last_error: text('last_error').notNull().default(''),
    delivered_at: integer('delivered_at'),
    ...timestamps,
  },
  (t) => [index('webhook_event_status_due_idx').on(t.status, t.next_attempt_at), index('webhook_event_order_idx').on(t.order_key, t.status, t.id)],
);

// SCRAM-SHA-256 verifiers (RFC 5802 §3, RFC 7677): written beside password_hash
// whenever a password is set (or at the next successful PLAIN/LOGIN for a
// password set before SCRAM existed). Never the password: the salt, the
// iteration count, StoredKey and ServerKey, base64.
export const mailAccountScram = sqliteTable('mail_account_scram', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  mail_account_id: integer('mail_account_id')
    .notNull()
    .unique()
    .references(() => mailAccount.id, { onDelete: 'cascade' }),
  salt: text('salt').notNull(),
  iterations: integer('iterations').notNull(),
  stored_key: text('stored_key').notNull(),
  server_key: text('server_key').notNull(),
  ...timestamps,
});

// RFC 4467 §2.2 URLAUTH: each mailbox's access key (at least 128 random bits),
// sealed with the server secret like DKIM private keys. No row: no key yet
// (GENURLAUTH makes one; RESETKEY without arguments deletes them all).
export const mailboxAccessKey = sqliteTable(
  'mail_box_access_key',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    mail_box_id: integer('mail_box_id')
      .notNull()
      .unique()
      .references(() => mailBox.id, { onDelete: 'cascade' }),
    mail_account_id: integer('mail_account_id')
      .notNull()
      .references(() => mailAccount.id, { onDelete: 'cascade' }),
    sealed_key: text('sealed_key').notNull(),
    ...timestamps,
  },
  (t) => [index('mail_box_access_key_account_idx').on(t.mail_account_id)],
);
