import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrate';

export type Db = Database.Database;

export interface OpenDbOptions {
  /** File path, or ':memory:' for tests. */
  file: string;
  synchronous?: 'FULL' | 'NORMAL' | 'EXTRA' | 'OFF';
  migrate?: boolean;
}

export function openDb(opts: OpenDbOptions): Db {
  if (opts.file !== ':memory:') fs.mkdirSync(path.dirname(opts.file), { recursive: true });
  const db = new Database(opts.file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Trigger-maintained dashboard counts use temporary structures per statement; on disk they cost ~70 µs a row.
  db.pragma('temp_store = MEMORY');
  if (opts.migrate !== false) migrate(db);
  return db;
}

export function dbFile(dataDir: string): string {
  return path.join(dataDir, 'linsheng.db');
}
