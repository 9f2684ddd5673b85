-- Imports keep their preview and their progress.
-- preview: JSON of what the preview page shows (counts, first rows, problems), planned once when the file is
-- uploaded (in a worker thread), so viewing the preview never reads the file again.
ALTER TABLE import_batches ADD COLUMN preview text;
-- A commit stopped by a shutdown (SIGTERM) records how far it got; confirming again resumes from there
-- (rows already in are skipped by their idempotency keys).
ALTER TABLE import_batches ADD COLUMN interrupted_at text;
ALTER TABLE import_batches ADD COLUMN rows_done integer NOT NULL DEFAULT 0;
ALTER TABLE import_batches ADD COLUMN rows_total integer NOT NULL DEFAULT 0;
