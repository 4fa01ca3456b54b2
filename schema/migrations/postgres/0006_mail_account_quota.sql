ALTER TABLE "mail_account" ADD COLUMN "quota_storage_bytes" bigint;--> statement-breakpoint
ALTER TABLE "mail_account" ADD COLUMN "quota_messages" bigint;--> statement-breakpoint
ALTER TABLE "mail_account" ADD COLUMN "used_storage_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "mail_account" ADD COLUMN "used_messages" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- hand-written: usage of the mail already stored (afterwards the store keeps it exact).
UPDATE mail_account SET used_messages = (SELECT count(*) FROM mail WHERE mail.mail_account_id = mail_account.id), used_storage_bytes = (SELECT coalesce(sum(size), 0) FROM mail WHERE mail.mail_account_id = mail_account.id);