import Database from 'better-sqlite3';
import { registerSqlFunctions } from './functions';
import type { Db } from './open-db';

/**
 * A read-only connection for a worker thread (an export reads the live file beside the server): it waits up to 5 s
 * for a lock and has the SQL functions the schema calls. Never migrates. A module of its own so that a thread loads
 * only this, not everything opening and upgrading the database takes.
 */
export function openReader(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    registerSqlFunctions(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
