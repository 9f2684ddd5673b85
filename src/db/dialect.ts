import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Queries } from './engine';
import { ftsQuery } from './search-tokens';

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
  /** The current UTC time as ISO-8601 text with milliseconds ('YYYY-MM-DDTHH:MM:SS.sssZ'), as the issue tables store it. */
  readonly nowIso: RawBuilder<string>;
  /** The same, `seconds` from now (negative: ago): a lease's end, or how old a row must be to be purged. */
  nowIsoPlus(seconds: number): RawBuilder<string>;
  /** An integer member of a JSON object stored as text (e.g. an audit row's detail), or NULL. */
  jsonInt(jsonText: RawBuilder<unknown>, key: string): RawBuilder<number | null>;
  /** The day in China (UTC+8) of a stored UTC time, as 'YYYY-MM-DD'. */
  chinaDay(utcText: RawBuilder<unknown>): RawBuilder<string>;
  /**
   * The UTC instant, as ISO-8601 text like the submissions' created_at, at which the China (UTC+8) day `day`
   * ('YYYY-MM-DD') plus `plusDays` begins.
   */
  chinaDayStartIso(day: string, plusDays: number): RawBuilder<string>;
  /** Values of a group joined by `separator`. */
  joined(expr: RawBuilder<unknown>, separator: string): RawBuilder<string>;
  /** The distinct values of a group joined by commas, in no particular order. */
  joinedDistinct(expr: RawBuilder<unknown>): RawBuilder<string>;
  /**
   * A join whose order the query fixes: SQLite's CROSS JOIN (its planner never reorders one; the dashboard's and
   * search's plans depend on it), PostgreSQL's plain JOIN (its CROSS JOIN takes no ON, and its planner is left to
   * choose).
   */
  readonly fixedJoin: RawBuilder<unknown>;
  /**
   * After a table's name in FROM: read it along its rowid, never through an index (SQLite's NOT INDEXED; the
   * export's id ranges). Nothing on PostgreSQL, whose planner takes the primary key for an id range anyway.
   */
  readonly notIndexed: RawBuilder<unknown>;
  /**
   * A row of the search index `table` (aliased `alias`) holds every phrase (src/db/search-tokens.ts matchPhrases):
   * FTS5's MATCH on SQLite, the tsvector's `@@` on PostgreSQL (each phrase a phraseto_tsquery, all of them matched).
   */
  textMatch(table: 'submissions_fts' | 'issues_fts', alias: string, phrases: readonly string[]): RawBuilder<boolean>;
}

const SQLITE: Dialect = {
  postgres: false,
  nowText: sql<string>`datetime('now')`,
  nowIso: sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
  nowIsoPlus: (seconds) => sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${`${Math.round(seconds)} seconds`})`,
  jsonInt: (j, k) => sql<number | null>`CAST(json_extract(${j}, ${'$.' + k}) AS INTEGER)`,
  chinaDay: (t) => sql<string>`date(${t}, '+8 hours')`,
  chinaDayStartIso: (day, plus) => sql<string>`strftime('%Y-%m-%dT%H:%M:%fZ', ${day}, ${`+${plus} days`}, '-8 hours')`,
  joined: (e, s) => sql<string>`group_concat(${e}, ${s})`,
  joinedDistinct: (e) => sql<string>`group_concat(DISTINCT ${e})`,
  fixedJoin: sql`CROSS JOIN`,
  notIndexed: sql`NOT INDEXED`,
  // The table's name, not its alias, on the left of MATCH: FTS5 reads it as "any column of this table".
  textMatch: (table, _alias, phrases) => sql<boolean>`${sql.table(table)} MATCH ${ftsQuery(phrases)}`,
};

const POSTGRES: Dialect = {
  postgres: true,
  nowText: sql<string>`to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`,
  // As SQLite's 'now': the statement's time, not the transaction's (migration 001's ls_now_iso).
  nowIso: sql<string>`ls_now_iso()`,
  nowIsoPlus: (seconds) => sql<string>`to_char((statement_timestamp() AT TIME ZONE 'UTC') + CAST(${Math.round(seconds)} AS integer) * interval '1 second',
    'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  jsonInt: (j, k) => sql<number | null>`CAST(CAST(${j} AS json) ->> CAST(${k} AS text) AS bigint)`,
  chinaDay: (t) => sql<string>`to_char(CAST(${t} AS timestamp) + interval '8 hours', 'YYYY-MM-DD')`,
  chinaDayStartIso: (day, plus) =>
    sql<string>`to_char(CAST(${day} AS date) + CAST(${plus} AS integer) * interval '1 day' - interval '8 hours', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
  joined: (e, s) => sql<string>`string_agg(CAST(${e} AS text), ${s})`,
  joinedDistinct: (e) => sql<string>`string_agg(DISTINCT CAST(${e} AS text), ',')`,
  fixedJoin: sql`JOIN`,
  notIndexed: sql``,
  // One tsquery of the phrases joined by &&: a condition the GIN index answers. (`@@ ALL (subquery)` was checked row by
  // row: a phrase found nowhere walked all of a million rows, ~3 s.)
  textMatch: (_table, alias, phrases) => sql<boolean>`${sql.ref(alias)}.body @@ (${phrases.length
    ? sql.join(phrases.map((p) => sql`phraseto_tsquery('simple', ${p})`), sql` && `)
    : sql`CAST('' AS tsquery)`})`,
};

/** The dialect `on` speaks (the engine's queries or a unit of work's transaction). */
export function dialectOf(on: Queries): Dialect {
  return on.getExecutor().adapter instanceof PostgresAdapter ? POSTGRES : SQLITE;
}

/** `(…)` of the values for `IN`, as parameters; `(NULL)` for none, which matches nothing (`IN ()` is no SQL for PostgreSQL). */
export const inList = (values: readonly (number | string)[]): RawBuilder<unknown> =>
  (values.length ? sql`(${sql.join(values)})` : sql`(NULL)`);

/** Whether a statement failed because a row it deleted or changed is still referred to (a foreign key), on either engine. */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}
