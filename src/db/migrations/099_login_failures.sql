-- Wrong passwords per username (src/auth/login-throttle.ts), in the database so that every app server slows down
-- guessing against an account by the same count: in each server's memory, N servers gave a guesser N times the tries.
-- username: lower-cased and trimmed; last_at: ms since 1970. Rows older than the throttle's window are deleted.
CREATE TABLE login_failures (
  username TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  last_at INTEGER NOT NULL
) WITHOUT ROWID;
