-- Search for staff (/search): a full-text index of suggestions (text, building, reply) and issues (title, reply,
-- decline reason). The index holds tokens made by ls_search_tokens(), a function the app registers on every
-- connection it opens (src/db/open-db.ts, src/search/tokens.ts): Chinese as overlapping bigrams, so two-character
-- words are found. Kept up to date by triggers, whatever path writes.
CREATE VIRTUAL TABLE submissions_fts USING fts5(body, content='', contentless_delete=1);
CREATE VIRTUAL TABLE issues_fts USING fts5(body, content='', contentless_delete=1);

INSERT INTO submissions_fts(rowid, body)
  SELECT id, ls_search_tokens(text || ' ' || IFNULL(building, '') || ' ' || IFNULL(reply, '')) FROM submissions;
INSERT INTO issues_fts(rowid, body)
  SELECT id, ls_search_tokens(title || ' ' || IFNULL(reply, '') || ' ' || IFNULL(decline_reason, '')) FROM issues;

CREATE TRIGGER submissions_fts_insert AFTER INSERT ON submissions BEGIN
  INSERT INTO submissions_fts(rowid, body) VALUES (new.id, ls_search_tokens(new.text || ' ' || IFNULL(new.building, '') || ' ' || IFNULL(new.reply, '')));
END;
CREATE TRIGGER submissions_fts_update AFTER UPDATE OF text, building, reply ON submissions BEGIN
  DELETE FROM submissions_fts WHERE rowid = old.id;
  INSERT INTO submissions_fts(rowid, body) VALUES (new.id, ls_search_tokens(new.text || ' ' || IFNULL(new.building, '') || ' ' || IFNULL(new.reply, '')));
END;
CREATE TRIGGER submissions_fts_delete AFTER DELETE ON submissions BEGIN
  DELETE FROM submissions_fts WHERE rowid = old.id;
END;
CREATE TRIGGER issues_fts_insert AFTER INSERT ON issues BEGIN
  INSERT INTO issues_fts(rowid, body) VALUES (new.id, ls_search_tokens(new.title || ' ' || IFNULL(new.reply, '') || ' ' || IFNULL(new.decline_reason, '')));
END;
CREATE TRIGGER issues_fts_update AFTER UPDATE OF title, reply, decline_reason ON issues BEGIN
  DELETE FROM issues_fts WHERE rowid = old.id;
  INSERT INTO issues_fts(rowid, body) VALUES (new.id, ls_search_tokens(new.title || ' ' || IFNULL(new.reply, '') || ' ' || IFNULL(new.decline_reason, '')));
END;
CREATE TRIGGER issues_fts_delete AFTER DELETE ON issues BEGIN
  DELETE FROM issues_fts WHERE rowid = old.id;
END;

-- Phone numbers are found exactly (normalized digits), for the roles that may search by them.
CREATE INDEX submissions_phone ON submissions(resident_phone) WHERE resident_phone IS NOT NULL;
