ALTER TABLE `mail` ADD `sort_date` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `sort_subject` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `subject_is_reply` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `sort_from` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `sort_to` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `sort_cc` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `sort_display_from` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `sort_display_to` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `thread_message_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `thread_references` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `mail` ADD `sort_keys_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `mail_box_sort_idx` ON `mail` (`mail_box_id`,`sort_date`,`uid`,`internal_date`,`size`,`sort_subject`,`sort_from`,`sort_to`,`sort_cc`,`sort_display_from`,`sort_display_to`);--> statement-breakpoint
CREATE INDEX `mail_box_thread_idx` ON `mail` (`mail_box_id`,`uid`,`sort_date`,`subject_is_reply`,`sort_subject`,`thread_message_id`,`thread_references`);