/**
 * Tests that run on both engines: the same block on a migrated in-memory SQLite database and, when a server is
 * available (test/helpers/postgres.ts), on a fresh migrated PostgreSQL database of the test file's own.
 */
import type { Pool } from 'pg';
import { postgresEngine, sqliteEngine, type Engine } from '../../src/db/engine';
import { openDb, type Db } from '../../src/db/open-db';
import { createPgPool } from '../../src/db/postgres/pool';
import { migratePostgres } from '../../src/db/postgres/migrate';
import { describeOnPostgres, freshPostgresDatabase } from './postgres';

export interface EngineUnderTest {
  engine: Engine;
  /** Runs SQL for the test's own set-up and checks, outside the app's repos. */
  exec(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
}

/** `exec` on a better-sqlite3 connection: rows of a query, nothing for a statement. */
export const sqliteExec = (db: Db): EngineUnderTest['exec'] => async (sql, params = []) => {
  const stmt = db.prepare(sql);
  return stmt.reader ? stmt.all(...params) as Array<Record<string, unknown>> : (stmt.run(...params), []);
};

/** `exec` on a PostgreSQL pool: the same SQL, its `?` numbered as PostgreSQL's `$1`. */
export const postgresExec = (pool: Pool): EngineUnderTest['exec'] => async (sql, params = []) => {
  let n = 0;
  return (await pool.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as Array<Record<string, unknown>>;
};

/** A fresh PostgreSQL database (test/helpers/postgres.ts) with the app's schema. */
export async function migratedPostgresDatabase(): Promise<Awaited<ReturnType<typeof freshPostgresDatabase>>> {
  const made = await freshPostgresDatabase();
  const pool = createPgPool(made.url, { max: 1 });
  try { await migratePostgres(pool); } finally { await pool.end(); }
  return made;
}

/**
 * Registers `fn` once per engine. `current()` gives the engine of the running test: a fresh database for each test
 * on SQLite; on PostgreSQL a copy of a template migrated once per file (migrating takes seconds, copying a fraction).
 */
export function describeOnEngines(name: string, fn: (current: () => EngineUnderTest) => void): void {
  describe(`${name} [sqlite]`, () => {
    let db: Db;
    let under: EngineUnderTest;
    beforeEach(() => {
      db = openDb({ file: ':memory:' });
      under = { engine: sqliteEngine(db), exec: sqliteExec(db) };
    });
    afterEach(async () => { await under.engine.close(); db.close(); });
    fn(() => under);
  });

  describeOnPostgres(`${name} [postgres]`, () => {
    let template: Awaited<ReturnType<typeof freshPostgresDatabase>>;
    let copy: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
    let under: EngineUnderTest;
    beforeAll(async () => {
      // Migrated once per file; each test gets a copy of it (CREATE DATABASE … TEMPLATE), as fresh as SQLite's.
      template = await migratedPostgresDatabase();
    });
    beforeEach(async () => {
      copy = await freshPostgresDatabase({ template: template.name });
      const pool = createPgPool(copy.url, { max: 4 });
      under = { engine: postgresEngine(pool), exec: postgresExec(pool) };
    });
    afterEach(async () => { await under?.engine.close(); await copy?.drop(); });
    afterAll(async () => { await template?.drop(); });
    fn(() => under);
  });
}
