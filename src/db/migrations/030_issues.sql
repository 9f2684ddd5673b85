-- Issue list (问题清单), service menu (服务菜单), claims (认领), satisfaction (满意度) and the audit trail.
-- Timestamps are ISO-8601 UTC like submissions.created_at, so they sort and compare as text.

-- One distinct problem, backed by one or more submissions (submissions.issue_id).
-- A merged issue is deleted after its submissions move to the surviving one; the audit trail keeps the story.
CREATE TABLE issues (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  title TEXT NOT NULL,
  category_id INTEGER REFERENCES categories(id),
  community_id INTEGER REFERENCES places(id),
  compound_id INTEGER REFERENCES places(id),
  -- 1 低 (low), 2 普通 (normal), 3 紧急 (urgent): higher ranks first.
  priority INTEGER NOT NULL DEFAULT 2 CHECK (priority IN (1, 2, 3)),
  status TEXT NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'accepted', 'on_menu', 'claimed', 'in_progress', 'resolved', 'declined')),
  decline_reason TEXT,
  -- Shown to residents on their receipt page.
  reply TEXT,
  created_by INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  resolved_at TEXT
);
CREATE INDEX issues_campaign_status ON issues(campaign_id, status);
CREATE INDEX issues_community ON issues(community_id);
CREATE INDEX issues_category ON issues(category_id);

-- A submission belongs to at most one issue; NULL = not yet grouped.
ALTER TABLE submissions ADD COLUMN issue_id INTEGER REFERENCES issues(id);
CREATE INDEX submissions_issue ON submissions(issue_id);

-- The service menu of a community: published issues (issue_id) and standing services (issue_id NULL).
CREATE TABLE service_items (
  id INTEGER PRIMARY KEY,
  community_id INTEGER NOT NULL REFERENCES places(id),
  issue_id INTEGER REFERENCES issues(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  allow_multiple_claimers INTEGER NOT NULL DEFAULT 0 CHECK (allow_multiple_claimers IN (0, 1)),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  published_at TEXT,
  closed_at TEXT,
  created_by INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX service_items_community_status ON service_items(community_id, status);
-- An issue is published at most once.
CREATE UNIQUE INDEX service_items_issue ON service_items(issue_id) WHERE issue_id IS NOT NULL;

CREATE TABLE claims (
  id INTEGER PRIMARY KEY,
  service_item_id INTEGER NOT NULL REFERENCES service_items(id),
  claimer_user_id INTEGER NOT NULL REFERENCES users(id),
  status TEXT NOT NULL DEFAULT 'claimed' CHECK (status IN ('claimed', 'in_progress', 'done', 'withdrawn')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  done_at TEXT,
  UNIQUE (service_item_id, claimer_user_id)
);
CREATE INDEX claims_item ON claims(service_item_id);
CREATE INDEX claims_claimer ON claims(claimer_user_id);

-- Progress notes on a claim, with an optional photo stored under a generated name.
CREATE TABLE claim_notes (
  id INTEGER PRIMARY KEY,
  claim_id INTEGER NOT NULL REFERENCES claims(id),
  user_id INTEGER REFERENCES users(id),
  text TEXT NOT NULL DEFAULT '',
  photo_file TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX claim_notes_claim ON claim_notes(claim_id);

-- Resident satisfaction: once per receipt (submission).
CREATE TABLE feedback (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL UNIQUE REFERENCES submissions(id),
  issue_id INTEGER REFERENCES issues(id),
  rating TEXT NOT NULL CHECK (rating IN ('satisfied', 'basically', 'unsatisfied')),
  comment TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX feedback_issue ON feedback(issue_id);

-- Who changed what, when, from → to. detail is JSON. user_id NULL = a resident or the system.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  entity_type TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  action TEXT NOT NULL,
  detail TEXT,
  user_id INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id, id);
