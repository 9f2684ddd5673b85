import { isBusy } from '../db/busy';
import type { QrRepo } from './repo';

/**
 * Counts form views per QR code in memory and writes them in one transaction every few seconds, so a
 * burst of scans costs no database write each. A crash loses at most the last interval's view counts,
 * never a submission.
 */
/**
 * `write` runs the flush's transaction; the server passes src/db/busy.ts tryWrite, which does not wait inside SQLite
 * for another writer (that would stall the event loop): the counts are kept for the next interval instead.
 */
export function createScanCounter(repo: QrRepo, flushMs = 2000, onError: (err: unknown) => void = (err) => console.error('scan counter flush failed', err),
  write: (fn: () => void) => void = (fn) => fn()) {
  let pending = new Map<number, number>();
  const flush = () => {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      write(() => repo.addScans(batch));
    } catch (err) {
      // Another writer holds the database (the CLI importing): keep the counts for the next interval.
      if (!isBusy(err)) throw err;
      for (const [id, n] of batch) pending.set(id, (pending.get(id) ?? 0) + n);
    }
  };
  const timer = setInterval(() => {
    try { flush(); } catch (err) { onError(err); }
  }, flushMs);
  timer.unref();
  return {
    record(qrCodeId: number) { pending.set(qrCodeId, (pending.get(qrCodeId) ?? 0) + 1); },
    /** Counts not yet written, for pages that show live figures. */
    pendingFor: (qrCodeId: number) => pending.get(qrCodeId) ?? 0,
    flush,
    stop() { clearInterval(timer); flush(); },
  };
}
export type ScanCounter = ReturnType<typeof createScanCounter>;
