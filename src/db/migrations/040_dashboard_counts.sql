-- Dashboard counts kept up to date by triggers, so the dashboard reads a few thousand summary rows instead of
-- scanning every submission: with 1,000,000 submissions even a covering-index scan took ~150 ms per GROUP BY
-- (measured), and the dashboard needs five of them. Community 0 = none given; category 0 = not yet categorized.

-- Per campaign, community, day, channel and kind: totals, online/offline, small wishes, the time chart.
-- day: the day the opinion was collected (offline entries carry collected_on), else the day received, China time.
CREATE TABLE submission_counts_daily (
  campaign_id INTEGER NOT NULL,
  community_id INTEGER NOT NULL,
  day TEXT NOT NULL,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, community_id, day, channel, kind)
) WITHOUT ROWID;

-- Per campaign, community and category: the category and community charts.
CREATE TABLE submission_counts_category (
  campaign_id INTEGER NOT NULL,
  community_id INTEGER NOT NULL,
  category_id INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, community_id, category_id)
) WITHOUT ROWID;

-- Per QR code: which posters brought submissions.
CREATE TABLE submission_counts_qr (
  qr_code_id INTEGER PRIMARY KEY,
  n INTEGER NOT NULL
);

CREATE TRIGGER submission_counts_insert AFTER INSERT ON submissions BEGIN
  INSERT INTO submission_counts_daily (campaign_id, community_id, day, channel, kind, n)
    VALUES (NEW.campaign_id, IFNULL(NEW.community_id, 0),
            COALESCE(date(NEW.collected_on), date(NEW.created_at, '+8 hours')), NEW.channel, NEW.kind, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
  INSERT INTO submission_counts_category (campaign_id, community_id, category_id, n)
    VALUES (NEW.campaign_id, IFNULL(NEW.community_id, 0), IFNULL(NEW.category_id, 0), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
  INSERT INTO submission_counts_qr (qr_code_id, n) SELECT NEW.qr_code_id, 1 WHERE NEW.qr_code_id IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER submission_counts_delete AFTER DELETE ON submissions BEGIN
  UPDATE submission_counts_daily SET n = n - 1
    WHERE campaign_id = OLD.campaign_id AND community_id = IFNULL(OLD.community_id, 0)
      AND day = COALESCE(date(OLD.collected_on), date(OLD.created_at, '+8 hours')) AND channel = OLD.channel AND kind = OLD.kind;
  UPDATE submission_counts_category SET n = n - 1
    WHERE campaign_id = OLD.campaign_id AND community_id = IFNULL(OLD.community_id, 0) AND category_id = IFNULL(OLD.category_id, 0);
  UPDATE submission_counts_qr SET n = n - 1 WHERE qr_code_id = OLD.qr_code_id;
END;

-- Category corrections are the common update; replies, issue grouping and the like do not fire this at all.
CREATE TRIGGER submission_counts_update
AFTER UPDATE OF campaign_id, community_id, category_id, channel, kind, qr_code_id, collected_on, created_at ON submissions
WHEN OLD.campaign_id IS NOT NEW.campaign_id OR OLD.community_id IS NOT NEW.community_id
  OR OLD.category_id IS NOT NEW.category_id OR OLD.channel IS NOT NEW.channel OR OLD.kind IS NOT NEW.kind
  OR OLD.qr_code_id IS NOT NEW.qr_code_id OR OLD.collected_on IS NOT NEW.collected_on OR OLD.created_at IS NOT NEW.created_at
BEGIN
  UPDATE submission_counts_daily SET n = n - 1
    WHERE campaign_id = OLD.campaign_id AND community_id = IFNULL(OLD.community_id, 0)
      AND day = COALESCE(date(OLD.collected_on), date(OLD.created_at, '+8 hours')) AND channel = OLD.channel AND kind = OLD.kind;
  INSERT INTO submission_counts_daily (campaign_id, community_id, day, channel, kind, n)
    VALUES (NEW.campaign_id, IFNULL(NEW.community_id, 0),
            COALESCE(date(NEW.collected_on), date(NEW.created_at, '+8 hours')), NEW.channel, NEW.kind, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
  UPDATE submission_counts_category SET n = n - 1
    WHERE campaign_id = OLD.campaign_id AND community_id = IFNULL(OLD.community_id, 0) AND category_id = IFNULL(OLD.category_id, 0);
  INSERT INTO submission_counts_category (campaign_id, community_id, category_id, n)
    VALUES (NEW.campaign_id, IFNULL(NEW.community_id, 0), IFNULL(NEW.category_id, 0), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
  UPDATE submission_counts_qr SET n = n - 1 WHERE qr_code_id = OLD.qr_code_id;
  INSERT INTO submission_counts_qr (qr_code_id, n) SELECT NEW.qr_code_id, 1 WHERE NEW.qr_code_id IS NOT NULL
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- Submissions that existed before this migration.
INSERT INTO submission_counts_daily (campaign_id, community_id, day, channel, kind, n)
  SELECT campaign_id, IFNULL(community_id, 0), COALESCE(date(collected_on), date(created_at, '+8 hours')), channel, kind, COUNT(*)
  FROM submissions GROUP BY 1, 2, 3, 4, 5;
INSERT INTO submission_counts_category (campaign_id, community_id, category_id, n)
  SELECT campaign_id, IFNULL(community_id, 0), IFNULL(category_id, 0), COUNT(*) FROM submissions GROUP BY 1, 2, 3;
INSERT INTO submission_counts_qr (qr_code_id, n)
  SELECT qr_code_id, COUNT(*) FROM submissions WHERE qr_code_id IS NOT NULL GROUP BY 1;
