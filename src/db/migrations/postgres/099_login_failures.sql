-- Wrong passwords per username (src/auth/login-throttle.ts), in the database so that every app server slows down
-- guessing against an account by the same count: in each server's memory, N servers gave a guesser N times the tries.
-- username: lower-cased and trimmed (plain text: the app folds it); last_at: ms since 1970. Rows older than the
-- throttle's window are deleted.
CREATE TABLE login_failures (
  username text PRIMARY KEY,
  failures integer NOT NULL,
  last_at bigint NOT NULL
);
