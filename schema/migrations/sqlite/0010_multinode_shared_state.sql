CREATE TABLE `acme_challenge` (
	`token` text PRIMARY KEY NOT NULL,
	`key_authorization` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `acme_challenge_expires_idx` ON `acme_challenge` (`expires_at`);--> statement-breakpoint
CREATE TABLE `auth_failure` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`address` text NOT NULL,
	`account` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `auth_failure_address_idx` ON `auth_failure` (`address`,`at`);--> statement-breakpoint
CREATE INDEX `auth_failure_account_idx` ON `auth_failure` (`account`,`at`);--> statement-breakpoint
CREATE INDEX `auth_failure_at_idx` ON `auth_failure` (`at`);--> statement-breakpoint
CREATE TABLE `auth_trust` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`address` text NOT NULL,
	`account` text NOT NULL,
	`trusted_until` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `auth_trust_pair_idx` ON `auth_trust` (`address`,`account`);--> statement-breakpoint
CREATE INDEX `auth_trust_until_idx` ON `auth_trust` (`trusted_until`);--> statement-breakpoint
CREATE TABLE `heron_node` (
	`id` text PRIMARY KEY NOT NULL,
	`hostname` text DEFAULT '' NOT NULL,
	`pid` integer DEFAULT 0 NOT NULL,
	`started_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `imap_session` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`node_id` text NOT NULL,
	`mail_account_id` integer NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`node_id`) REFERENCES `heron_node`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `imap_session_account_idx` ON `imap_session` (`mail_account_id`);--> statement-breakpoint
CREATE INDEX `imap_session_node_idx` ON `imap_session` (`node_id`);