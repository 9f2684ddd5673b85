/**
 * The database a test's app runs on: SQLite (the default), or PostgreSQL when LINSHENG_TEST_ENGINE=postgres (then
 * LINSHENG_TEST_DATABASE_URL names the server; `npm run test:postgres`). Either way the test gets `db`, a
 * better-sqlite3-shaped handle for its fixtures (on PostgreSQL ./sync-pg.ts), and what the app is built on.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { localInvalidation } from '../../src/db/invalidation';
import { postgresDatabaseOn, type AppDatabase } from '../../src/db/database';
import { sqliteEngine, type Engine } from '../../src/db/engine';
import { shareGeneration } from '../../src/db/generation';
import { dbFile, openDb, type Db } from '../../src/db/open-db';
import { createPgPool } from '../../src/db/postgres/pool';
import { POSTGRES_MIGRATIONS_DIR } from '../../src/db/postgres/migrate';
import { ENV } from './postgres-server';
import { SyncPg, syncPgDb } from './sync-pg';

export type TestEngine = 'sqlite' | 'postgres';
export const TEST_ENGINE: TestEngine = process.env.LINSHENG_TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';
export const onPostgres = TEST_ENGINE === 'postgres';

export interface TestDatabase {
  /** For the test's fixtures and checks (better-sqlite3's API; on PostgreSQL the subset ./sync-pg.ts gives). */
  db: Db;
  /** What the app is built on: the SQLite connection itself, or the PostgreSQL database. */
  appDatabase: Db | AppDatabase;
  /** Runs `fn` (the app's stopAll) before the PostgreSQL database is closed at the end of the test or file. */
  beforeClose(fn: () => Promise<void>): void;
}

/** A fresh, migrated database: SQLite in memory or in `dataDir`, or a new PostgreSQL database. */
export function openTestDatabase(opts: { dataDir?: string } = {}): TestDatabase {
  if (!onPostgres) {
    const db = openDb({ file: opts.dataDir ? dbFile(opts.dataDir) : ':memory:' });
    return { db, appDatabase: db, beforeClose: () => undefined };
  }
  const url = freshDatabaseUrl();
  const appDatabase = appDatabaseAt(url);
  const conn = new SyncPg(url);
  let closed = false;
  const stops: Array<() => Promise<void>> = [];
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const stop of stops) await stop().catch(() => undefined);
    await appDatabase.close().catch(() => undefined);
    conn.close();
    dropLater(url);
  };
  const db = syncPgDb(conn, () => { void close(); });
  // The factories bump the generation on `db`, as on SQLite: the app's caches must see it move.
  shareGeneration(appDatabase.engine.queries, db);
  opened.push({ close, inTest: testRunning });
  appDatabases.set(db, appDatabase);
  urls.set(db, url);
  return { db, appDatabase, beforeClose: (fn) => { stops.push(fn); } };
}

const appDatabases = new WeakMap<Db, AppDatabase>();
const urls = new WeakMap<Db, string>();

/**
 * A connection of its own to the database of a test's `db`, as a second app server has: to the same SQLite file
 * (the test's app must be on disk), or a pool of its own on the same PostgreSQL database.
 */
export function secondConnection(db: Db): { appDatabase: Db | AppDatabase; close(): Promise<void> } {
  const url = urls.get(db);
  if (url === undefined) {
    const other = openDb({ file: db.name });
    return { appDatabase: other, close: async () => { other.close(); } };
  }
  const appDatabase = appDatabaseAt(url);
  return { appDatabase, close: () => appDatabase.close() };
}

/**
 * An app's PostgreSQL database as the tests build it: a small pool whose idle connections close soon (a file of many
 * tests holds few), and invalidation within the process (two server processes are two-servers.postgres.test.ts's).
 */
const appDatabaseAt = (url: string): AppDatabase =>
  postgresDatabaseOn(createPgPool(url, { max: 4, idleTimeoutMillis: 1000 }), url, localInvalidation());

/** What an app is built on, for a test's `db`: the SQLite connection itself, or its PostgreSQL database. */
export const appDatabaseOf = (db: Db): Db | AppDatabase => appDatabases.get(db) ?? db;

/** An engine on a test's `db`: a new one on the SQLite connection, or the app's on PostgreSQL. */
export const engineOf = (db: Db): Engine => appDatabases.get(db)?.engine ?? sqliteEngine(db);

// ---- PostgreSQL: a migrated template per jest worker, a copy of it per app ----

let admin: SyncPg | undefined;
/** Between a test's first beforeEach and its afterEach (test/setup/engine.ts): what opens then closes with the test. */
let testRunning = false;
export const markTestRunning = (running: boolean) => { testRunning = running; };
let template: string | undefined;
const opened: Array<{ close: () => Promise<void>; inTest: boolean }> = [];
const toDrop: string[] = [];

function adminConnection(): SyncPg {
  const base = process.env[ENV];
  if (!base) throw new Error(`LINSHENG_TEST_ENGINE=postgres needs ${ENV} (.ci/postgres.sh starts a server and prints it)`);
  return (admin ??= new SyncPg(base));
}

const urlOf = (name: string) => {
  const url = new URL(process.env[ENV]!);
  url.pathname = `/${name}`;
  return url.toString();
};

/** The migrations' fingerprint: a template made before a migration changed is not reused. */
function migrationsHash(): string {
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(POSTGRES_MIGRATIONS_DIR).sort()) h.update(f).update(fs.readFileSync(path.join(POSTGRES_MIGRATIONS_DIR, f)));
  return h.digest('hex').slice(0, 10);
}

function freshDatabaseUrl(): string {
  const a = adminConnection();
  if (!template) {
    dropStale(a);
    const name = `linsheng_tpl_${process.pid}_${migrationsHash()}`;
    const exists = a.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]).rows.length > 0;
    if (!exists) {
      a.query(`CREATE DATABASE ${name} ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0`);
      a.migrate(urlOf(name));
    }
    template = name;
  }
  const name = `linsheng_t_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  a.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  return urlOf(name);
}

/** Test databases of processes that are gone (a run that was killed): dropped, so they do not pile up. */
function dropStale(a: SyncPg): void {
  const rows = a.query("SELECT datname FROM pg_database WHERE datname ~ '^linsheng_(t|tpl)_[0-9]+_'").rows as Array<{ datname: string }>;
  for (const { datname } of rows) {
    const pid = Number(/^linsheng_(?:t|tpl)_(\d+)_/.exec(datname)![1]);
    if (pid === process.pid || alive(pid)) continue;
    try { a.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`); } catch { /* another worker dropped it, or it is busy: next time */ }
  }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

function dropLater(url: string): void {
  toDrop.push(new URL(url).pathname.slice(1));
}

/** Closes the apps' databases a test (or, at the end, the file) opened, and drops them (test/setup/engine.ts). */
export async function closeTestDatabases(scope: 'test' | 'file'): Promise<void> {
  const closing = opened.filter((o) => scope === 'file' || o.inTest);
  for (const o of closing) opened.splice(opened.indexOf(o), 1);
  for (const o of closing) await o.close();
  if (!admin) return;
  const names = scope === 'file' ? [...toDrop.splice(0), ...serverDrops.splice(0)] : toDrop.splice(0);
  for (const name of names) {
    try { admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } catch { /* dropped with the process's others later */ }
  }
}

/**
 * `it` and `describe` for what only SQLite has (its file and write lock, WAL, pragmas, file backups): on PostgreSQL
 * they are skipped with "(SQLite only)" in their names, so the skip shows in jest's list. PostgreSQL's own
 * behaviour of the same kind has tests of its own (*.postgres.test.ts, *.engines.test.ts).
 */
export const itOnSqlite: jest.It = onPostgres
  ? Object.assign((name: string, fn?: jest.ProvidesCallback, timeout?: number) => it.skip(`${name} (SQLite only)`, fn, timeout), it)
  : it;
export const describeOnSqlite: jest.Describe = onPostgres
  ? Object.assign((name: string, fn: jest.EmptyFunction) => describe.skip(`${name} (SQLite only)`, fn), describe)
  : describe;

const serverUrls = new Map<string, string>();
/** Dropped at the end of the file, with the servers that ran on them stopped. */
const serverDrops: string[] = [];

/**
 * The database a server started as a child process (./child-server.ts) runs on, for the test engine: the SQLite
 * file in `dataDir`, or a PostgreSQL database of its own (the same one for the same `dataDir`). `env` is what the
 * child needs to find it; `db()` opens a handle for the test's fixtures and checks (close it before a kill -9 test).
 */
export function serverDatabase(dataDir: string): { env: Record<string, string>; db(): Db } {
  if (!onPostgres) return { env: {}, db: () => openDb({ file: dbFile(dataDir) }) };
  let url = serverUrls.get(dataDir);
  if (url === undefined) {
    url = freshDatabaseUrl();
    serverUrls.set(dataDir, url);
    serverDrops.push(new URL(url).pathname.slice(1));
  }
  const at = url;
  return { env: { DATABASE_URL: at }, db: () => syncPgDb(new SyncPg(at), () => undefined) };
}
