import fs from 'node:fs';
import type { Db } from '../db/open-db';
import type { Logger } from '../lib/logger';
import { copyDatabaseOnline, freshName, listBackups, NIGHTLY_PREFIX, pruneBackups } from '../db/backups';
import { errorMessage } from '../lib/errors';

const HOUR = 3600_000;
/** A day and two hours: a backup later than this was missed (the server was down at the hour, or it failed). */
export const MISSED_AFTER_MS = 26 * HOUR;

export interface BackupStatus {
  dir: string;
  /** When the newest finished backup was written (ISO), if any. */
  last: string | null;
  lastFile: string | null;
  /** The last attempt failed with this (cleared by a success). */
  lastError: string | null;
  /** True when the last one is older than 26 h, or the last attempt failed: /readyz says so without failing. */
  missed: boolean;
  next: string | null;
}

/**
 * Nightly online backups without cron: at `hour` local time, and once soon after start when the newest backup in
 * `dir` is older than a day. Keeps the newest `keep`. The copy is page-stepped (src/db/backups.ts), so requests
 * go on being served while it runs.
 */
export function createNightlyBackups(deps: {
  db: Db; dir: string; keep: number; hour: number; logger: Logger;
  now?: () => Date;
  /** Delay of the catch-up backup after start (ms). */
  catchUpDelayMs?: number;
}) {
  const now = deps.now ?? (() => new Date());
  const { db, dir, keep, logger } = deps;
  const startedAt = now().getTime();
  let timer: NodeJS.Timeout | undefined;
  let next: Date | null = null;
  let lastError: string | null = null;
  let running: Promise<string | undefined> | undefined;
  let stopped = false;

  const newest = () => listBackups(dir, NIGHTLY_PREFIX)[0];

  async function runOnce(): Promise<string | undefined> {
    const started = Date.now();
    const target = freshName(dir, NIGHTLY_PREFIX, now());
    try {
      await copyDatabaseOnline(db, target);
      const removed = pruneBackups(dir, NIGHTLY_PREFIX, keep);
      lastError = null;
      logger.info({ file: target, bytes: fs.statSync(target).size, ms: Date.now() - started, removed: removed.length }, 'nightly backup written');
      return target;
    } catch (err) {
      lastError = errorMessage(err);
      if (!stopped) logger.error({ err, dir }, 'nightly backup failed');
      return undefined;
    }
  }

  /** One backup now (or the one under way). */
  function backupNow(): Promise<string | undefined> {
    running ??= runOnce().finally(() => { running = undefined; });
    return running;
  }

  function schedule(at: Date) {
    if (stopped) return;
    next = at;
    clearTimeout(timer);
    // setTimeout takes at most ~24.8 days; a day is far below that.
    timer = setTimeout(() => {
      void backupNow().finally(() => schedule(nextAt(now(), deps.hour)));
    }, Math.max(0, at.getTime() - now().getTime()));
    timer.unref();
  }

  return {
    backupNow,
    /** Schedules the nightly run, and a catch-up run shortly after start when the newest backup is over a day old. */
    start() {
      const last = newest();
      if (!last || now().getTime() - last.mtimeMs > 24 * HOUR) {
        schedule(new Date(now().getTime() + (deps.catchUpDelayMs ?? 60_000)));
      } else {
        schedule(nextAt(now(), deps.hour));
      }
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    status(): BackupStatus {
      const last = newest();
      const t = now().getTime();
      const missed = lastError !== null || (last ? t - last.mtimeMs > MISSED_AFTER_MS : t - startedAt > MISSED_AFTER_MS);
      return {
        dir, last: last ? new Date(last.mtimeMs).toISOString() : null, lastFile: last?.file ?? null,
        lastError, missed, next: next ? next.toISOString() : null,
      };
    },
  };
}
export type NightlyBackups = ReturnType<typeof createNightlyBackups>;

/** The next time the local clock shows `hour`:00 after `from`. */
export function nextAt(from: Date, hour: number): Date {
  const at = new Date(from);
  at.setHours(hour, 0, 0, 0);
  if (at.getTime() <= from.getTime()) at.setDate(at.getDate() + 1);
  return at;
}
