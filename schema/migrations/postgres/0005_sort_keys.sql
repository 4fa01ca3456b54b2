ALTER TABLE "mail" ADD COLUMN "sort_date" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "sort_subject" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "subject_is_reply" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "sort_from" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "sort_to" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "sort_cc" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "sort_display_from" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "sort_display_to" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "thread_message_id" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "thread_references" text COLLATE "C" DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "mail" ADD COLUMN "sort_keys_version" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "mail_box_sort_idx" ON "mail" USING btree ("mail_box_id","sort_date","uid","internal_date","size","sort_subject","sort_from","sort_to","sort_cc","sort_display_from","sort_display_to");--> statement-breakpoint
CREATE INDEX "mail_box_thread_idx" ON "mail" USING btree ("mail_box_id","uid","sort_date","subject_is_reply","sort_subject","thread_message_id","thread_references");