-- The rows read from an uploaded file (the JSON of import_batches.parsed, UTF-8), stored in parts of a few hundred
-- kilobytes, each in a transaction of its own: a 50,000-row sheet is ~20 MB, and writing (or reading) it in one
-- statement held the server's event loop for hundreds of milliseconds. Batches stored this way have parsed = ''.
-- The parts are written before their batch row, so a batch never exists without all its parts.
CREATE TABLE import_batch_parts (
  batch_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  -- Before the data: reading it (the purge does) then never walks a part's overflow pages.
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  data BLOB NOT NULL,
  PRIMARY KEY (batch_id, seq)
);
