-- Spreadsheet imports waiting for confirmation (upload → preview → confirm), and their final report.
-- Re-import dedup needs no extra column: each imported row's submissions.idempotency_key is
-- 'import:' + a hash of its normalized content, so the same row imported again is a no-op.
CREATE TABLE import_batches (
  -- Random and unguessable; pages also check the owner.
  id text PRIMARY KEY,
  user_id bigint REFERENCES users(id) ON DELETE CASCADE,
  campaign_id bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  channel text NOT NULL,
  file_name text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'committed')),
  -- JSON: every row as read from the file (with its sheet row number), so confirming needs no re-upload.
  -- text, not jsonb: the app stores and reads it whole, as on SQLite.
  parsed text NOT NULL,
  -- JSON: the report shown after committing.
  report text,
  created_at text NOT NULL DEFAULT ls_now_iso(),
  committed_at text
);
CREATE INDEX import_batches_user ON import_batches(user_id, created_at DESC);
