-- The dashboard counts (040) of a multi-row insert or delete, added per statement instead of per row: the rows of
-- one statement are grouped by count first, then each count is upserted once. An import's chunk of 200 rows or a
-- batch of residents' submissions made up to three upserts per row, many on the same count row, each leaving a
-- version of it behind until the commit (10,000 imported rows: 4.1 s of triggers, 0.8 s without them).
-- Updates stay per row (a category correction changes one submission; a trigger with a column list cannot have
-- transition tables).
DROP TRIGGER submission_counts_insert ON submissions;
DROP TRIGGER submission_counts_delete ON submissions;

CREATE FUNCTION submission_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO submission_counts_daily AS c (campaign_id, community_id, day, channel, kind, shard, n)
    SELECT campaign_id, coalesce(community_id, 0), coalesce(ls_date(collected_on), ls_date(created_at, '8 hours')),
           channel, kind, (id % 8)::smallint, count(*)::integer
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (campaign_id, community_id, day, channel, kind, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  INSERT INTO submission_counts_category AS c (campaign_id, community_id, category_id, shard, n)
    SELECT campaign_id, coalesce(community_id, 0), coalesce(category_id, 0), (id % 8)::smallint, count(*)::integer
    FROM new_rows GROUP BY 1, 2, 3, 4
    ON CONFLICT (campaign_id, community_id, category_id, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  INSERT INTO submission_counts_qr AS c (qr_code_id, shard, n)
    SELECT qr_code_id, (id % 8)::smallint, count(*)::integer
    FROM new_rows WHERE qr_code_id IS NOT NULL GROUP BY 1, 2
    ON CONFLICT (qr_code_id, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE FUNCTION submission_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO submission_counts_daily AS c (campaign_id, community_id, day, channel, kind, shard, n)
    SELECT campaign_id, coalesce(community_id, 0), coalesce(ls_date(collected_on), ls_date(created_at, '8 hours')),
           channel, kind, (id % 8)::smallint, -count(*)::integer
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (campaign_id, community_id, day, channel, kind, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  INSERT INTO submission_counts_category AS c (campaign_id, community_id, category_id, shard, n)
    SELECT campaign_id, coalesce(community_id, 0), coalesce(category_id, 0), (id % 8)::smallint, -count(*)::integer
    FROM old_rows GROUP BY 1, 2, 3, 4
    ON CONFLICT (campaign_id, community_id, category_id, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  INSERT INTO submission_counts_qr AS c (qr_code_id, shard, n)
    SELECT qr_code_id, (id % 8)::smallint, -count(*)::integer
    FROM old_rows WHERE qr_code_id IS NOT NULL GROUP BY 1, 2
    ON CONFLICT (qr_code_id, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  RETURN NULL;
END $$;

CREATE TRIGGER submission_counts_insert AFTER INSERT ON submissions REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION submission_counts_inserted();
CREATE TRIGGER submission_counts_delete AFTER DELETE ON submissions REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION submission_counts_deleted();
