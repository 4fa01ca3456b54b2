CREATE TABLE `access_token` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reference_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`user_account_id` integer NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`scopes` text DEFAULT '[]' NOT NULL,
	`mail_account_ids` text,
	`expires_at` integer,
	`last_used_at` integer,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`user_account_id`) REFERENCES `user_account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_token_reference_id_unique` ON `access_token` (`reference_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `access_token_token_hash_unique` ON `access_token` (`token_hash`);--> statement-breakpoint
CREATE INDEX `access_token_user_idx` ON `access_token` (`user_account_id`);