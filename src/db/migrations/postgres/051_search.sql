-- Search for staff (/search): a full-text index of suggestions (text, building, reply) and issues (title, reply,
-- decline reason), kept up to date by triggers, whatever path writes. SQLite's FTS5 tables become a tsvector per
-- row in a GIN index; the tokens come from ls_search_tokens(), the same words as src/db/search-tokens.ts
-- (test/db/postgres-schema.test.ts compares the two): Chinese as overlapping bigrams, so two-character words are
-- found; a query is the phrase of its tokens (phraseto_tsquery('simple', …) per term, joined by &&).

-- The ICU root locale: Unicode's lower-casing (as JavaScript's toLowerCase) and ICU's letter and digit classes in
-- regular expressions, whatever the database's own locale.
CREATE COLLATION ls_unicode (provider = icu, locale = 'und');

-- searchTokens(): NFKC, lower case, then runs of Han characters as overlapping bigrams (a lone character as
-- itself) and runs of other letters and digits as words, space-separated.
CREATE FUNCTION ls_search_tokens(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  -- \p{Script=Han} (PostgreSQL's regular expressions have no script classes), listed from Node's (Unicode 17).
  han CONSTANT text := '\u2E80-\u2E99\u2E9B-\u2EF3\u2F00-\u2FD5\u3005\u3007\u3021-\u3029\u3038-\u303B\u3400-\u4DBF'
    || '\u4E00-\u9FFF\uF900-\uFA6D\uFA70-\uFAD9\U00016FE2\U00016FE3\U00016FF0-\U00016FF6'
    || '\U00020000-\U0002A6DF\U0002A700-\U0002B81D\U0002B820-\U0002CEAD\U0002CEB0-\U0002EBE0'
    || '\U0002EBF0-\U0002EE5D\U0002F800-\U0002FA1D\U00030000-\U0003134A\U00031350-\U00033479';
  -- \p{N} beyond \p{Nd}: under ICU [[:alnum:]] is \p{L} and \p{Nd}, JavaScript's [\p{L}\p{N}] also takes these.
  numbers CONSTANT text := '\u00B2\u00B3\u00B9\u00BC-\u00BE\u09F4-\u09F9\u0B72-\u0B77\u0BF0-\u0BF2\u0C78-\u0C7E\u0D58-\u0D5E'
    || '\u0D70-\u0D78\u0F2A-\u0F33\u1369-\u137C\u16EE-\u16F0\u17F0-\u17F9\u19DA\u2070\u2074-\u2079'
    || '\u2080-\u2089\u2150-\u2182\u2185-\u2189\u2460-\u249B\u24EA-\u24FF\u2776-\u2793\u2CFD\u3192-\u3195'
    || '\u3220-\u3229\u3248-\u324F\u3251-\u325F\u3280-\u3289\u32B1-\u32BF\uA6E6-\uA6EF\uA830-\uA835'
    || '\U00010107-\U00010133\U00010140-\U00010178\U0001018A\U0001018B\U000102E1-\U000102FB'
    || '\U00010320-\U00010323\U00010341\U0001034A\U000103D1-\U000103D5\U00010858-\U0001085F'
    || '\U00010879-\U0001087F\U000108A7-\U000108AF\U000108FB-\U000108FF\U00010916-\U0001091B'
    || '\U000109BC\U000109BD\U000109C0-\U000109CF\U000109D2-\U000109FF\U00010A40-\U00010A48'
    || '\U00010A7D\U00010A7E\U00010A9D-\U00010A9F\U00010AEB-\U00010AEF\U00010B58-\U00010B5F'
    || '\U00010B78-\U00010B7F\U00010BA9-\U00010BAF\U00010CFA-\U00010CFF\U00010E60-\U00010E7E'
    || '\U00010F1D-\U00010F26\U00010F51-\U00010F54\U00010FC5-\U00010FCB\U00011052-\U00011065'
    || '\U000111E1-\U000111F4\U0001173A\U0001173B\U000118EA-\U000118F2\U00011C5A-\U00011C6C'
    || '\U00011FC0-\U00011FD4\U00012400-\U0001246E\U00016B5B-\U00016B61\U00016E80-\U00016E96'
    || '\U0001D2C0-\U0001D2D3\U0001D2E0-\U0001D2F3\U0001D360-\U0001D378\U0001E8C7-\U0001E8CF'
    || '\U0001EC71-\U0001ECAB\U0001ECAD-\U0001ECAF\U0001ECB1-\U0001ECB4\U0001ED01-\U0001ED2D'
    || '\U0001ED2F-\U0001ED3D\U0001F100-\U0001F10C';
  run text;
  chars text[];
  words text[] := '{}';
BEGIN
  IF t IS NULL THEN RETURN ''; END IF;
  FOR run IN
    SELECT m[1] FROM regexp_matches(lower(normalize(t, NFKC) COLLATE ls_unicode),
      '[' || han || ']+|(?:(?![' || han || '])[[:alnum:]' || numbers || '])+', 'g') AS m
  LOOP
    IF run !~ ('^[' || han || ']') THEN
      words := words || run;
      CONTINUE;
    END IF;
    chars := string_to_array(run, NULL);
    IF cardinality(chars) = 1 THEN
      words := words || run;
    ELSE
      FOR i IN 1 .. cardinality(chars) - 1 LOOP
        words := words || (chars[i] || chars[i + 1]);
      END LOOP;
    END IF;
  END LOOP;
  RETURN array_to_string(words, ' ');
END $$;

-- The indexed form of a text. 'simple': the tokens are already the words, lower-cased; positions make phrases.
CREATE FUNCTION ls_search_vector(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT to_tsvector('simple', ls_search_tokens(t)) $$;

-- rowid: the submission's or issue's id, as in SQLite's contentless FTS5 tables.
CREATE TABLE submissions_fts (rowid bigint PRIMARY KEY, body tsvector NOT NULL);
CREATE INDEX submissions_fts_body ON submissions_fts USING gin (body);
CREATE TABLE issues_fts (rowid bigint PRIMARY KEY, body tsvector NOT NULL);
CREATE INDEX issues_fts_body ON issues_fts USING gin (body);

INSERT INTO submissions_fts (rowid, body)
  SELECT id, ls_search_vector(text || ' ' || coalesce(building, '') || ' ' || coalesce(reply, '')) FROM submissions;
INSERT INTO issues_fts (rowid, body)
  SELECT id, ls_search_vector(title || ' ' || coalesce(reply, '') || ' ' || coalesce(decline_reason, '')) FROM issues;

-- As the SQLite triggers: an update removes the old row's entry and adds the new one's.
CREATE FUNCTION submissions_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN DELETE FROM submissions_fts WHERE rowid = OLD.id; END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO submissions_fts (rowid, body)
      VALUES (NEW.id, ls_search_vector(NEW.text || ' ' || coalesce(NEW.building, '') || ' ' || coalesce(NEW.reply, '')));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER submissions_fts_insert AFTER INSERT ON submissions FOR EACH ROW EXECUTE FUNCTION submissions_fts_sync();
CREATE TRIGGER submissions_fts_update AFTER UPDATE OF text, building, reply ON submissions
  FOR EACH ROW EXECUTE FUNCTION submissions_fts_sync();
CREATE TRIGGER submissions_fts_delete AFTER DELETE ON submissions FOR EACH ROW EXECUTE FUNCTION submissions_fts_sync();

CREATE FUNCTION issues_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN DELETE FROM issues_fts WHERE rowid = OLD.id; END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO issues_fts (rowid, body)
      VALUES (NEW.id, ls_search_vector(NEW.title || ' ' || coalesce(NEW.reply, '') || ' ' || coalesce(NEW.decline_reason, '')));
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER issues_fts_insert AFTER INSERT ON issues FOR EACH ROW EXECUTE FUNCTION issues_fts_sync();
CREATE TRIGGER issues_fts_update AFTER UPDATE OF title, reply, decline_reason ON issues
  FOR EACH ROW EXECUTE FUNCTION issues_fts_sync();
CREATE TRIGGER issues_fts_delete AFTER DELETE ON issues FOR EACH ROW EXECUTE FUNCTION issues_fts_sync();

-- Phone numbers are found exactly (normalized digits), for the roles that may search by them.
CREATE INDEX submissions_phone ON submissions(resident_phone) WHERE resident_phone IS NOT NULL;
