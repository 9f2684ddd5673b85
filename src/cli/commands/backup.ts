import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { randomToken } from '../../lib/random';
import { CliError, UsageError, type Command } from '../args';
import { cliConfig, openExistingDb } from '../cli-db';
import { usePgTools } from '../../db/postgres/notices';
import { FILE_MODE } from '../../db/files';
import { checkBackup } from '../../db/backups';

const USAGE = 'npx linsheng backup <file> [--force]';

/**
 * Online backup with SQLite's backup API (better-sqlite3 db.backup): it copies a consistent snapshot page by
 * page while the server keeps writing. The copy goes to a temporary name first and is renamed only when
 * complete and checked, so a failed or interrupted backup never leaves a half-written file under the real name.
 */
export const backupCommand: Command = {
  summaryZh: '在线备份数据库到一个文件（服务器运行时也安全）',
  summary: 'Online backup of the database to a file (safe while the server runs)',
  usage: USAGE,
  options: [{ name: 'force', zh: '覆盖已有的备份文件', en: 'overwrite an existing backup file' }],
  positional: {
    min: 1, max: 1, name: '<file>',
    missingZh: '请指定备份文件名。', missingEn: 'Give exactly one backup file name.',
    extraHint: '只能给一个备份文件名。 Give exactly one backup file name.',
  },
  notes: [
    '数据库取自 DATA_DIR/linsheng.db。备份先写到临时文件，校验通过后才改成给定的文件名。',
    'The database is DATA_DIR/linsheng.db. The copy is written to a temporary name and renamed once checked.',
  ],
  async run(args, io) {
    if (cliConfig(io).databaseUrl) throw new CliError(usePgTools('backup'), 2);
    const target = path.resolve(args.positional[0]);
    const existing = statOrNull(target);
    if (existing?.isDirectory()) {
      throw new UsageError(`${target} 是一个目录；请给出备份文件的名字，例如 ${path.join(target, 'linsheng-backup.db')}。 `
        + `${target} is a directory: give the backup file's name, e.g. ${path.join(target, 'linsheng-backup.db')}.`);
    }
    if (existing && !args.switches.has('force')) {
      throw new CliError(`文件 ${target} 已存在，不会覆盖；如确需覆盖请加 --force。 ${target} exists: not overwritten without --force.`, 2);
    }
    const dir = path.dirname(target);
    if (!statOrNull(dir)?.isDirectory()) {
      throw new CliError(`目录 ${dir} 不存在。 Directory ${dir} does not exist.`, 2);
    }
    const { config, file: source, db } = openExistingDb(io, { migrate: false }); // a backup copies what is there, whatever version
    const partial = `${target}.partial-${randomToken(6)}`;
    try {
      if (path.resolve(source) === target) {
        throw new CliError('备份文件不能是数据库本身。 The backup file cannot be the database itself.', 2);
      }
      // Try the directory first with a plain file: SQLite only says "unable to open database file".
      try {
        fs.writeFileSync(partial, '', { flag: 'wx' });
      } catch (err) {
        throw new CliError(cannotWriteMessage(dir, err));
      }
      const started = Date.now();
      // Copy everything in one step after the first: SQLite restarts a stepwise backup whenever another
      // connection writes to the source, so under steady writes small steps might never finish. One step is
      // one read transaction, and in WAL mode readers do not block the server's writes.
      await db.backup(partial, { progress: () => 1_000_000_000 });
      const check = checkCopy(partial);
      if (check.integrity !== 'ok') {
        io.err(`备份校验失败 Backup copy failed integrity_check: ${check.integrity}`);
        return 1;
      }
      // A stale WAL beside an overwritten file would be replayed into the new copy on its next open.
      for (const suffix of ['-wal', '-shm']) fs.rmSync(target + suffix, { force: true });
      // It holds residents' personal data: readable by this user only, whatever the umask.
      fs.chmodSync(partial, FILE_MODE);
      fs.renameSync(partial, target);
      const size = fs.statSync(target).size;
      io.out(`备份完成 Backup written: ${target}`);
      io.out(`数据库 from: ${source}（DATA_DIR ${config.dataDir}）`);
      io.out(`大小 size: ${size} bytes (${(size / 1024 / 1024).toFixed(2)} MB), ${Date.now() - started} ms`);
      io.out(`integrity_check: ${check.integrity}; 数据库版本 schema migrations: ${check.migrations}`);
      return 0;
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`备份失败，没有写入 ${target}。 Backup failed, ${target} was not written: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(partial + suffix, { force: true });
      db.close();
    }
  },
};

function cannotWriteMessage(dir: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' ? '没有写入权限 no permission to write there'
    : code === 'EROFS' ? '只读文件系统 the file system is read-only'
      : code === 'ENOSPC' ? '磁盘已满 the disk is full'
        : `这里不能新建文件 files cannot be created there (${code ?? (err as Error).message})`;
  return `无法在目录 ${dir} 里写入备份文件：${why}。请换一个可写的目录。 Cannot write a backup file in ${dir}: ${why}. Choose a writable directory.`;
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** Opens the copy on its own and checks it as a restore would see it. */
function checkCopy(file: string): { integrity: string; migrations: number } {
  const copy = new Database(file);
  try {
    const { integrity, versions } = checkBackup(copy);
    return { integrity, migrations: versions.length };
  } finally {
    copy.close();
  }
}
