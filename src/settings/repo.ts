import type { Db } from '../db/open-db';

export function createSettingsRepo(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)');
  const set = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  return {
    get: (key: string) => get.get(key)?.value,
    set: (key: string, value: string) => { set.run(key, value); },
    getOrCreate(key: string, make: () => string): string {
      insert.run(key, make());
      return get.get(key)!.value;
    },
  };
}
