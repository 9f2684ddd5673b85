import { closeSync, fsyncSync, openSync, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createHistogram } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Db } from './open-db';
import { insideOpenUnitOfWork, UnitOfWorkOpen, WaitsForItself } from './unit-of-work-context';

/**
 * Sharing the database file with another writer (the CLI's import, a backup, sqlite3) politely. SQLite lets one
 * writer in at a time; its own busy handler waits by sleeping, which on the server would freeze the event loop
 * for every resident. Server writes on the residents' path therefore ask for the lock without waiting and, when
 * it is taken, try again a few milliseconds later with the event loop free, until a deadline.
 */

/**
 * The longest pause between two attempts: shorter than the CLI's pause between its transactions (CLI_PAUSE_MS). A
 * failed attempt costs microseconds; a late one adds its lateness to every resident of the batch waiting.
 */
export const RETRY_MAX_MS = 4;
/**
 * The command line's pause after each short transaction, so a live server's waiting writes get the lock: longer
 * than RETRY_MAX_MS, and about what a chunk of COMMIT_CHUNK_ROWS holds the lock (the CLI gives way about half of
 * its time).
 */
export const CLI_PAUSE_MS = 6;
/** The command line waits this long for the server's (short) transactions before giving up. */
export const CLI_BUSY_TIMEOUT_MS = 60_000;

/** How long a write waits for another writer before giving up (the CLI holds the lock for milliseconds at a time). */
export const WRITE_DEADLINE_MS = 20_000;

export function isBusy(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/** How long this connection waits inside SQLite for another connection's lock before failing with SQLITE_BUSY. */
export function setBusyTimeout(db: Db, ms: number): void {
  db.pragma(`busy_timeout = ${ms}`);
}

/** Runs `fn` with the connection waiting at most `ms` for a lock, then gives it back its own timeout. */
export function withBusyTimeout<T>(db: Db, ms: number, fn: () => T): T {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  setBusyTimeout(db, ms);
  try {
    return fn();
  } finally {
    setBusyTimeout(db, timeout);
  }
}

/**
 * Whether another connection (the server, another command, sqlite3) has the database file open: SQLite grants an
 * exclusive lock only when none has. False for a file it cannot lock for another reason (a damaged one, say).
 */
export function openElsewhere(file: string): boolean {
  let probe: Database.Database | undefined;
  try {
    probe = new Database(file, { fileMustExist: true });
    probe.pragma('busy_timeout = 0');
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('BEGIN EXCLUSIVE');
    probe.exec('COMMIT');
    return false;
  } catch (err) {
    return isBusy(err);
  } finally {
    probe?.close();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => { setTimeout(resolve, ms); });

/** How a write is committed: `durable` (the connection's level, FULL by default) or `unsynced` (see withoutSync). */
export interface WriteOptions { deadlineMs?: number; unsynced?: boolean }

/**
 * Runs `fn` with commits that do not wait for the disk (synchronous = NORMAL), then restores the connection's level.
 * In WAL mode such a commit survives a crash of the process (kill -9) but not a power cut, and the next durable
 * commit on the database (a resident's submission, the import's report) syncs it too. For the chunks of an
 * import, which confirming again re-imports without duplicates: an fsync per chunk held the event loop for tens of
 * milliseconds and filled the disk queue that residents' commits wait in.
 */
export function withoutSync<T>(db: Db, fn: () => T): T {
  const level = db.pragma('synchronous', { simple: true }) as number; // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA
  if (level <= 1) return fn();
  db.pragma('synchronous = NORMAL');
  try {
    return fn();
  } finally {
    db.pragma(`synchronous = ${level}`);
  }
}

/** Runs `fn` once in a write transaction taken without waiting inside SQLite; throws SQLITE_BUSY if the lock is taken. */
export function tryWrite<T>(db: Db, fn: () => T, opts: Pick<WriteOptions, 'unsynced'> = {}): T {
  // A unit of work of the asynchronous seam (src/db/engine.ts) holds the connection's transaction across turns of
  // the event loop: writing now would join it, and its rollback would take this write with it. Busy, as for the CLI
  // (and a bug, refused at once, when the code waiting is inside that unit of work).
  if (db.inTransaction) throw insideOpenUnitOfWork() ? new WaitsForItself() : new UnitOfWorkOpen();
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  if (timeout !== 0) db.pragma('busy_timeout = 0');
  try {
    // IMMEDIATE: the write lock is taken at BEGIN. A deferred transaction that reads first can fail at its first
    // write with SQLITE_BUSY_SNAPSHOT, which no waiting can cure.
    const write = () => db.transaction(fn).immediate();
    return opts.unsynced ? withoutSync(db, write) : write();
  } finally {
    if (timeout !== 0) db.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * Runs `fn` in a write transaction as soon as the lock is free, yielding the event loop between attempts (2 ms,
 * growing to RETRY_MAX_MS). Errors other than "busy" are thrown at once; "busy" only after `deadlineMs`.
 */
export function writeWhenFree<T>(db: Db, fn: () => T, opts: WriteOptions = {}): Promise<T> {
  return whenFree(() => tryWrite(db, fn, opts), opts.deadlineMs);
}

/**
 * Opens a write transaction (BEGIN IMMEDIATE) as soon as the lock is free, the same way: for a unit of work of the
 * asynchronous seam (src/db/engine.ts), which then runs its statements and commits or rolls back itself. With
 * `unsynced`, the transaction commits without waiting for the disk (SQLite fixes the level at BEGIN); the caller
 * syncs the WAL after the commit and then puts back the level returned.
 */
export function beginWhenFree(db: Db, opts: { deadlineMs?: number; unsynced?: boolean } = {}): Promise<number | undefined> {
  return whenFree(() => {
    if (db.inTransaction) throw insideOpenUnitOfWork() ? new WaitsForItself() : new UnitOfWorkOpen();
    const level = db.pragma('synchronous', { simple: true }) as number;
    const lower = opts.unsynced && level > 1;
    if (lower) db.pragma('synchronous = NORMAL');
    try {
      withBusyTimeout(db, 0, () => db.exec('BEGIN IMMEDIATE'));
    } catch (err) {
      if (lower) db.pragma(`synchronous = ${level}`);
      throw err;
    }
    return lower ? level : undefined;
  }, opts.deadlineMs);
}

/**
 * How long writes that found the lock taken waited for it, in microseconds (the benchmarks read it through
 * /internal/metrics: how much of the residents' latency another writer costs).
 */
export const writeLockWaits = createHistogram();

async function whenFree<T>(attempt: () => T, deadlineMs = WRITE_DEADLINE_MS): Promise<T> {
  const started = performance.now();
  const deadline = Date.now() + deadlineMs;
  let delay = 2;
  for (let tries = 0; ; tries++) {
    try {
      const done = attempt();
      if (tries > 0) writeLockWaits.record(Math.max(1, Math.round((performance.now() - started) * 1000)));
      return done;
    } catch (err) {
      if (!isBusy(err) || Date.now() + delay > deadline) throw err;
    }
    await sleep(delay);
    delay = Math.min(delay * 2, RETRY_MAX_MS);
  }
}

/** A blocking pause, for the command line only (it has no event loop to keep free): lets the server's writes in. */
export function pauseSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * The WAL file whose sync makes an unsynced commit durable: null in memory, outside WAL mode, or when the
 * connection's level (NORMAL, OFF) does not sync commits anyway. SQLite puts the WAL beside the real file when the
 * database's path is a symbolic link.
 */
function walToSync(db: Db): string | null {
  if (db.memory || (db.pragma('synchronous', { simple: true }) as number) < 2) return null;
  if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
  return `${realpathSync(db.name)}-wal`;
}

/**
 * Durable commits whose wait for the disk happens off the event loop. A commit at FULL calls fsync inside SQLite,
 * on the thread that runs JavaScript: under a busy disk (an import, a backup) that held every resident for up to
 * ~80 ms. Instead the group commit writes unsynced and then syncs the WAL file on libuv's thread pool, answering
 * only after that: the same guarantee (the frames of the commit are on stable storage before the receipt is
 * shown), and the event loop serves others meanwhile. The file is opened by name each time, so a WAL that SQLite
 * recreated is never missed. Null when the database is in memory or the configured level does not sync commits
 * (NORMAL, OFF): then there is nothing to wait for.
 */
export type WalSyncer = (() => Promise<void>) & {
  /** The failure that stuck, if a sync ever failed (reported by /readyz), else undefined. */
  failure(): unknown;
};

export function walSyncer(db: Db): WalSyncer | null {
  const wal = walToSync(db);
  if (!wal) return null;
  // After a failed fsync Linux may mark the pages clean and report the error only once: a later sync that succeeds
  // proves nothing. So a failure sticks, as in PostgreSQL: every durable write fails until the server restarts
  // and reads back what the disk really holds.
  let broken: unknown;
  const sync = async () => {
    if (broken) throw broken;
    try {
      const handle = await fs.open(wal, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      broken = err;
      throw err;
    }
  };
  return Object.assign(sync, { failure: () => broken });
}

/**
 * A durable write whose wait for the disk happens off the event loop: unsynced, then the WAL synced on the thread
 * pool (`syncWal`, from walSyncer) before it resolves. Without a syncer, an ordinary write at the connection's level.
 */
export async function writeDurably<T>(db: Db, fn: () => T, syncWal: (() => Promise<void>) | null | undefined): Promise<T> {
  if (!syncWal) return writeWhenFree(db, fn);
  const out = await writeWhenFree(db, fn, { unsynced: true });
  await syncWal();
  return out;
}

/**
 * Syncs the WAL file now, blocking (the command line, which has no event loop to keep free): after commits made
 * unsynced, so that they are on the disk before the command reports them done. A commit that changed nothing
 * writes no frame and so would not sync the earlier ones. Nothing to do in memory, outside WAL mode or at NORMAL.
 */
export function syncWalNow(db: Db): void {
  const wal = walToSync(db);
  if (!wal) return;
  const fd = openSync(wal, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
