import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './open-db';
import { MIGRATIONS_DIR } from '../paths';
import { errorMessage } from '../lib/errors';
import { registerSqlFunctions } from './functions';

export interface Migration { version: number; name: string; sql: string }

let shipped: Migration[] | undefined;

/** The numbered .sql files of `dir` in order; the shipped ones are read once per process. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (dir === MIGRATIONS_DIR && shipped) return shipped;
  const list = fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f, sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
  if (dir === MIGRATIONS_DIR) shipped = list;
  return list;
}

/** A migration that failed; everything of that upgrade was rolled back. The message is for the operator. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(readonly migration: string, readonly detail: string, message: string) {
    super(message);
  }
}

/** The versions already applied (none for a database without the table: a new one). Reads only. */
export function appliedVersions(db: Db): number[] {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  return table ? (db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[]) : [];
}

export function pendingMigrations(db: Db, migrations = loadMigrations()): Migration[] {
  const done = new Set(appliedVersions(db));
  return migrations.filter((m) => !done.has(m.version));
}

/**
 * Applies every migration not yet recorded, all in one transaction: SQLite's DDL (CREATE, ALTER TABLE ADD
 * COLUMN, triggers) is transactional, so a failure in any of them leaves the database exactly as it was before
 * the upgrade rather than half-way between two versions. Returns the names applied.
 */
export function migrate(db: Db, migrations = loadMigrations(), opts: { backup?: string } = {}): string[] {
  const pending = pendingMigrations(db, migrations);
  if (pending.length === 0) return [];
  // A connection opened without openDb (tests, tools) still needs the functions the migrations call.
  registerSqlFunctions(db);
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')))`);
    const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
    for (const m of pending) {
      try {
        db.exec(m.sql);
        record.run(m.version, m.name);
      } catch (err) {
        const detail = errorMessage(err);
        throw new MigrationError(m.name, detail, migrationFailedMessage(m.name, detail, opts.backup));
      }
    }
  })();
  return pending.map((m) => m.name);
}

function migrationFailedMessage(name: string, detail: string, backup?: string): string {
  return `数据库升级失败：迁移 ${name} 出错（${detail}）。这次升级的所有改动都已撤销，数据库保持升级前的样子`
    + `${backup ? `；升级前另有一份备份：${backup}` : ''}。请先换回上一版本的程序继续使用，并把这条信息告诉维护人员。 `
    + `Upgrade failed: migration ${name} failed (${detail}). All of this upgrade's changes were rolled back and the database is as it `
    + `was${backup ? `; a backup taken before the upgrade is at ${backup}` : ''}. Go back to the previous version of the program and report this message.`;
}
