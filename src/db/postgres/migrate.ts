import path from 'node:path';
import type pg from 'pg';
import { MIGRATIONS_DIR } from '../../paths';
import { errorMessage } from '../../lib/errors';
import { loadMigrations, MigrationError, type Migration } from '../migrate';

/** The PostgreSQL twins of the SQLite migrations: same numbers and names (test/db/postgres-schema.test.ts checks). */
export const POSTGRES_MIGRATIONS_DIR = path.join(MIGRATIONS_DIR, 'postgres');

/**
 * Every app server starting at once would otherwise apply the same migrations side by side: the first to take this
 * transaction-level lock migrates, the others wait and then find nothing pending. Any fixed number; this one is
 * 'linsheng' in ASCII.
 */
const MIGRATE_LOCK_KEY = '7811896470602608231';

const SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY, name text NOT NULL,
  applied_at text NOT NULL DEFAULT to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))`;

let shipped: Migration[] | undefined;

/** The numbered .sql files of `dir` in order (as loadMigrations); the shipped ones are read once per process. */
export function loadPostgresMigrations(dir = POSTGRES_MIGRATIONS_DIR): Migration[] {
  if (dir !== POSTGRES_MIGRATIONS_DIR) return loadMigrations(dir);
  return (shipped ??= loadMigrations(dir));
}

type Queryable = pg.Pool | pg.PoolClient;

async function appliedVersions(db: Queryable): Promise<number[]> {
  const table = await db.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!table.rows[0].present) return [];
  return (await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((r) => r.version);
}

/** The migrations not yet applied (all of them for a database without schema_migrations). Reads only. */
export async function pendingPostgresMigrations(pool: pg.Pool, migrations = loadPostgresMigrations()): Promise<Migration[]> {
  const done = new Set(await appliedVersions(pool));
  return migrations.filter((m) => !done.has(m.version));
}

/**
 * Applies every migration not yet recorded, all in one transaction, as the SQLite runner does: PostgreSQL's DDL is
 * transactional too, so a failure leaves the database exactly as it was before the upgrade. Returns the names applied.
 */
export async function migratePostgres(pool: pg.Pool, migrations = loadPostgresMigrations()): Promise<string[]> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(${MIGRATE_LOCK_KEY})`);
      await client.query(SCHEMA_MIGRATIONS);
      // Read after the lock: a server that waited sees what the one before it applied.
      const done = new Set(await appliedVersions(client));
      const pending = migrations.filter((m) => !done.has(m.version));
      for (const m of pending) {
        try {
          // No parameters: the simple protocol, which runs a file of several statements.
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        } catch (err) {
          const detail = errorMessage(err);
          throw new MigrationError(m.name, detail, migrationFailedMessage(m.name, detail));
        }
      }
      await client.query('COMMIT');
      return pending.map((m) => m.name);
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => { broken = e; });
      throw err;
    }
  } finally {
    // A connection that could not even roll back is discarded rather than handed to the next caller.
    client.release(broken);
  }
}

/** As the SQLite runner's message, without its backup: PostgreSQL's backups (pg_dump, base backups) are the operator's. */
function migrationFailedMessage(name: string, detail: string): string {
  return `数据库升级失败：迁移 ${name} 出错（${detail}）。这次升级的所有改动都已撤销，数据库保持升级前的样子。`
    + `请先换回上一版本的程序继续使用，并把这条信息告诉维护人员。 `
    + `Upgrade failed: migration ${name} failed (${detail}). All of this upgrade's changes were rolled back and the database is as it `
    + `was. Go back to the previous version of the program and report this message.`;
}
