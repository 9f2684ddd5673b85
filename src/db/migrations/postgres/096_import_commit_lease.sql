-- An import commit's progress lives in the database, not in one process's memory, so any app server can show it
-- and a second click (on this server or another) does not start a second commit of the same batch.
-- committing_until: a lease the committing process renews with every chunk it writes (rows_done, rows_total move
-- with it); a process that died mid-commit leaves a lease that runs out, after which confirming again resumes.
-- commit_lease: the holder's random token, so a commit that outlived its lease neither renews nor ends the next one's.
ALTER TABLE import_batches ADD COLUMN committing_until text;
ALTER TABLE import_batches ADD COLUMN commit_lease text;
