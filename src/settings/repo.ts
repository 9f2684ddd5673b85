import { sql } from 'kysely';
import { one, run, type Queries } from '../db/engine';

/** Values the app keeps for itself in the database (the form secret shared by every app server). */
export function createSettingsRepo(on: Queries) {
  const get = async (key: string): Promise<string | undefined> =>
    (await one<{ value: string }>(on, sql`SELECT value FROM settings WHERE key = ${key}`))?.value;
  return {
    get,
    async set(key: string, value: string): Promise<void> {
      await run(on, sql`INSERT INTO settings (key, value) VALUES (${key}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    },
    /** The value, made and stored by the first caller: two servers starting together end up with the same one. */
    async getOrCreate(key: string, make: () => string): Promise<string> {
      await run(on, sql`INSERT INTO settings (key, value) VALUES (${key}, ${make()}) ON CONFLICT DO NOTHING`);
      return (await get(key))!;
    },
  };
}
export type SettingsRepo = ReturnType<typeof createSettingsRepo>;
