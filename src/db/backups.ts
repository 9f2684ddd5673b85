import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from './open-db';
import { FILE_MODE, makePrivateDir, syncDir } from './files';
import { appliedVersions } from './migrate';
import { DatabaseProblem, inspectDatabaseFile } from './problems';
import { randomToken } from '../lib/random';

/**
 * Copies of the database: the one taken before an upgrade's migrations (src/db/open-db.ts) and the nightly ones
 * (src/backup/service.ts). In the data layer because opening the database takes one.
 */

/** Backups taken before an upgrade sit beside the database, in DATA_DIR/backups. */
export const preMigrateDir = (dbFile: string) => path.join(path.dirname(dbFile), 'backups');
export const PRE_MIGRATE_PREFIX = 'pre-migrate-';
export const PRE_MIGRATE_KEEP = 5;
export const NIGHTLY_PREFIX = 'linsheng-';

/** 20261125-020000 in local time: sorts by time, reads as the operator's clock. */
export function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

export interface BackupFile { file: string; name: string; mtimeMs: number; size: number }

/** Finished backups in `dir` whose names start with `prefix`, newest first. */
export function listBackups(dir: string, prefix: string): BackupFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupFile[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.db')) continue;
    try {
      const st = fs.statSync(path.join(dir, name));
      if (st.isFile()) out.push({ file: path.join(dir, name), name, mtimeMs: st.mtimeMs, size: st.size });
    } catch {
      // removed meanwhile
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || b.name.localeCompare(a.name));
}

/** Keeps the newest `keep` backups of this kind and removes the rest. Returns the names removed. */
export function pruneBackups(dir: string, prefix: string, keep: number): string[] {
  const old = listBackups(dir, prefix).slice(keep);
  for (const b of old) fs.rmSync(b.file, { force: true });
  return old.map((b) => b.name);
}

/** A name in `dir` that does not exist yet: `<prefix><stamp><suffix>.db`, numbered if two come in one second. */
export function freshName(dir: string, prefix: string, when: Date, suffix = ''): string {
  const base = `${prefix}${stamp(when)}${suffix}`;
  let candidate = path.join(dir, `${base}.db`);
  for (let i = 2; fs.existsSync(candidate); i++) candidate = path.join(dir, `${base}-${i}.db`);
  return candidate;
}

/**
 * Synchronous consistent copy with VACUUM INTO, for the moments nothing is being served yet (before an upgrade's
 * migrations, at start-up or from the CLI). Written under a temporary name and renamed when complete.
 */
export function copyDatabaseNow(db: Db, target: string): void {
  makePrivateDir(path.dirname(target));
  const partial = `${target}.partial-${randomToken(6)}`;
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    finish(partial, target);
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/**
 * Online copy with SQLite's backup API while the server serves: better-sqlite3 copies `pagesPerStep` pages, then
 * lets the event loop run, and so on; writes made meanwhile through the same connection go into the copy too.
 */
export async function copyDatabaseOnline(db: Db, target: string, pagesPerStep = 500): Promise<void> {
  makePrivateDir(path.dirname(target));
  const partial = `${target}.partial-${randomToken(6)}`;
  try {
    await db.backup(partial, { progress: () => pagesPerStep });
    finish(partial, target);
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(partial + suffix, { force: true });
  }
}

function finish(partial: string, target: string): void {
  // A copy in WAL mode would grow -wal and -shm files beside it whenever someone opens it to look inside.
  const copy = new Database(partial, { fileMustExist: true });
  try { copy.pragma('journal_mode = DELETE'); } finally { copy.close(); }
  // SQLite created the file with the process's umask; a server started without one still gets a private copy.
  fs.chmodSync(partial, FILE_MODE);
  fs.renameSync(partial, target);
  syncDir(path.dirname(target));
}

/**
 * What the CLI checks in a backup before trusting it: SQLite's integrity_check ('ok' when sound) and the migrations
 * recorded in it (none: not a Linsheng database).
 */
export function checkBackup(db: Db): { integrity: string; versions: number[] } {
  const integrity = (db.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ');
  return { integrity, versions: appliedVersions(db) };
}

/** Writes a sound database's -wal into it, so the kept file is whole on its own; a damaged one keeps its -wal beside it. */
export function foldWal(file: string): void {
  try {
    inspectDatabaseFile(file);
    const db = new Database(file, { fileMustExist: true });
    try { db.pragma('wal_checkpoint(TRUNCATE)'); } finally { db.close(); }
  } catch (err) {
    if (!(err instanceof DatabaseProblem) && !(err as { code?: string }).code?.startsWith('SQLITE_')) throw err;
  }
}
