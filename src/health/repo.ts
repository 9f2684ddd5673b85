import crypto from 'node:crypto';
import { sql } from 'kysely';
import { run, type Queries } from '../db/engine';

/** Two pages of padding that does not compress (PostgreSQL compresses long values): the row needs room the database may not have. */
const padding = () => crypto.randomBytes(4096).toString('hex');

/**
 * The readiness check's real write: a row with two pages of padding, inserted into settings and deleted again in
 * the caller's unit of work, so a full database or a read-only one fails it.
 */
export function createHealthRepo(on: Queries) {
  return {
    /** Writes and removes the probe row; throws what the database throws. */
    async probeWrite(): Promise<void> {
      await run(on, sql`DELETE FROM settings WHERE key = 'readyz_probe'`);
      await run(on, sql`INSERT INTO settings (key, value) VALUES ('readyz_probe', ${padding()})`);
      await run(on, sql`DELETE FROM settings WHERE key = 'readyz_probe'`);
    },
  };
}
export type HealthRepo = ReturnType<typeof createHealthRepo>;
