import { postgresEngine, sqliteEngine, type Engine } from './engine';
import { openReader } from './reader';

/**
 * Where the database is, as a plain value: it crosses into a worker thread (structured clone) and comes from the
 * settings. A SQLite file in DATA_DIR, or a PostgreSQL server's URL (DATABASE_URL).
 */
export type EngineSpec = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export class ReadOnlyEngine extends Error {
  constructor() {
    super('a unit of work began on a read-only engine (src/db/engine-spec.ts openReadOnlyEngine)');
  }
}

/**
 * An engine of its own that only reads, for a worker thread (an export): on SQLite a read-only connection to the
 * file (src/db/reader.ts), beside the server's, with no WAL syncer (it never commits); on PostgreSQL a pool of one
 * connection whose transactions are read-only. A unit of work on it is refused. `close()` closes what it opened.
 */
export async function openReadOnlyEngine(spec: EngineSpec): Promise<Engine> {
  const refuse = (): Promise<never> => Promise.reject(new ReadOnlyEngine());
  if (spec.kind === 'sqlite') {
    const db = openReader(spec.file);
    const engine = sqliteEngine(db);
    return {
      ...engine,
      unitOfWork: refuse,
      async close() {
        try { await engine.close(); } finally { db.close(); }
      },
    };
  }
  // Loaded only here: a thread reading SQLite does not load pg.
  const { createPgPool } = await import('./postgres/pool');
  const pool = createPgPool(spec.url, { max: 1, options: '-c default_transaction_read_only=on' });
  const engine = postgresEngine(pool);
  return { ...engine, unitOfWork: refuse };
}
