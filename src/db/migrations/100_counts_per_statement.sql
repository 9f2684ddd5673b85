-- PostgreSQL only (postgres/100_counts_per_statement.sql: the dashboard counts of a multi-row insert added per
-- statement). SQLite has row triggers only, and its counts cost microseconds a row in its own process: nothing to do.
SELECT 1;
