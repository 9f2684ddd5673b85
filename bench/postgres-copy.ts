/**
 * The benchmarks' generated SQLite data, copied into a new PostgreSQL database, so a figure on PostgreSQL is taken on
 * the very rows its SQLite twin was: the tables the generator fills, in the order their keys need, with their ids.
 * PostgreSQL's own triggers fill its count tables and search index as the rows go in, as they would in use.
 */
import type { Db } from '../src/db/open-db';
import { migratePostgres } from '../src/db/postgres/migrate';
import { createPgPool } from '../src/db/postgres/pool';
import type { Figure } from './run';

/** What the dashboard generator writes (bench/dashboard.bench.ts), parents before children. */
const TABLES = ['places', 'users', 'campaigns', 'campaign_communities', 'campaign_categories', 'qr_codes', 'issues',
  'service_items', 'claims', 'submissions', 'feedback'];
/** PostgreSQL takes at most 65,535 parameters in one statement. */
const MAX_PARAMETERS = 60_000;

/** Copies the generated rows of `db` into the empty database at `url` (migrated here); the seconds it took. */
export async function copyToPostgres(db: Db, url: string): Promise<number> {
  const pool = createPgPool(url, { max: 1 });
  try {
    return await copyOn(db, pool);
  } finally {
    await pool.end();
  }
}

async function copyOn(db: Db, pool: ReturnType<typeof createPgPool>): Promise<number> {
  const t0 = performance.now();
  await migratePostgres(pool);
  // The categories come from the migrations on both engines; the generated rows point at them by id.
  const names = (rows: Array<{ id: number; name: string }>) => rows.map((r) => `${r.id}:${r.name}`).join(',');
  const sqliteCategories = names(db.prepare('SELECT id, name FROM categories ORDER BY id').all() as Array<{ id: number; name: string }>);
  const pgCategories = names((await pool.query<{ id: number; name: string }>('SELECT id, name FROM categories ORDER BY id')).rows);
  if (sqliteCategories !== pgCategories) throw new Error('the two engines seed different categories: the copy would point at the wrong ones');

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const table of TABLES) {
      const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
      let batch: unknown[][] = [];
      const flush = async () => {
        if (!batch.length) return;
        const params: unknown[] = [];
        const tuples = batch.map((row) => `(${row.map((v) => { params.push(v); return `$${params.length}`; }).join(', ')})`);
        await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
        batch = [];
      };
      for (const row of db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY rowid`).raw().iterate() as IterableIterator<unknown[]>) {
        batch.push(row);
        if (batch.length >= perStatement) await flush();
      }
      await flush();
      // Rows went in with their ids: the identity continues after the last one.
      if (columns.includes('id')) {
        await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM ${table}))`);
      }
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  await pool.query('ANALYZE');
  return (performance.now() - t0) / 1000;
}

/** The figure a benchmark prints for its PostgreSQL half when no test server answers. */
export const postgresSkipped = (name: string): Figure =>
  ({ name, value: 0, unit: 'skipped', skipped: 'LINSHENG_TEST_DATABASE_URL not set or not answering (.ci/postgres.sh)' });
