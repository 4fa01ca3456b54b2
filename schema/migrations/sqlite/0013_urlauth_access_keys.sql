CREATE TABLE `mail_box_access_key` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mail_box_id` integer NOT NULL,
	`mail_account_id` integer NOT NULL,
	`sealed_key` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	`updated_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_box_id`) REFERENCES `mail_box`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_box_access_key_mail_box_id_unique` ON `mail_box_access_key` (`mail_box_id`);--> statement-breakpoint
CREATE INDEX `mail_box_access_key_account_idx` ON `mail_box_access_key` (`mail_account_id`);