ALTER TABLE `mail_account` ADD `quota_storage_bytes` integer;--> statement-breakpoint
ALTER TABLE `mail_account` ADD `quota_messages` integer;--> statement-breakpoint
ALTER TABLE `mail_account` ADD `used_storage_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `mail_account` ADD `used_messages` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- hand-written: usage of the mail already stored (afterwards the store keeps it exact).
UPDATE mail_account SET used_messages = (SELECT count(*) FROM mail WHERE mail.mail_account_id = mail_account.id), used_storage_bytes = (SELECT coalesce(sum(size), 0) FROM mail WHERE mail.mail_account_id = mail_account.id);