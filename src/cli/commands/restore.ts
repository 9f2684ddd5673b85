import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkBackup, foldWal, stamp } from '../../db/backups';
import { FILE_MODE, makePrivateDir, syncDir } from '../../db/files';
import { loadMigrations } from '../../db/migrate';
import { dbFile } from '../../db/open-db';
import { inspectDatabaseFile } from '../../db/problems';
import { randomToken } from '../../lib/random';
import { CliError, UsageError, type Command } from '../args';
import { cliConfig, inspect, refuseWhileInUse } from '../cli-db';
import { usePgTools } from '../../db/postgres/notices';

/**
 * Puts a backup in place of DATA_DIR/linsheng.db: only a backup that passes SQLite's integrity_check, only while
 * nothing has the database open, and the file it replaces is kept (renamed with the time, with its -wal), so a
 * restore can itself be undone. The copy goes through SQLite (it includes a -wal that lies beside the backup).
 */
export const restoreCommand: Command = {
  summaryZh: '从备份恢复数据库（先校验备份；服务器须已停止；原数据库改名保留）',
  summary: 'Restore the database from a backup (checked first; the server must be stopped; the old file is kept)',
  usage: 'npx linsheng restore <backup-file>',
  options: [],
  positional: {
    min: 1, max: 1, name: '<backup-file>',
    missingZh: '请指定要恢复的备份文件。', missingEn: 'Give the backup file to restore.',
    extraHint: '只能给一个备份文件。 Give exactly one backup file.',
  },
  notes: [
    '步骤：停止服务 → npx linsheng restore <备份文件> → 启动服务。被替换的数据库改名为 linsheng.db.replaced-<时间> 保留在 DATA_DIR。',
    'Steps: stop the service, run npx linsheng restore <backup-file>, start the service. The replaced database is kept',
    'in DATA_DIR as linsheng.db.replaced-<time>. A backup from an older version is upgraded when the server starts.',
  ],
  async run(args, io) {
    if (cliConfig(io).databaseUrl) throw new CliError(usePgTools('restore'), 2);
    const source = path.resolve(args.positional[0]);
    const config = cliConfig(io);
    const target = dbFile(config.dataDir);
    inspect(config); // DATA_DIR a file, linsheng.db a directory: said plainly before anything else
    const st = statOrNull(source);
    if (!st) throw new CliError(`找不到备份文件 ${source}。 No backup file at ${source}.`, 2);
    if (!st.isFile()) throw new UsageError(`${source} 不是文件，请给出备份文件的路径。 ${source} is not a file: give the backup file's path.`);
    if (fs.existsSync(target) && fs.realpathSync(source) === fs.realpathSync(target)) {
      throw new CliError('要恢复的文件就是数据库本身。 The backup file is the database itself.', 2);
    }
    refuseWhileInUse(config, target, { zh: '恢复数据库', en: 'restore the database' });

    // 1. The backup must be a sound database of this program, not newer than it.
    try {
      inspectDatabaseFile(source);
    } catch (err) {
      throw new CliError(`这个备份不能用，没有恢复。 This backup cannot be used; nothing was restored.\n${(err as Error).message}`);
    }
    let backup: Database.Database;
    try {
      backup = new Database(source, { readonly: true, fileMustExist: true });
    } catch (err) {
      throw new CliError(`无法打开备份文件 ${source}：${(err as Error).message}。没有恢复。 Cannot open the backup; nothing was restored.`);
    }
    const partial = `${target}.restore-${randomToken(6)}`;
    let versions: number[];
    try {
      let check: { integrity: string; versions: number[] };
      try {
        check = checkBackup(backup);
      } catch (err) {
        // So damaged that the check itself stops.
        check = { integrity: (err as Error).message, versions: [] };
      }
      if (check.integrity !== 'ok') {
        throw new CliError(`备份文件 ${source} 没有通过完整性检查（integrity_check: ${check.integrity.slice(0, 300)}），没有恢复。请换一份备份。 `
          + `The backup ${source} failed integrity_check; nothing was restored. Use another backup.`);
      }
      if (check.versions.length === 0) {
        throw new CliError(`${source} 不是邻声的数据库（里面没有 schema_migrations 表），没有恢复。 ${source} is not a Linsheng database; nothing was restored.`);
      }
      const known = new Set(loadMigrations().map((m) => m.version));
      const unknown = check.versions.filter((v) => !known.has(v));
      if (unknown.length) {
        throw new CliError(`这个备份来自更新版本的程序（含本程序不认识的迁移 ${unknown.join(', ')}），没有恢复。请先升级程序。 `
          + `This backup comes from a newer version of the program (migrations ${unknown.join(', ')} unknown here); nothing was restored. Upgrade the program first.`);
      }
      versions = check.versions;
      // 2. Copied next to the database first, so the swap below is two renames on one file system.
      makePrivateDir(config.dataDir);
      await backup.backup(partial);
      fs.chmodSync(partial, FILE_MODE);
    } catch (err) {
      for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(partial + suffix, { force: true });
      if (err instanceof CliError) throw err;
      throw new CliError(`复制备份时出错，没有恢复 Copying the backup failed; nothing was restored: ${(err as Error).message}`);
    } finally {
      backup.close();
    }

    // 3. The current database is kept under a new name, with its -wal (it may hold the last transactions);
    //    nothing of it may stay beside the restored file, where SQLite would replay a stale -wal into it.
    let kept: string | undefined;
    if (fs.existsSync(target)) {
      foldWal(target);
      kept = `${target}.replaced-${stamp(new Date())}`;
      for (let i = 2; fs.existsSync(kept); i++) kept = `${target}.replaced-${stamp(new Date())}-${i}`;
      fs.renameSync(target, kept);
      if (fs.existsSync(target + '-wal')) fs.renameSync(target + '-wal', kept + '-wal');
    }
    fs.rmSync(target + '-wal', { force: true });
    fs.rmSync(target + '-shm', { force: true });
    fs.renameSync(partial, target);
    syncDir(config.dataDir);

    io.out(`已恢复 Restored: ${target}`);
    io.out(`来自 from: ${source}（integrity_check: ok，已应用迁移 migrations applied: ${versions.length}，最新 latest: ${versions.at(-1)}）`);
    if (kept) io.out(`原来的数据库已改名保留 The replaced database was kept as: ${kept}`);
    io.out('现在可以启动服务；如果备份来自旧版本，启动时会先备份再自动升级。 Start the service now; a backup from an older version is upgraded at start.');
    return 0;
  },
};

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
