import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * The thread side of src/db/checkpointer.ts: a connection of its own that copies the WAL back into the database
 * file every `everyMs` (PASSIVE: it never waits for a lock and never makes a writer wait), so the server's own
 * connection never checkpoints on the event loop. Stops when told, or when its parent goes.
 */
export function runCheckpoints(job: { dbFile: string; everyMs: number }): void {
  const db = new Database(job.dbFile, { fileMustExist: true });
  db.pragma('busy_timeout = 0');
  const timer = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Busy or a passing I/O error: the next round tries again, and the WAL only grows meanwhile.
    }
  }, job.everyMs);
  parentPort!.on('message', (m: unknown) => {
    if (m !== 'stop') return;
    clearInterval(timer);
    db.close();
    parentPort!.close();
  });
}
