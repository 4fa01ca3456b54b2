-- Text index for IMAP SEARCH (HEADER/FROM/TO/CC/BCC/SUBJECT/BODY/TEXT).
-- Trigram tokens make a phrase query an exact case-insensitive substring match,
-- as RFC 3501 §6.4.4 asks. Contentless: the bytes live in mail_raw already.
-- rowid = mail.id; "headers" holds decoded header lines, "body" decoded text parts.
CREATE VIRTUAL TABLE `mail_text` USING fts5(headers, body, tokenize = 'trigram', content = '', contentless_delete = 1);
