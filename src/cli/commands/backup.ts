import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDb } from '../../db/open-db';
import { randomToken } from '../../http/random';
import { existingDbFile, parseArgs, type Command } from '../main';

const USAGE = 'npx linsheng backup <file> [--force]';

/**
 * Online backup with SQLite's backup API (better-sqlite3 db.backup): it copies a consistent snapshot page by
 * page while the server keeps writing. The copy goes to a temporary name first and is renamed only when
 * complete and checked, so a failed or interrupted backup never leaves a half-written file under the real name.
 */
export const backupCommand: Command = {
  summary: 'Online backup of the database to a file (safe while the server runs)',
  usage: USAGE,
  async run(args, io) {
    const { flags, positional } = parseArgs(args);
    if (positional.length !== 1) {
      io.err('请指定备份文件名。 Give exactly one backup file name.');
      io.err('用法 Usage: ' + USAGE);
      return 2;
    }
    const target = path.resolve(positional[0]);
    if (fs.existsSync(target) && flags.force !== 'true') {
      io.err(`文件 ${target} 已存在，不会覆盖；如确需覆盖请加 --force。 ${target} exists: not overwritten without --force.`);
      return 2;
    }
    if (!fs.existsSync(path.dirname(target))) {
      io.err(`目录 ${path.dirname(target)} 不存在。 Directory ${path.dirname(target)} does not exist.`);
      return 2;
    }
    const found = existingDbFile(io);
    if (!found) return 2;
    const { config, file: source } = found;
    if (path.resolve(source) === target) {
      io.err('备份文件不能是数据库本身。 The backup file cannot be the database itself.');
      return 2;
    }

    const partial = `${target}.partial-${randomToken(6)}`;
    // No migrations here: a backup copies what is there, whatever version the running server is.
    const db = openDb({ file: source, synchronous: config.synchronous, migrate: false });
    try {
      const started = Date.now();
      // Copy everything in one step after the first: SQLite restarts a stepwise backup whenever another
      // connection writes to the source, so under steady writes small steps might never finish. One step is
      // one read transaction, and in WAL mode readers do not block the server's writes.
      await db.backup(partial, { progress: () => 1_000_000_000 });
      const check = checkCopy(partial);
      if (check.integrity !== 'ok') {
        fs.rmSync(partial, { force: true });
        io.err(`备份校验失败 Backup copy failed integrity_check: ${check.integrity}`);
        return 1;
      }
      // A stale WAL beside an overwritten file would be replayed into the new copy on its next open.
      for (const suffix of ['-wal', '-shm']) fs.rmSync(target + suffix, { force: true });
      fs.renameSync(partial, target);
      const size = fs.statSync(target).size;
      io.out(`备份完成 Backup written: ${target}`);
      io.out(`大小 size: ${size} bytes (${(size / 1024 / 1024).toFixed(2)} MB), ${Date.now() - started} ms`);
      io.out(`integrity_check: ${check.integrity}; 数据库版本 schema migrations: ${check.migrations}`);
      return 0;
    } catch (err) {
      fs.rmSync(partial, { force: true });
      io.err(`备份失败 Backup failed: ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    } finally {
      for (const suffix of ['-wal', '-shm']) fs.rmSync(partial + suffix, { force: true });
      db.close();
    }
  },
};

/** Opens the copy on its own and checks it as a restore would see it. */
function checkCopy(file: string): { integrity: string; migrations: number } {
  const copy = new Database(file);
  try {
    const integrity = (copy.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
    const hasTable = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
    const migrations = hasTable ? (copy.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get() as number) : 0;
    return { integrity, migrations };
  } finally {
    copy.close();
  }
}
