-- What residents do after submitting: the public board of a community (per campaign, on by default: it shows only
-- titles and replies staff wrote, with phone numbers masked), 附议 (support) of a published issue once per phone,
-- "my submissions" on the same phone, and appeals (申请复核) of an outcome.

-- Whether this campaign's published issues appear on the public board /b/<community>.
ALTER TABLE campaigns ADD COLUMN public_board INTEGER NOT NULL DEFAULT 1 CHECK (public_board IN (0, 1));

-- The phone a submission came from: a hash of the random ls_resident cookie (never the cookie itself, so a copy of
-- the database cannot pose as the phone). NULL for offline entries and phones without the cookie.
ALTER TABLE submissions ADD COLUMN resident_key TEXT;
CREATE INDEX submissions_resident ON submissions(resident_key, id) WHERE resident_key IS NOT NULL;

-- 附议: one row per phone and issue, counted apart from the submissions behind the issue.
CREATE TABLE issue_supports (
  issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
  resident_key TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (issue_id, resident_key)
) WITHOUT ROWID;

-- 申请复核: once per submission. kind 'issue': the issue behind it was resolved (and rated 不满意) or declined; staff
-- conclude (upheld 维持原结果 / reopened 重新办理). kind 'submission': a suggestion declined in triage (不立项) went
-- back to the queue; it ends when staff make it part of an issue (reopened) or decline it again (upheld).
CREATE TABLE appeals (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL UNIQUE REFERENCES submissions(id),
  kind TEXT NOT NULL CHECK (kind IN ('issue', 'submission')),
  issue_id INTEGER REFERENCES issues(id) ON DELETE SET NULL,
  reason TEXT NOT NULL,
  -- How the resident proved the receipt is theirs: the phone that submitted, or the code plus the phone's last 4 digits.
  proof TEXT NOT NULL CHECK (proof IN ('device', 'phone_last4')),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'upheld', 'reopened')),
  answer TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  concluded_at TEXT,
  concluded_by INTEGER REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX appeals_issue ON appeals(issue_id) WHERE issue_id IS NOT NULL;

CREATE TRIGGER appeals_submission_grouped AFTER UPDATE OF issue_id ON submissions
WHEN NEW.issue_id IS NOT NULL AND OLD.issue_id IS NULL
BEGIN
  UPDATE appeals SET status = 'reopened', concluded_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  WHERE submission_id = NEW.id AND kind = 'submission' AND status = 'open';
END;

CREATE TRIGGER appeals_submission_declined_again AFTER UPDATE OF declined_at ON submissions
WHEN NEW.declined_at IS NOT NULL AND OLD.declined_at IS NULL
BEGIN
  UPDATE appeals SET status = 'upheld', answer = NEW.decline_reason, concluded_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    concluded_by = NEW.declined_by
  WHERE submission_id = NEW.id AND kind = 'submission' AND status = 'open';
END;
