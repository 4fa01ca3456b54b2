CREATE TABLE `mail_thread_ref` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`mail_account_id` integer NOT NULL,
	`message_id` text NOT NULL,
	`thread_id` text NOT NULL,
	`created_at` integer DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)) NOT NULL,
	FOREIGN KEY (`mail_account_id`) REFERENCES `mail_account`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mail_thread_ref_account_msgid_idx` ON `mail_thread_ref` (`mail_account_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `mail_thread_ref_created_idx` ON `mail_thread_ref` (`created_at`);--> statement-breakpoint
ALTER TABLE `mail` ADD `thread_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `preview` text;--> statement-breakpoint
CREATE INDEX `mail_account_thread_idx` ON `mail` (`mail_account_id`,`thread_id`);--> statement-breakpoint
ALTER TABLE `mail_box` ADD `pruned_expunge_modseq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `mail_change` ADD `created_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `mail_change_created_idx` ON `mail_change` (`created_at`);--> statement-breakpoint
-- hand-written: journal rows written before the retention policy count from the upgrade.
UPDATE `mail_change` SET `created_at` = CAST(unixepoch('subsec') * 1000 AS INTEGER) WHERE `created_at` = 0;--> statement-breakpoint
-- hand-written: messages stored before threads existed get one thread per stored message
-- (copies share it), and their Message-IDs are recorded so that later replies join them.
UPDATE `mail` SET `thread_id` = 'r' || `mail_raw_id` WHERE `thread_id` = '';--> statement-breakpoint
INSERT INTO `mail_thread_ref` (`mail_account_id`, `message_id`, `thread_id`)
  SELECT `mail_account_id`, substr(`message_id`, 2, length(`message_id`) - 2), min(`thread_id`) FROM `mail`
  WHERE `message_id` LIKE '<%>' AND `message_id` NOT LIKE '% %' AND length(`message_id`) BETWEEN 3 AND 252
  GROUP BY 1, 2;
