import fs from 'node:fs/promises';
import type { Engine } from '../db/engine';
import { createHealthRepo } from './repo';
import type { BackupStatus } from '../backup/service';

/** Why the server is not ready, one code per failed check, with a sentence for the operator. */
export const NOT_READY = {
  database_full: '数据库写不进去：磁盘或数据库已满。请腾出磁盘空间。 The database cannot be written: the disk or database is full.',
  database_locked: '数据库被另一个进程锁住，暂时写不进去。 The database is locked by another process.',
  database_read_only: '数据库是只读的（文件权限或只读文件系统）。 The database is read-only (file permissions or a read-only file system).',
  database_io_error: '读写数据库时磁盘出错。 The disk failed while reading or writing the database.',
  database_error: '数据库不能正常读写。 The database cannot be read or written.',
  migrations_pending: '数据库还没有升级到这个版本的程序需要的结构。 The database schema is behind this version of the program.',
  wal_sync_failed: '把数据库日志同步到磁盘时出错，在重启服务之前不再接收任何提交。请检查磁盘，然后重启服务。 Syncing the database log to the disk failed: every durable write is refused until the server is restarted. Check the disk, then restart.',
  disk_low: '数据目录所在磁盘的剩余空间低于 LINSHENG_MIN_FREE_MB。 Free space where DATA_DIR lives is below LINSHENG_MIN_FREE_MB.',
} as const;
export type NotReadyReason = keyof typeof NOT_READY;

export interface Readiness {
  ready: boolean;
  reasons: NotReadyReason[];
  checks: {
    database: 'ok' | NotReadyReason;
    migrations: 'ok' | { pending: string[] };
    disk: { free_mb: number | null; min_mb: number };
  };
  backup?: BackupStatus;
}

/**
 * Maps a failed write's error to its readiness reason: SQLite's codes, the file system's, and PostgreSQL's SQLSTATEs
 * (53100 disk full, 25006 read-only transaction as on a standby, 55P03 lock not available, 58030 I/O error).
 */
export function writeFailureReason(err: unknown): NotReadyReason {
  const code = String((err as { code?: unknown }).code ?? '');
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === '53100') return 'database_full';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === '55P03') return 'database_locked';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || code === '25006') return 'database_read_only';
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO' || code === '58030') return 'database_io_error';
  return 'database_error';
}

/**
 * The checks behind /readyz: the database takes a real write (a row with two pages of padding, inserted and deleted
 * in one committed transaction, so a full database or a read-only file fails it), every shipped migration is
 * applied, and the file system of DATA_DIR has at least `minFreeBytes` free. A result is reused for `cacheMs`: the
 * endpoint is public, and each check costs a disk sync.
 */
export function createReadiness(deps: {
  engine: Pick<Engine, 'unitOfWork'>;
  /** The migrations this version ships that the database has not applied (each engine has its own runner). */
  pendingMigrations: () => string[] | Promise<string[]>;
  dataDir: string; minFreeBytes: number; backups?: { status(): BackupStatus }; cacheMs?: number;
  /** A WAL sync failure that stuck (src/db/busy.ts walSyncer): the probe's own write would not notice it. */
  walFailure?: () => unknown;
}) {
  const cacheMs = deps.cacheMs ?? 1000;
  let cached: { at: number; result: Promise<Readiness> } | undefined;

  async function database(): Promise<'ok' | NotReadyReason> {
    // A probe that waits more than 100 ms for another process's lock is answered "locked", not held for seconds.
    try {
      await deps.engine.unitOfWork((tx) => createHealthRepo(tx).probeWrite(), { deadlineMs: 100 });
      return 'ok';
    } catch (err) {
      return writeFailureReason(err);
    }
  }

  async function freeBytes(): Promise<number | null> {
    try {
      const s = await fs.statfs(deps.dataDir);
      return s.bavail * s.bsize;
    } catch {
      return null;
    }
  }

  async function check(): Promise<Readiness> {
    const databaseCheck = deps.walFailure?.() ? 'wal_sync_failed' : await database();
    let pending: string[] = [];
    try {
      pending = await deps.pendingMigrations();
    } catch {
      pending = ['(unreadable)'];
    }
    const free = await freeBytes();
    const reasons: NotReadyReason[] = [];
    if (databaseCheck !== 'ok') reasons.push(databaseCheck);
    if (pending.length) reasons.push('migrations_pending');
    // A file system that cannot say (null) is not held against readiness.
    if (free !== null && free < deps.minFreeBytes) reasons.push('disk_low');
    return {
      ready: reasons.length === 0,
      reasons,
      checks: {
        database: databaseCheck,
        migrations: pending.length ? { pending } : 'ok',
        disk: { free_mb: free === null ? null : Math.floor(free / 1048576), min_mb: Math.round(deps.minFreeBytes / 1048576) },
      },
      ...(deps.backups ? { backup: deps.backups.status() } : {}),
    };
  }

  return {
    check(): Promise<Readiness> {
      const t = Date.now();
      if (!cached || t - cached.at >= cacheMs) cached = { at: t, result: check() };
      return cached.result;
    },
  };
}
