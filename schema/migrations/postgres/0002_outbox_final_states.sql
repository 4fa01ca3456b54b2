ALTER TABLE "outbox" ALTER COLUMN "next_retry_at" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "outbox" ALTER COLUMN "next_retry_at" DROP NOT NULL;--> statement-breakpoint
-- Rows with nothing left to try have no next attempt (they held 0, which the API showed as 1970).
UPDATE "outbox" SET "next_retry_at" = NULL WHERE "status" NOT IN ('queued', 'sending');