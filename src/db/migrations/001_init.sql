-- Places: district → sub-district → community → grid, and compounds inside a community.
CREATE TABLE places (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('district', 'subdistrict', 'community', 'grid', 'compound')),
  parent_id INTEGER REFERENCES places(id) ON DELETE RESTRICT,
  name TEXT NOT NULL,
  no_property_company INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now')),
  UNIQUE (parent_id, kind, name)
);
CREATE INDEX places_parent ON places(parent_id);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'grid_worker', 'claimer')),
  -- staff: the sub-district or community whose data they handle; NULL for admin.
  scope_place_id INTEGER REFERENCES places(id),
  claimer_kind TEXT CHECK (claimer_kind IN ('member', 'unit')),
  can_see_personal_data INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE user_grids (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  grid_id INTEGER NOT NULL REFERENCES places(id) ON DELETE CASCADE,
  PRIMARY KEY (user_id, grid_id)
);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expires_at);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE categories (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  sort_order INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1
);
INSERT INTO categories (name, sort_order) VALUES
  ('环境卫生', 10), ('设施维修', 20), ('安全隐患', 30), ('停车交通', 40), ('物业管理', 50),
  ('绿化美化', 60), ('养老服务', 70), ('托育教育', 80), ('文体活动', 90), ('邻里纠纷', 100), ('其他', 110);

CREATE TABLE campaigns (
  id INTEGER PRIMARY KEY,
  subdistrict_id INTEGER REFERENCES places(id),
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  starts_on TEXT NOT NULL,
  ends_on TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
  ask_photo INTEGER NOT NULL DEFAULT 1,
  ask_contact INTEGER NOT NULL DEFAULT 1,
  created_by INTEGER REFERENCES users(id),
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE campaign_communities (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  community_id INTEGER NOT NULL REFERENCES places(id),
  PRIMARY KEY (campaign_id, community_id)
);

CREATE TABLE campaign_categories (
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  category_id INTEGER NOT NULL REFERENCES categories(id),
  PRIMARY KEY (campaign_id, category_id)
);

CREATE TABLE qr_codes (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  token TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  place_id INTEGER REFERENCES places(id),
  scan_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX qr_codes_campaign ON qr_codes(campaign_id);

CREATE TABLE submissions (
  id INTEGER PRIMARY KEY,
  campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
  qr_code_id INTEGER REFERENCES qr_codes(id),
  receipt_code TEXT NOT NULL UNIQUE,
  -- One record per form load / offline entry, however often it is re-sent.
  idempotency_key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('suggestion', 'wish')),
  category_id INTEGER REFERENCES categories(id),
  category_confidence REAL,
  needs_triage INTEGER NOT NULL DEFAULT 0,
  text TEXT NOT NULL,
  photo_file TEXT,
  resident_name TEXT,
  resident_phone TEXT,
  building TEXT,
  community_id INTEGER REFERENCES places(id),
  grid_id INTEGER REFERENCES places(id),
  compound_id INTEGER REFERENCES places(id),
  channel TEXT NOT NULL DEFAULT 'online'
    CHECK (channel IN ('online', 'door_to_door', 'meeting', 'paper_survey', 'city_app', 'hotline')),
  entered_by INTEGER REFERENCES users(id),
  collected_on TEXT,
  reply TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX submissions_campaign_created ON submissions(campaign_id, created_at DESC);
CREATE INDEX submissions_qr ON submissions(qr_code_id);
CREATE INDEX submissions_community ON submissions(community_id);
CREATE INDEX submissions_grid ON submissions(grid_id);
