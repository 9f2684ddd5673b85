import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config';
import { dbFile, openDb, type Db } from '../db/open-db';
import { MigrationError } from '../db/migrate';
import { describeOpenError } from '../db/problems';
import { runningServerPid } from '../db/files';
import { CLI_BUSY_TIMEOUT_MS, openElsewhere, setBusyTimeout } from '../db/busy';
import { postgresDatabase, sqliteDatabase, type AppDatabase } from '../db/database';
import type { Engine, SqliteEngineOptions } from '../db/engine';
import { createPgPool } from '../db/postgres/pool';
import { migratePostgres } from '../db/postgres/migrate';
import { postgresUnreachable } from '../db/postgres/notices';
import { errorMessage } from '../lib/errors';
import { CliError, type CliIo } from './args';

export interface CliDb {
  config: Readonly<Config>;
  file: string;
  db: Db;
  /** True when this call created the database file. */
  created: boolean;
  /** Closes the database and, when this call created it, removes it again (for a refused first set-up). */
  discard(): void;
}

/** What a command needs of the database on either engine: SQLite in DATA_DIR, or PostgreSQL when DATABASE_URL is set. */
export interface CliDatabase {
  config: Readonly<Config>;
  database: AppDatabase;
  engine: Engine;
  /** Where the data is, for messages: the SQLite file, or the PostgreSQL server and database (never the password). */
  describe: string;
  /** True when this call created the SQLite file; never on PostgreSQL, whose database the operator creates. */
  created: boolean;
  close(): Promise<void>;
  /** Closes and, when this call created the SQLite file, removes it again (a refused first set-up). */
  discard(): Promise<void>;
}

export interface CliDatabaseOptions {
  /** May set up a new SQLite database (create-user, demo); otherwise a missing one is refused (openExistingDb). */
  create?: boolean;
  /** SQLite: the engine's own options instead of the server's (src/db/database.ts sqliteDatabase). */
  sqliteEngine?: SqliteEngineOptions;
}

/**
 * The database a command works on. SQLite: as openExistingDb / openOrCreateDb (checked, migrated, waiting for the
 * server's locks). PostgreSQL: the schema upgraded as the server does at start, then a small pool.
 */
export async function openCliDatabase(io: CliIo, opts: CliDatabaseOptions = {}): Promise<CliDatabase> {
  const config = cliConfig(io);
  if (config.databaseUrl) return openPostgres(config, config.databaseUrl);
  const cli = opts.create ? openOrCreateDb(io) : openExistingDb(io);
  return onSqlite(cli, sqliteDatabase(cli.db, opts.sqliteEngine));
}

/**
 * For commands that only read the staff's corrections (classify, group): the database if there is one, else a
 * throw-away in-memory one, so that running them never creates a database file.
 */
export async function openCliDatabaseOrScratch(io: CliIo): Promise<CliDatabase> {
  const config = cliConfig(io);
  if (config.databaseUrl || fs.existsSync(dbFile(config.dataDir))) return openCliDatabase(io);
  const db = openDb({ file: ':memory:' });
  return onSqlite({ config, file: ':memory:', db, created: false, discard: () => db.close() }, sqliteDatabase(db));
}

function onSqlite(cli: CliDb, database: AppDatabase): CliDatabase {
  const close = async () => {
    await database.close();
    if (cli.db.open) cli.db.close();
  };
  return {
    config: cli.config, database, engine: database.engine, describe: cli.file, created: cli.created, close,
    discard: async () => { await database.close(); cli.discard(); },
  };
}

/** PostgreSQL at `url`: migrated under the server's advisory lock (several servers may be starting), then opened. */
async function openPostgres(config: Readonly<Config>, url: string): Promise<CliDatabase> {
  const pool = createPgPool(url, { max: 1, connectionTimeoutMillis: 10_000 });
  let database: AppDatabase;
  try {
    await migratePostgres(pool);
    // A command runs one thing at a time: two connections are plenty, and leave the servers theirs.
    database = await postgresDatabase(url, { poolSize: 2 });
  } catch (err) {
    if (err instanceof MigrationError) throw new CliError(err.message);
    throw new CliError(postgresUnreachable(errorMessage(err)));
  } finally {
    await pool.end();
  }
  const close = () => database.close();
  return { config, database, engine: database.engine, describe: describePostgres(url), created: false, close, discard: close };
}

/** The server and database of DATABASE_URL, for messages: the user name and password are left out. */
export function describePostgres(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.host}${u.pathname}（DATABASE_URL）`;
  } catch {
    return 'PostgreSQL（DATABASE_URL）';
  }
}

/** The settings, or a CliError that says which environment variable is wrong. */
export function cliConfig(io: CliIo): Readonly<Config> {
  try {
    return loadConfig(io.env);
  } catch (err) {
    throw new CliError(`环境变量设置有误。 ${(err as Error).message}`, 2);
  }
}

/** Where DATA_DIR points and what is there, checked before anything is opened or created. */
export function inspect(config: Readonly<Config>): { file: string; exists: boolean } {
  const dir = config.dataDir;
  const file = dbFile(dir);
  const dirStat = statOrNull(dir);
  if (dirStat && !dirStat.isDirectory()) {
    throw new CliError(`DATA_DIR（${dir}）是一个文件，不是目录；请把 DATA_DIR 设为存放数据库的目录。 `
      + `DATA_DIR ${dir} is a file, not a directory: set DATA_DIR to the directory that holds linsheng.db.`);
  }
  const fileStat = dirStat ? statOrNull(file) : null;
  if (fileStat && !fileStat.isFile()) {
    throw new CliError(`${file} 不是文件（是目录或其他东西），不能当数据库用。 ${file} is not a regular file, so it cannot be the database.`);
  }
  return { file, exists: fileStat !== null };
}

/**
 * The database at DATA_DIR for a command that reads or changes existing data: a typo in DATA_DIR must not
 * quietly create an empty database, so a missing one is refused (exit 2).
 */
export function openExistingDb(io: CliIo, opts: { migrate?: boolean } = {}): CliDb {
  const config = cliConfig(io);
  const { file, exists } = inspect(config);
  if (!exists) throw new CliError(noDatabaseMessage(file), 2);
  const db = open(file, config, opts.migrate);
  return { config, file, db, created: false, discard: () => db.close() };
}

/**
 * The database at DATA_DIR for a command that may set up a new one (create-user, demo): DATA_DIR itself may be
 * created, but its parent must exist, so a mistyped path is refused instead of growing a new directory tree.
 */
export function openOrCreateDb(io: CliIo): CliDb {
  const config = cliConfig(io);
  const { file, exists } = inspect(config);
  const dirExisted = fs.existsSync(config.dataDir);
  if (!exists) {
    const parent = path.dirname(config.dataDir);
    if (!statOrNull(parent)?.isDirectory()) {
      throw new CliError(`DATA_DIR 的上级目录 ${parent} 不存在，请检查 DATA_DIR（${config.dataDir}）。 `
        + `The parent directory of DATA_DIR, ${parent}, does not exist: check DATA_DIR (${config.dataDir}).`, 2);
    }
  }
  const db = open(file, config);
  const discard = () => {
    if (db.open) db.close();
    if (exists) return;
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    if (!dirExisted && fs.readdirSync(config.dataDir).length === 0) fs.rmdirSync(config.dataDir);
  };
  return { config, file, db, created: !exists, discard };
}

export function noDatabaseMessage(file: string): string {
  return `找不到数据库 ${file}，请检查 DATA_DIR。 No database at ${file}: check DATA_DIR.`;
}

/** Opens (and by default migrates) the database, turning SQLite's and the file system's errors into sentences. */
function open(file: string, config: Readonly<Config>, migrate = true): Db {
  try {
    const db = openDb({ file, synchronous: config.synchronous, migrate });
    // The server may be running on the same file: its transactions are short, so wait for them rather than fail
    // with "database is locked" (see README, 命令行和服务器同时使用数据库).
    setBusyTimeout(db, CLI_BUSY_TIMEOUT_MS);
    return db;
  } catch (err) {
    throw new CliError(openErrorMessage(file, err));
  }
}

/** The operator's sentence for a database that would not open (see src/db/problems.ts), or a failed upgrade. */
export function openErrorMessage(file: string, err: unknown): string {
  if (err instanceof MigrationError) return err.message;
  return describeOpenError(file, err);
}

/**
 * Refuses (exit 1) while the server or any other process has the database open: restore replaces the file under
 * it, migrate changes the schema under it. The server's pid file names it; any other user is found by asking
 * SQLite for an exclusive lock, which it grants only when no other connection has the file open.
 */
export function refuseWhileInUse(config: Readonly<Config>, file: string, doing: { zh: string; en: string }): void {
  const pid = runningServerPid(config.dataDir);
  if (pid !== undefined) {
    throw new CliError(`邻声服务器正在使用这个数据库（进程 ${pid}），现在不能${doing.zh}。请先停止服务（例如 systemctl stop linsheng），再运行这个命令。 `
      + `The Linsheng server is running on this database (pid ${pid}), so it cannot ${doing.en} now: stop the service first `
      + `(e.g. systemctl stop linsheng), then run this command again.`);
  }
  // A damaged file is for the caller to judge (restore replaces it): openElsewhere says false for it.
  if (fs.existsSync(file) && openElsewhere(file)) {
    throw new CliError(`另一个进程正打开着数据库 ${file}（可能是邻声服务器、另一个命令，或 sqlite3 等工具），现在不能${doing.zh}。`
      + `请先停止它（查看是谁：fuser -v ${file}）。 Another process has ${file} open (the Linsheng server, another command, or a tool `
      + `such as sqlite3), so it cannot ${doing.en} now: stop it first (to see which: fuser -v ${file}).`);
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw new CliError(`无法访问 ${p}：${(err as Error).message} Cannot access ${p}.`);
  }
}

/** Campaign ids are shown by `npx linsheng campaigns` (and on the web page 征求意见活动). */
export function campaignNotFoundMessage(id: number): string {
  return `找不到编号为 ${id} 的征求意见活动；用 npx linsheng campaigns 列出所有活动和编号。 `
    + `No campaign with id ${id}: list the campaigns and their ids with npx linsheng campaigns.`;
}
