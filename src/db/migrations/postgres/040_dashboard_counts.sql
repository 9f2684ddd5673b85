-- Dashboard counts kept up to date by triggers, so the dashboard reads a few thousand summary rows instead of
-- scanning every submission (see ../040_dashboard_counts.sql). Community 0 = none given; category 0 = not yet
-- categorized.
--
-- Unlike SQLite (one writer at a time), PostgreSQL runs writers concurrently, and every resident of a campaign
-- would update the same count row: a hot row whose lock serializes their commits. So each count is kept in 8
-- shards (submission id mod 8: consecutive submissions land on different rows) and readers SUM(n) over the
-- shards, GROUP BY the other keys.

-- SQLite's date(t) / date(t, '+8 hours') for the time strings SQLite reads: 'YYYY-MM-DD', then optionally
-- [T or spaces]'HH:MM[:SS[.fff]]' and 'Z' or '±HH:MM' (converted to UTC). The day as 'YYYY-MM-DD' with SQLite's
-- overflow (02-30 → 03-02); NULL for anything else, never an error: a count must not refuse a resident's submission.
-- (Not read: julian day numbers, time-only strings, year 0 and negative years.)
CREATE FUNCTION ls_date(t text, shift interval DEFAULT '0') RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    -- SQLite returns a day up to the 28th as written when nothing moves it (no shift, no offset), even at 24:00.
    WHEN shift = '0' AND coalesce(m[10]::int * 60 + m[11]::int, 0) = 0 AND m[3]::int <= 28 THEN m[1] || '-' || m[2] || '-' || m[3]
    -- Past the year 9999 SQLite gives NULL: so does a day that is not four digits of year.
    ELSE substring(to_char(make_date(m[1]::int, m[2]::int, 1) + (m[3]::int - 1)
      + make_interval(hours => coalesce(m[4], '0')::int, mins => coalesce(m[5], '0')::int,
                      secs => (coalesce(m[6], '0') || coalesce(m[7], ''))::float8)
      - CASE WHEN m[9] = '-' THEN -1 ELSE 1 END
        * make_interval(hours => coalesce(m[10], '0')::int, mins => coalesce(m[11], '0')::int)
      + shift, 'YYYY-MM-DD') FROM '^\d{4}-\d\d-\d\d$')
  END
  FROM regexp_match(t, '^(\d{4})-(\d\d)-(\d\d)[\sT]*(?:(\d\d):(\d\d)(?::(\d\d)(\.\d+)?)?\s*(?:([Zz])|([+-])(\d\d):(\d\d))?\s*)?$') AS m
  WHERE m[1]::int >= 1 AND m[2]::int BETWEEN 1 AND 12 AND m[3]::int BETWEEN 1 AND 31
    AND coalesce(m[4]::int, 0) <= 24 AND coalesce(m[5]::int, 0) <= 59 AND coalesce(m[6]::int, 0) <= 59
    AND coalesce(m[10]::int, 0) <= 14 AND coalesce(m[11]::int, 0) <= 59
$$;

-- Per campaign, community, day, channel and kind: totals, online/offline, small wishes, the time chart.
-- day: the day the opinion was collected (offline entries carry collected_on), else the day received, China time.
CREATE TABLE submission_counts_daily (
  campaign_id bigint NOT NULL,
  community_id bigint NOT NULL,
  day text NOT NULL,
  channel text NOT NULL,
  kind text NOT NULL,
  shard smallint NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (campaign_id, community_id, day, channel, kind, shard)
);

-- Per campaign, community and category: the category and community charts.
CREATE TABLE submission_counts_category (
  campaign_id bigint NOT NULL,
  community_id bigint NOT NULL,
  category_id bigint NOT NULL,
  shard smallint NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (campaign_id, community_id, category_id, shard)
);

-- Per QR code: which posters brought submissions.
CREATE TABLE submission_counts_qr (
  qr_code_id bigint NOT NULL,
  shard smallint NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (qr_code_id, shard)
);

-- Adds delta to the counts of one submission row. A decrement is an upsert too (SQLite's is an UPDATE of the row
-- the insert made): the shard comes from the id, and a row whose id changed was counted under its old one.
CREATE FUNCTION submission_counts_add(s submissions, delta integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  k smallint := s.id % 8;
BEGIN
  INSERT INTO submission_counts_daily AS c (campaign_id, community_id, day, channel, kind, shard, n)
    VALUES (s.campaign_id, coalesce(s.community_id, 0),
            coalesce(ls_date(s.collected_on), ls_date(s.created_at, '8 hours')), s.channel, s.kind, k, delta)
    ON CONFLICT (campaign_id, community_id, day, channel, kind, shard) DO UPDATE SET n = c.n + delta;
  INSERT INTO submission_counts_category AS c (campaign_id, community_id, category_id, shard, n)
    VALUES (s.campaign_id, coalesce(s.community_id, 0), coalesce(s.category_id, 0), k, delta)
    ON CONFLICT (campaign_id, community_id, category_id, shard) DO UPDATE SET n = c.n + delta;
  IF s.qr_code_id IS NOT NULL THEN
    INSERT INTO submission_counts_qr AS c (qr_code_id, shard, n) VALUES (s.qr_code_id, k, delta)
      ON CONFLICT (qr_code_id, shard) DO UPDATE SET n = c.n + delta;
  END IF;
END $$;

CREATE FUNCTION submission_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM submission_counts_add(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM submission_counts_add(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER submission_counts_insert AFTER INSERT ON submissions
  FOR EACH ROW EXECUTE FUNCTION submission_counts_change();
CREATE TRIGGER submission_counts_delete AFTER DELETE ON submissions
  FOR EACH ROW EXECUTE FUNCTION submission_counts_change();
-- Category corrections are the common update; replies, issue grouping and the like do not fire this at all.
CREATE TRIGGER submission_counts_update
  AFTER UPDATE OF campaign_id, community_id, category_id, channel, kind, qr_code_id, collected_on, created_at ON submissions
  FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id OR OLD.community_id IS DISTINCT FROM NEW.community_id
    OR OLD.category_id IS DISTINCT FROM NEW.category_id OR OLD.channel IS DISTINCT FROM NEW.channel
    OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.qr_code_id IS DISTINCT FROM NEW.qr_code_id
    OR OLD.collected_on IS DISTINCT FROM NEW.collected_on OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION submission_counts_change();

-- Submissions that existed before this migration.
INSERT INTO submission_counts_daily (campaign_id, community_id, day, channel, kind, shard, n)
  SELECT campaign_id, coalesce(community_id, 0), coalesce(ls_date(collected_on), ls_date(created_at, '8 hours')),
         channel, kind, id % 8, count(*)
  FROM submissions GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO submission_counts_category (campaign_id, community_id, category_id, shard, n)
  SELECT campaign_id, coalesce(community_id, 0), coalesce(category_id, 0), id % 8, count(*) FROM submissions GROUP BY 1, 2, 3, 4;
INSERT INTO submission_counts_qr (qr_code_id, shard, n)
  SELECT qr_code_id, id % 8, count(*) FROM submissions WHERE qr_code_id IS NOT NULL GROUP BY 1, 2;
