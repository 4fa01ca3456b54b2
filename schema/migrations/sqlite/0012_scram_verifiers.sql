CREATE TABLE `mail_account_scram` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mail_account_id` integer NOT NULL,
	`salt` text NOT NULL,
	`iterations` integer NOT NULL,
	`stored_key` text NOT NULL,
	`server_key` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_account_scram_mail_account_id_unique` ON `mail_account_scram` (`mail_account_id`);