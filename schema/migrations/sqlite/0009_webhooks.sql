CREATE TABLE `webhook_event` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`event` text NOT NULL,
	`order_key` text NOT NULL,
	`account` text NOT NULL,
	`path` text,
	`data` text NOT NULL,
	`body` text,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`locked_until` integer DEFAULT 0 NOT NULL,
	`response_code` integer,
	`last_error` text DEFAULT '' NOT NULL,
	`delivered_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_event_reference_id_unique` ON `webhook_event` (`reference_id`);--> statement-breakpoint
CREATE INDEX `webhook_event_status_due_idx` ON `webhook_event` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_event_order_idx` ON `webhook_event` (`order_key`,`status`,`id`);--> statement-breakpoint
CREATE TABLE `webhook_setting` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`enabled` integer DEFAULT false NOT NULL,
	`url` text DEFAULT '' NOT NULL,
	`events` text DEFAULT '["*"]' NOT NULL,
	`secret` text NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL
);
