import type { Db } from '../db/open-db';

/**
 * The readiness check's real write: a row with two pages of padding, inserted into settings and deleted again in
 * one committed transaction, so a full database or a read-only file fails it.
 */
export function createHealthRepo(db: Db) {
  const probeInsert = db.prepare("INSERT INTO settings (key, value) VALUES ('readyz_probe', zeroblob(8192))");
  const probeDelete = db.prepare("DELETE FROM settings WHERE key = 'readyz_probe'");
  const probe = db.transaction(() => { probeDelete.run(); probeInsert.run(); probeDelete.run(); });
  return {
    /** Writes and removes the probe row; throws what SQLite throws. */
    probeWrite: (): void => probe(),
  };
}
export type HealthRepo = ReturnType<typeof createHealthRepo>;
