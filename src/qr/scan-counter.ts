import type { Engine } from '../db/engine';
import { createQrRepo } from './repo';

/**
 * Counts form views per QR code in memory and writes them in one unit of work every few seconds, so a burst of scans
 * costs no database write each. A crash loses at most the last interval's view counts, never a submission.
 *
 * The engine writes politely (on SQLite it never waits inside SQLite for another writer, the CLI importing, but tries
 * again with the event loop free until its deadline). A flush that fails all the same is logged, and its counts are
 * kept for the next one. One flush runs at a time; scans recorded meanwhile wait for the next.
 */
export function createScanCounter(engine: Pick<Engine, 'unitOfWork'>, flushMs = 2000,
  onError: (err: unknown) => void = (err) => console.error('scan counter flush failed', err)) {
  let pending = new Map<number, number>();
  /** The counts the running flush is writing: still "not yet written" for live figures until it commits. */
  let writing = new Map<number, number>();
  let running: Promise<void> | null = null;

  const flushOnce = async (): Promise<void> => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    writing = batch;
    try {
      await engine.unitOfWork((tx) => createQrRepo(tx).addScans(batch));
    } catch (err) {
      // Kept for the next flush, with the scans recorded meanwhile.
      for (const [id, n] of batch) pending.set(id, (pending.get(id) ?? 0) + n);
      throw err;
    } finally {
      writing = new Map();
    }
  };
  /** Writes the counts recorded so far, after the flush already running if any; rejects when the write fails. */
  const flush = async (): Promise<void> => {
    while (running) await running.catch(() => undefined);
    running = flushOnce();
    try {
      await running;
    } finally {
      running = null;
    }
  };
  const timer = setInterval(() => {
    // A flush still waiting for the database is not queued behind: the next interval takes what has gathered.
    if (!running) flush().catch(onError);
  }, flushMs);
  timer.unref();
  return {
    record(qrCodeId: number) { pending.set(qrCodeId, (pending.get(qrCodeId) ?? 0) + 1); },
    /** Counts not yet written, for pages that show live figures. */
    pendingFor: (qrCodeId: number) => (pending.get(qrCodeId) ?? 0) + (writing.get(qrCodeId) ?? 0),
    flush,
    /** Stops the interval and writes what is left (a failure is logged); resolves once written. */
    async stop(): Promise<void> {
      clearInterval(timer);
      await flush().catch(onError);
    },
  };
}
export type ScanCounter = ReturnType<typeof createScanCounter>;
