import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { startJobThread } from '../lib/worker';
import type { Db } from './open-db';

/** How often the background thread copies the WAL into the database file. */
export const CHECKPOINT_EVERY_MS = 1000;

/**
 * Checkpoints off the event loop. SQLite checkpoints automatically in whichever connection commits once the WAL
 * passes 1000 pages: on the server that is a resident's group commit, which then writes and syncs the database
 * file on the thread that answers everyone (measured: 60–75 ms stalls during an import). With this, the server's
 * connection never checkpoints (wal_autocheckpoint = 0) and a thread of its own, on a connection of its own,
 * does it every second. The command line keeps SQLite's automatic checkpoints. When the server closes its
 * connection, SQLite checkpoints the rest.
 */
export function startCheckpointer(db: Db, everyMs = CHECKPOINT_EVERY_MS): { stop(): Promise<void> } | null {
  if (db.memory) return null;
  let thread: Worker | null = startJobThread(path.join(__dirname, 'checkpoint-thread'), 'runCheckpoints', { dbFile: db.name, everyMs });
  db.pragma('wal_autocheckpoint = 0');
  const fallBack = () => {
    // Without the thread, the connection checkpoints by itself again rather than let the WAL grow without end.
    thread = null;
    if (db.open) db.pragma('wal_autocheckpoint = 1000');
  };
  thread.once('error', fallBack);
  thread.once('exit', fallBack);
  thread.unref();
  return {
    async stop() {
      const t = thread;
      if (!t) return;
      t.off('exit', fallBack);
      t.off('error', fallBack);
      thread = null;
      const exited = new Promise<void>((resolve) => t.once('exit', () => resolve()));
      t.postMessage('stop');
      await Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())]);
      await t.terminate();
      if (db.open) db.pragma('wal_autocheckpoint = 1000');
    },
  };
}
