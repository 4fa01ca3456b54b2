-- Text index for IMAP SEARCH (HEADER/FROM/TO/CC/BCC/SUBJECT/BODY/TEXT), the
-- counterpart of SQLite's FTS5 trigram table: decoded header lines and body
-- text per mail_raw row, stored lower-cased, with pg_trgm GIN indexes so that
-- `LIKE '%needle%'` (a case-insensitive substring on the lower-cased text, as
-- RFC 3501 §6.4.4 asks) is answered from the index.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE TABLE "mail_text" (
	"raw_id" bigint PRIMARY KEY REFERENCES "mail_raw"("id") ON DELETE CASCADE,
	"headers" text COLLATE "C" NOT NULL,
	"body" text COLLATE "C" NOT NULL
);
--> statement-breakpoint
CREATE INDEX "mail_text_headers_trgm_idx" ON "mail_text" USING gin ("headers" gin_trgm_ops);
--> statement-breakpoint
CREATE INDEX "mail_text_body_trgm_idx" ON "mail_text" USING gin ("body" gin_trgm_ops);
