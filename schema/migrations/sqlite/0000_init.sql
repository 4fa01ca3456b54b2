CREATE TABLE `acme_account` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`directory_url` text NOT NULL,
	`account_key_pem` text NOT NULL,
	`account_url` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `acme_account_email_dir_idx` ON `acme_account` (`email`,`directory_url`);--> statement-breakpoint
CREATE TABLE `api_token` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`user_account_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`user_account_id`) REFERENCES `user_account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_token_reference_id_unique` ON `api_token` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `api_token_token_hash_unique` ON `api_token` (`token_hash`);--> statement-breakpoint
CREATE INDEX `api_token_user_idx` ON `api_token` (`user_account_id`);--> statement-breakpoint
CREATE TABLE `certificate` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`hostname` text NOT NULL,
	`source` text DEFAULT 'none' NOT NULL,
	`alt_names` text DEFAULT '[]' NOT NULL,
	`acme_email` text DEFAULT '' NOT NULL,
	`acme_directory_url` text DEFAULT '' NOT NULL,
	`last_error` text DEFAULT '' NOT NULL,
	`issuer` text DEFAULT '' NOT NULL,
	`generated_at` integer,
	`expires_at` integer,
	`certificate_pem` text DEFAULT '' NOT NULL,
	`root_certificate` text DEFAULT '' NOT NULL,
	`private_key_pem` text DEFAULT '' NOT NULL,
	`public_key_pem` text DEFAULT '' NOT NULL,
	`user_account_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`user_account_id`) REFERENCES `user_account`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `certificate_reference_id_unique` ON `certificate` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `certificate_hostname_unique` ON `certificate` (`hostname`);--> statement-breakpoint
CREATE TABLE `dkim_key` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`domain` text NOT NULL,
	`selector` text NOT NULL,
	`algorithm` text DEFAULT 'rsa' NOT NULL,
	`private_key_pem` text NOT NULL,
	`public_key_pem` text NOT NULL,
	`is_active` integer DEFAULT true NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dkim_key_reference_id_unique` ON `dkim_key` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `dkim_key_domain_selector_idx` ON `dkim_key` (`domain`,`selector`);--> statement-breakpoint
CREATE TABLE `heron_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `mail` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`mail_box_id` integer NOT NULL,
	`mail_account_id` integer NOT NULL,
	`mail_raw_id` integer NOT NULL,
	`uid` integer NOT NULL,
	`modseq` integer NOT NULL,
	`flags` text DEFAULT '[]' NOT NULL,
	`internal_date` integer NOT NULL,
	`size` integer NOT NULL,
	`hash` text NOT NULL,
	`message_id` text DEFAULT '' NOT NULL,
	`in_reply_to` text DEFAULT '' NOT NULL,
	`subject` text DEFAULT '' NOT NULL,
	`date_header` integer,
	`from_address` text DEFAULT '' NOT NULL,
	`to_address` text DEFAULT '' NOT NULL,
	`cc_address` text DEFAULT '' NOT NULL,
	`bcc_address` text DEFAULT '' NOT NULL,
	`reply_to_address` text DEFAULT '' NOT NULL,
	`sender_address` text DEFAULT '' NOT NULL,
	`content_type` text DEFAULT '' NOT NULL,
	`has_attachment` integer DEFAULT false NOT NULL,
	`recipient` text DEFAULT '' NOT NULL,
	`return_path` text DEFAULT '' NOT NULL,
	`ip_addr` text DEFAULT '' NOT NULL,
	`is_tls` integer DEFAULT false NOT NULL,
	`spam_score` integer DEFAULT 0 NOT NULL,
	`spam` integer DEFAULT false NOT NULL,
	`envelope` text NOT NULL,
	`bodystructure` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_box_id`) REFERENCES `mail_box`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mail_raw_id`) REFERENCES `mail_raw`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_reference_id_unique` ON `mail` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `mail_box_uid_idx` ON `mail` (`mail_box_id`,`uid`);--> statement-breakpoint
CREATE INDEX `mail_box_modseq_idx` ON `mail` (`mail_box_id`,`modseq`);--> statement-breakpoint
CREATE INDEX `mail_account_idx` ON `mail` (`mail_account_id`);--> statement-breakpoint
CREATE INDEX `mail_raw_idx` ON `mail` (`mail_raw_id`);--> statement-breakpoint
CREATE TABLE `mail_account` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`username` text NOT NULL,
	`password_hash` text NOT NULL,
	`mail_server_id` integer NOT NULL,
	`user_account_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_server_id`) REFERENCES `mail_server`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_account_id`) REFERENCES `user_account`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_account_reference_id_unique` ON `mail_account` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `mail_account_username_unique` ON `mail_account` (`username`);--> statement-breakpoint
CREATE INDEX `mail_account_server_idx` ON `mail_account` (`mail_server_id`);--> statement-breakpoint
CREATE INDEX `mail_account_owner_idx` ON `mail_account` (`user_account_id`);--> statement-breakpoint
CREATE TABLE `mail_alias` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`address` text NOT NULL,
	`mail_account_id` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_alias_reference_id_unique` ON `mail_alias` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `mail_alias_address_unique` ON `mail_alias` (`address`);--> statement-breakpoint
CREATE INDEX `mail_alias_account_idx` ON `mail_alias` (`mail_account_id`);--> statement-breakpoint
CREATE TABLE `mail_box` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`mail_account_id` integer NOT NULL,
	`name` text NOT NULL,
	`subscribed` integer DEFAULT true NOT NULL,
	`uidvalidity` integer NOT NULL,
	`uidnext` integer DEFAULT 1 NOT NULL,
	`highestmodseq` integer DEFAULT 1 NOT NULL,
	`special_use` text,
	`noselect` integer DEFAULT false NOT NULL,
	`recent_uid` integer DEFAULT 0 NOT NULL,
	`attributes` text DEFAULT '' NOT NULL,
	`flags` text DEFAULT '' NOT NULL,
	`permanent_flags` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_box_reference_id_unique` ON `mail_box` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `mail_box_account_name_idx` ON `mail_box` (`mail_account_id`,`name`);--> statement-breakpoint
CREATE TABLE `mail_change` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mail_box_id` integer NOT NULL,
	`modseq` integer NOT NULL,
	`uid` integer NOT NULL,
	`kind` text NOT NULL,
	FOREIGN KEY (`mail_box_id`) REFERENCES `mail_box`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `mail_change_box_modseq_idx` ON `mail_change` (`mail_box_id`,`modseq`);--> statement-breakpoint
CREATE TABLE `mail_domain` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`domain` text NOT NULL,
	`mail_server_id` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_server_id`) REFERENCES `mail_server`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_domain_reference_id_unique` ON `mail_domain` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `mail_domain_domain_unique` ON `mail_domain` (`domain`);--> statement-breakpoint
CREATE TABLE `mail_raw` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sha256` text NOT NULL,
	`data` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `mail_server` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`hostname` text NOT NULL,
	`is_enabled` integer DEFAULT true NOT NULL,
	`listen_interface` text DEFAULT '' NOT NULL,
	`always_on_tls` integer DEFAULT false NOT NULL,
	`authentication_required` integer DEFAULT false NOT NULL,
	`max_size` integer DEFAULT 26214400 NOT NULL,
	`max_clients` integer DEFAULT 100 NOT NULL,
	`xclient_on` integer DEFAULT false NOT NULL,
	`user_account_id` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`user_account_id`) REFERENCES `user_account`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_server_reference_id_unique` ON `mail_server` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `mail_server_hostname_unique` ON `mail_server` (`hostname`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`mail_account_id` integer,
	`from_address` text NOT NULL,
	`to_address` text NOT NULL,
	`to_host` text NOT NULL,
	`mail` blob NOT NULL,
	`envelope_from` text DEFAULT '' NOT NULL,
	`message_id` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`recipient_status` text DEFAULT '{}' NOT NULL,
	`locked_until` integer DEFAULT 0 NOT NULL,
	`last_attempt_at` integer,
	`delay_notified` integer DEFAULT false NOT NULL,
	`dsn_sent` integer DEFAULT false NOT NULL,
	`sent` integer DEFAULT false NOT NULL,
	`retry_count` integer DEFAULT 0 NOT NULL,
	`last_error` text DEFAULT '' NOT NULL,
	`next_retry_at` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_reference_id_unique` ON `outbox` (`reference_id`);--> statement-breakpoint
CREATE INDEX `outbox_status_next_idx` ON `outbox` (`status`,`next_retry_at`);--> statement-breakpoint
CREATE TABLE `user_account` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`email` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`password_hash` text NOT NULL,
	`is_admin` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `user_account_reference_id_unique` ON `user_account` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `user_account_email_unique` ON `user_account` (`email`);