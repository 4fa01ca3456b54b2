PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_outbox` (
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
	`next_retry_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `__new_outbox`("id", "reference_id", "mail_account_id", "from_address", "to_address", "to_host", "mail", "envelope_from", "message_id", "status", "recipient_status", "locked_until", "last_attempt_at", "delay_notified", "dsn_sent", "sent", "retry_count", "last_error", "next_retry_at", "created_at", "updated_at") SELECT "id", "reference_id", "mail_account_id", "from_address", "to_address", "to_host", "mail", "envelope_from", "message_id", "status", "recipient_status", "locked_until", "last_attempt_at", "delay_notified", "dsn_sent", "sent", "retry_count", "last_error", "next_retry_at", "created_at", "updated_at" FROM `outbox`;--> statement-breakpoint
DROP TABLE `outbox`;--> statement-breakpoint
ALTER TABLE `__new_outbox` RENAME TO `outbox`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_reference_id_unique` ON `outbox` (`reference_id`);--> statement-breakpoint
CREATE INDEX `outbox_status_next_idx` ON `outbox` (`status`,`next_retry_at`);--> statement-breakpoint
-- Rows with nothing left to try have no next attempt (they held 0, which the API showed as 1970).
UPDATE `outbox` SET `next_retry_at` = NULL WHERE `status` NOT IN ('queued', 'sending');
