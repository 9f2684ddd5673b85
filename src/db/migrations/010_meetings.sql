-- Residents' meetings (民情恳谈会): one meeting, many opinions recorded against it (issue 3).
CREATE TABLE meetings (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  -- One meeting per form load, however often the save button is pressed.
  idempotency_key TEXT NOT NULL UNIQUE,
  held_on TEXT NOT NULL,
  community_id INTEGER NOT NULL REFERENCES places(id),
  grid_id INTEGER REFERENCES places(id),
  compound_id INTEGER REFERENCES places(id),
  -- Where exactly, in words: "社区党群服务中心二楼会议室".
  location TEXT,
  attendance INTEGER NOT NULL DEFAULT 0 CHECK (attendance >= 0),
  topic TEXT NOT NULL,
  entered_by INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX meetings_campaign ON meetings(campaign_id, held_on DESC);

ALTER TABLE submissions ADD COLUMN meeting_id INTEGER REFERENCES meetings(id);
CREATE INDEX submissions_meeting ON submissions(meeting_id) WHERE meeting_id IS NOT NULL;
-- "已保存（第 N 条）" counts a grid worker's own entries per campaign.
CREATE INDEX submissions_entered_by ON submissions(entered_by, campaign_id) WHERE entered_by IS NOT NULL;
