import pg from 'pg';

/** What createPgPool takes besides the URL: pg's own pool settings, and who hears of a dropped idle connection. */
export interface PgPoolOptions extends Omit<pg.PoolConfig, 'connectionString' | 'types'> {
  /**
   * An idle connection that broke (the server restarted, the network dropped it). pg then discards it and the next
   * query opens another; without a listener the pool's 'error' event would end the process.
   */
  onIdleError?: (err: Error) => void;
}

type TypeId = Parameters<typeof pg.types.getTypeParser>[0];
type TypeFormat = Parameters<typeof pg.types.getTypeParser>[1];
const INT8 = 20;
const NUMERIC = 1700;
const INT8_ARRAY = 1016;

/**
 * bigint ids and COUNT(*) arrive as int8, SUM() of integers as int8 or numeric; pg hands both over as strings, so
 * that a value beyond 2^53 is not silently rounded. The app compares ids and counts as numbers, as better-sqlite3
 * gives them, and none comes near 2^53: read them as numbers, and fail loudly rather than round if one ever does.
 */
function toNumber(text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n))) {
    throw new RangeError(`PostgreSQL returned ${text}, beyond what a JavaScript number holds exactly`);
  }
  return n;
}

/** The pool's own type parsers (not pg.types.setTypeParser, which would change every pool in the process). */
const types = {
  getTypeParser(oid: TypeId, format?: TypeFormat) {
    const id: number = oid;
    if (format !== 'binary') {
      if (id === INT8 || id === NUMERIC) return toNumber;
      if (id === INT8_ARRAY) {
        const parseArray = pg.types.getTypeParser(INT8_ARRAY as TypeId, 'text') as (text: string) => Array<string | null>;
        return (text: string) => parseArray(text).map((v) => (v === null ? null : toNumber(v)));
      }
    }
    return pg.types.getTypeParser(oid, format);
  },
};

/** A pool for DATABASE_URL, named 'linsheng' in pg_stat_activity so operators see whose connections they are. */
export function createPgPool(url: string, opts: PgPoolOptions = {}): pg.Pool {
  const { onIdleError, ...config } = opts;
  const pool = new pg.Pool({ application_name: 'linsheng', ...config, connectionString: url, types });
  pool.on('error', (err) => onIdleError?.(err));
  return pool;
}
