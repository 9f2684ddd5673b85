-- The rows read from an uploaded file (the JSON of import_batches.parsed, UTF-8), stored in parts of a few hundred
-- kilobytes, each in a transaction of its own (see ../095_import_batch_parts.sql). Batches stored this way have
-- parsed = ''. The parts are written before their batch row, so a batch never exists without all its parts (and
-- there is no foreign key to the batch).
CREATE TABLE import_batch_parts (
  batch_id text NOT NULL,
  seq integer NOT NULL,
  created_at text NOT NULL DEFAULT ls_now_iso(),
  -- bytea is stored out of line (TOAST) when large, so reading created_at alone never reads the data.
  data bytea NOT NULL,
  PRIMARY KEY (batch_id, seq)
);
