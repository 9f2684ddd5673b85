import { appliedVersions, loadMigrations, migrate, MigrationError, pendingMigrations } from '../../db/migrate';
import { backupBeforeMigrating, dbFile } from '../../db/open-db';
import { preMigrateDir } from '../../db/backups';
import { DatabaseProblem } from '../../db/problems';
import { CliError, type CliIo, type Command } from '../args';
import { createPgPool } from '../../db/postgres/pool';
import { postgresUnreachable } from '../../db/postgres/notices';
import { loadPostgresMigrations, migratePostgres, pendingPostgresMigrations } from '../../db/postgres/migrate';
import { errorMessage } from '../../lib/errors';
import { cliConfig, openExistingDb, refuseWhileInUse } from '../cli-db';

/**
 * Brings the database to this version's schema, as the server does at start, but on request: lists what would
 * run (--dry-run), copies the database to DATA_DIR/backups first, and applies everything in one transaction.
 */
export const migrateCommand: Command = {
  summaryZh: '升级数据库结构（先自动备份）；--dry-run 只列出将要执行的迁移',
  summary: 'Upgrade the database schema (after a backup); --dry-run lists what would run',
  usage: 'npx linsheng migrate [--dry-run]',
  options: [{ name: 'dry-run', zh: '只列出将要执行的迁移，不改动数据库', en: 'list the pending migrations, change nothing' }],
  positional: { min: 0, max: 0 },
  notes: [
    '设置了 DATABASE_URL 时，升级的是那个 PostgreSQL 数据库（升级前请先用 pg_dump 备份）。 With DATABASE_URL set, the PostgreSQL database is upgraded (back it up with pg_dump first).',
    '服务器启动时也会自动做同样的升级；这个命令用于在启动前单独完成或先看一看。升级前的备份在 DATA_DIR/backups/pre-migrate-*.db（保留最近 5 份）。',
    'The server does the same at start; this runs it on its own, or shows it first. The backup taken before is',
    'DATA_DIR/backups/pre-migrate-*.db (the newest 5 are kept). A failed migration leaves the database as it was.',
  ],
  async run(args, io) {
    const dryRun = args.switches.has('dry-run');
    const config = cliConfig(io);
    if (config.databaseUrl) return migrateOnPostgres(config.databaseUrl, dryRun, io);
    const file = dbFile(config.dataDir);
    if (!dryRun) refuseWhileInUse(config, file, { zh: '升级数据库', en: 'upgrade the database' });
    const { db } = openExistingDb(io, { migrate: false });
    try {
      const migrations = loadMigrations();
      const applied = appliedVersions(db);
      const pending = pendingMigrations(db, migrations);
      const latest = migrations.at(-1)?.name ?? '-';
      if (pending.length === 0) {
        io.out(`数据库已是最新，不需要升级（${applied.length} 个迁移都已应用，最新 ${latest}）。 The database is up to date (${applied.length} migrations applied, latest ${latest}).`);
        return 0;
      }
      if (dryRun) {
        io.out(`将要执行 ${pending.length} 个迁移 Would apply ${pending.length} migration(s):`);
        for (const m of pending) io.out(`  ${m.name}`);
        io.out(applied.length
          ? `执行前会先备份到 A backup would be taken first, into: ${preMigrateDir(file)}`
          : '这是一个还没有结构的新数据库，不需要备份。 A database without a schema yet: no backup needed.');
        return 0;
      }
      const backup = applied.length ? backupBeforeMigrating(db, file, applied.at(-1)!) : undefined;
      if (backup) io.out(`升级前的备份 Backup before the upgrade: ${backup}`);
      const names = migrate(db, migrations, { backup });
      io.out(`已执行 ${names.length} 个迁移 Applied ${names.length} migration(s):`);
      for (const n of names) io.out(`  ${n}`);
      return 0;
    } catch (err) {
      if (err instanceof MigrationError || err instanceof DatabaseProblem) throw new CliError(err.message);
      throw err;
    } finally {
      db.close();
    }
  },
};

/** The same on the PostgreSQL of DATABASE_URL: there the operator's pg_dump is the backup, not a file copy. */
async function migrateOnPostgres(url: string, dryRun: boolean, io: CliIo): Promise<number> {
  const pool = createPgPool(url, { max: 1, connectionTimeoutMillis: 10_000 });
  try {
    const migrations = loadPostgresMigrations();
    const pending = await pendingPostgresMigrations(pool, migrations);
    const latest = migrations.at(-1)?.name ?? '-';
    if (pending.length === 0) {
      io.out(`PostgreSQL 数据库已是最新，不需要升级（最新 ${latest}）。 The PostgreSQL database is up to date (latest ${latest}).`);
      return 0;
    }
    if (dryRun) {
      io.out(`将在 PostgreSQL 上执行 ${pending.length} 个迁移 Would apply ${pending.length} migration(s) on PostgreSQL:`);
      for (const m of pending) io.out(`  ${m.name}`);
      return 0;
    }
    const names = await migratePostgres(pool, migrations);
    io.out(`已在 PostgreSQL 上执行 ${names.length} 个迁移 Applied ${names.length} migration(s) on PostgreSQL:`);
    for (const n of names) io.out(`  ${n}`);
    return 0;
  } catch (err) {
    if (err instanceof MigrationError) throw new CliError(err.message);
    throw new CliError(postgresUnreachable(errorMessage(err)));
  } finally {
    await pool.end();
  }
}
