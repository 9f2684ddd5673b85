-- Staff decisions on a submission's category (triage and corrections). The classifier learns from every row at
-- start-up and from each new row at once; the table is the model's memory, so nothing is retrained by hand.
CREATE TABLE classifier_corrections (
  id INTEGER PRIMARY KEY,
  -- One lesson per submission: correcting it again replaces the lesson. NULL = a lesson without a submission.
  submission_id INTEGER UNIQUE REFERENCES submissions(id) ON DELETE CASCADE,
  text TEXT NOT NULL,
  category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
  -- What the submission had before, and what the model suggested: to measure how often staff disagree.
  previous_category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
  suggested_category_id INTEGER REFERENCES categories(id) ON DELETE SET NULL,
  corrected_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX classifier_corrections_category ON classifier_corrections(category_id);

-- The triage inbox lists a campaign's submissions that wait for a category; keep that cheap at any size.
CREATE INDEX submissions_triage ON submissions(campaign_id, created_at) WHERE needs_triage = 1;
