import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Queries } from './engine';

/**
 * The few SQL expressions that differ between SQLite and PostgreSQL, as fragments for Kysely's `sql` tag. Everything
 * else the repos write is common to both: COALESCE (not IFNULL), ON CONFLICT … DO NOTHING (not INSERT OR IGNORE),
 * RETURNING id (not the last insert rowid), CAST(… AS INTEGER), `||`, CASE, window functions. Times are stored as
 * text in both ('YYYY-MM-DD HH:MM:SS', UTC, as SQLite's datetime('now') writes them), so they compare as text.
 */
export interface Dialect {
  readonly postgres: boolean;
  /** The current UTC time as stored text. */
  readonly nowText: RawBuilder<string>;
  /** The day in China (UTC+8) of a stored UTC time, as 'YYYY-MM-DD'. */
  chinaDay(utcText: RawBuilder<unknown>): RawBuilder<string>;
  /** Values of a group joined by `separator`. */
  joined(expr: RawBuilder<unknown>, separator: string): RawBuilder<string>;
}

const SQLITE: Dialect = {
  postgres: false,
  nowText: sql<string>`datetime('now')`,
  chinaDay: (t) => sql<string>`date(${t}, '+8 hours')`,
  joined: (e, s) => sql<string>`group_concat(${e}, ${s})`,
};

const POSTGRES: Dialect = {
  postgres: true,
  nowText: sql<string>`to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`,
  chinaDay: (t) => sql<string>`to_char(CAST(${t} AS timestamp) + interval '8 hours', 'YYYY-MM-DD')`,
  joined: (e, s) => sql<string>`string_agg(CAST(${e} AS text), ${s})`,
};

/** The dialect `on` speaks (the engine's queries or a unit of work's transaction). */
export function dialectOf(on: Queries): Dialect {
  return on.getExecutor().adapter instanceof PostgresAdapter ? POSTGRES : SQLITE;
}

/** Whether a statement failed because a row it deleted or changed is still referred to (a foreign key), on either engine. */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
