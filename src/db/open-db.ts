import path from 'node:path';
import Database from 'better-sqlite3';
import { appliedVersions, loadMigrations, migrate, pendingMigrations, type Migration } from './migrate';
import { makePrivateDir, restrictDatabaseFiles } from './files';
import { registerSqlFunctions } from './functions';
import { DatabaseProblem, describeOpenError, inspectDatabaseFile } from './problems';
import { copyDatabaseNow, freshName, preMigrateDir, pruneBackups, PRE_MIGRATE_KEEP, PRE_MIGRATE_PREFIX } from './backups';

export type Db = Database.Database;

/** How long a synchronous write on the server may wait for another writer: it holds the event loop meanwhile. */
export const SERVER_BUSY_TIMEOUT_MS = 250;

/** What an upgrade at open did: the migrations applied and the backup taken before them. */
export interface Upgrade { applied: string[]; backup?: string; fromVersion: number }

export interface OpenDbOptions {
  /** File path, or ':memory:' for tests. */
  file: string;
  synchronous?: 'FULL' | 'NORMAL' | 'EXTRA' | 'OFF';
  migrate?: boolean;
  /** The migrations to apply (tests); the shipped ones by default. */
  migrations?: Migration[];
  /** Told when migrations were applied. */
  onUpgrade?: (upgrade: Upgrade) => void;
}

/**
 * Opens the database: refuses an empty, foreign or truncated file and a locked or damaged one with a
 * DatabaseProblem that tells the operator what to do; makes the files private (0600); then migrates. An
 * existing database is copied to DATA_DIR/backups/pre-migrate-….db before any migration touches it.
 */
export function openDb(opts: OpenDbOptions): Db {
  const file = opts.file;
  const onDisk = file !== ':memory:';
  let existed = false;
  if (onDisk) {
    existed = inspectDatabaseFile(file);
    makePrivateDir(path.dirname(file));
  }
  let db: Db | undefined;
  try {
    db = new Database(file);
    // Before WAL mode creates -wal and -shm, which SQLite gives the database file's mode.
    if (onDisk) restrictDatabaseFiles(file);
    // Wait for a lock held briefly by another process (the CLI, whose transactions hold it for milliseconds) rather
    // than failing at once, but not long: better-sqlite3 waits on the event loop. The residents' path does not wait
    // here at all (src/db/busy.ts); the CLI sets a long timeout of its own.
    db.pragma(`busy_timeout = ${SERVER_BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    // Trigger-maintained dashboard counts use temporary structures per statement; on disk they cost ~70 µs a row.
    db.pragma('temp_store = MEMORY');
    registerSqlFunctions(db);
    // Reads the schema: a damaged first page or schema table shows here rather than at the first request.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
  } catch (err) {
    db?.close();
    throw err instanceof DatabaseProblem ? err : new DatabaseProblem(describeOpenError(file, err), (err as { code?: string }).code ?? 'UNKNOWN');
  }
  if (opts.migrate !== false) {
    try {
      upgrade(db, { file, existed, migrations: opts.migrations ?? loadMigrations(), onUpgrade: opts.onUpgrade });
    } catch (err) {
      db.close();
      throw err;
    }
  }
  return db;
}

function upgrade(db: Db, o: { file: string; existed: boolean; migrations: Migration[]; onUpgrade?: (u: Upgrade) => void }): void {
  const pending = pendingMigrations(db, o.migrations);
  if (pending.length === 0) return;
  const applied = appliedVersions(db);
  const fromVersion = applied.at(-1) ?? 0;
  let backup: string | undefined;
  // A new database has nothing to lose; an existing one is copied first, so an upgrade can always be undone.
  if (o.existed && o.file !== ':memory:' && applied.length > 0) backup = backupBeforeMigrating(db, o.file, fromVersion);
  const names = migrate(db, o.migrations, { backup });
  o.onUpgrade?.({ applied: names, backup, fromVersion });
}

/** DATA_DIR/backups/pre-migrate-<time>-v<version>.db; the newest few are kept. */
export function backupBeforeMigrating(db: Db, file: string, fromVersion: number, now = new Date()): string {
  const dir = preMigrateDir(file);
  const target = freshName(dir, PRE_MIGRATE_PREFIX, now, `-v${String(fromVersion).padStart(3, '0')}`);
  try {
    copyDatabaseNow(db, target);
  } catch (err) {
    throw new DatabaseProblem(`升级前的备份没有成功（${(err as Error).message}），所以没有升级数据库，数据库保持原样。请检查 ${dir} 能否写入、磁盘是否还有空间，然后再启动。 `
      + `The backup before the upgrade failed (${(err as Error).message}), so the database was not upgraded and is unchanged. `
      + `Check that ${dir} is writable and the disk has space, then start again.`, 'BACKUP_FAILED');
  }
  pruneBackups(dir, PRE_MIGRATE_PREFIX, PRE_MIGRATE_KEEP);
  return target;
}

export function dbFile(dataDir: string): string {
  return path.join(dataDir, 'linsheng.db');
}
