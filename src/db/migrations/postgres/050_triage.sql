-- Triage of the unassigned queue: a suggestion can be declined (不立项) with a reply the resident reads on the
-- receipt, without becoming an issue; staff corrections to the proposed groups are kept as pairs.
ALTER TABLE submissions ADD COLUMN declined_at text;
ALTER TABLE submissions ADD COLUMN decline_reason text;
ALTER TABLE submissions ADD COLUMN declined_by bigint REFERENCES users(id) ON DELETE SET NULL;

-- The queue: a campaign's submissions in no issue and not declined.
CREATE INDEX submissions_unassigned ON submissions(campaign_id, id) WHERE issue_id IS NULL AND declined_at IS NULL;

-- "These two describe the same problem" (together = 1) or "these do not" (0), said by staff while sorting the queue.
-- Stored once per pair, the smaller id first.
CREATE TABLE grouping_corrections (
  a bigint NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  b bigint NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  together integer NOT NULL CHECK (together IN (0, 1)),
  user_id bigint REFERENCES users(id) ON DELETE SET NULL,
  created_at text NOT NULL DEFAULT ls_now_iso(),
  PRIMARY KEY (a, b),
  CHECK (a < b)
);
CREATE INDEX grouping_corrections_b ON grouping_corrections(b);
