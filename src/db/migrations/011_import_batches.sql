-- Spreadsheet imports waiting for confirmation (upload → preview → confirm), and their final report.
-- Re-import dedup needs no extra column: each imported row's submissions.idempotency_key is
-- 'import:' + a hash of its normalized content, so the same row imported again is a no-op.
CREATE TABLE import_batches (
  -- Random and unguessable; pages also check the owner.
  id TEXT PRIMARY KEY,
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  file_name TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'committed')),
  -- JSON: every row as read from the file (with its sheet row number), so confirming needs no re-upload.
  parsed TEXT NOT NULL,
  -- JSON: the report shown after committing.
  report TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  committed_at TEXT
);
CREATE INDEX import_batches_user ON import_batches(user_id, created_at DESC);
