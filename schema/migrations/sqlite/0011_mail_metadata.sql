CREATE TABLE `mail_metadata` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mail_account_id` integer NOT NULL,
	`mail_box_id` integer NOT NULL,
	`name` text NOT NULL,
	`value` blob NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_metadata_entry_idx` ON `mail_metadata` (`mail_account_id`,`mail_box_id`,`name`);