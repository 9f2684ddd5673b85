-- Per-client request counts of the rate limits, shared by the app servers of one database: each server writes its
-- own counts (one row per limit, client and server, rewritten about once a second) and adds the others' to its own.
-- reset_at: when that server's window for the client ends (ms since 1970); rows past it are deleted.
CREATE TABLE rate_counts (
  limiter text NOT NULL,
  client text NOT NULL,
  server text NOT NULL,
  hits integer NOT NULL,
  reset_at bigint NOT NULL,
  PRIMARY KEY (limiter, client, server)
);
CREATE INDEX rate_counts_reset ON rate_counts(reset_at);
