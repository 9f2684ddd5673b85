import pg from 'pg';
import type { Logger } from '../lib/logger';
import { walSyncer, type WalSyncer } from './busy';
import { postgresEngine, sqliteEngine, type Engine, type EngineKind, type SqliteEngineOptions } from './engine';
import type { EngineSpec } from './engine-spec';
import { generationOf, generationOfQueries, watchGeneration } from './generation';
import { postgresInvalidation, type Invalidation } from './invalidation';
import { loadMigrations, pendingMigrations } from './migrate';
import type { Db } from './open-db';
import { createPgPool } from './postgres/pool';
import { pendingPostgresMigrations } from './postgres/migrate';

/**
 * The database the app runs on, as the composition root (src/context.ts) takes it: the engine every repo speaks,
 * and what differs between SQLite embedded and PostgreSQL around it.
 */
export interface AppDatabase {
  readonly kind: EngineKind;
  readonly engine: Engine;
  /** SQLite only: the connection, for what only SQLite has (WAL syncs, checkpoints, file backups). */
  readonly sqlite: { readonly db: Db; readonly syncWal: WalSyncer | null } | null;
  /** Where an export thread opens an engine of its own; null for an in-memory database, which no thread can open. */
  readonly threadSpec: EngineSpec | null;
  /**
   * Moves whenever campaigns, QR codes or categories changed: on this server, or (PostgreSQL) on another, told by
   * LISTEN/NOTIFY. The residents' and categorization's caches drop what they hold when it moves.
   */
  generation(): number;
  /** The shipped migrations this database has not applied, for /readyz. */
  pendingMigrations(): string[] | Promise<string[]>;
  /** Still open (the rate counts stop sharing once it is not). */
  isOpen(): boolean;
  close(): Promise<void>;
}

/**
 * The embedded default: an open SQLite connection (src/db/open-db.ts), which the caller closes. `engineOpts` replace
 * the server's engine options (the CLI import's longer lock wait and its one WAL sync at the end); `sqlite.syncWal`
 * is then null, the caller owning the syncing.
 */
export function sqliteDatabase(db: Db, engineOpts?: SqliteEngineOptions): AppDatabase {
  // Durable commits on the residents' path and the import's wait for the disk off the event loop (src/db/busy.ts).
  const syncWal = engineOpts ? null : walSyncer(db);
  const engine = sqliteEngine(db, engineOpts ?? { syncWal });
  return {
    kind: 'sqlite', engine, sqlite: { db, syncWal },
    threadSpec: db.memory ? null : { kind: 'sqlite', file: db.name },
    generation: () => generationOf(db),
    pendingMigrations: () => pendingMigrations(db, loadMigrations()).map((m) => m.name),
    isOpen: () => db.open,
    close: () => engine.close(),
  };
}

/**
 * PostgreSQL at `url` (already migrated: src/db/postgres/migrate.ts): a pool for the engine, and a connection of its
 * own that LISTENs for the other app servers' cache invalidations.
 */
export async function postgresDatabase(url: string, opts: { logger?: Logger; poolSize?: number } = {}): Promise<AppDatabase> {
  const pool = createPgPool(url, { max: opts.poolSize ?? 10 });
  const invalidation = await postgresInvalidation({
    connect: async () => { const c = new pg.Client({ connectionString: url }); await c.connect(); return c; },
    notify: (channel, payload) => pool.query('SELECT pg_notify($1, $2)', [channel, payload]),
    onError: (err: unknown) => opts.logger?.error({ err }, 'cache invalidation (LISTEN/NOTIFY) failed'),
  });
  return postgresDatabaseOn(pool, url, invalidation);
}

/**
 * The app's database on a pool, with the invalidation its caches follow: LISTEN/NOTIFY between servers, or (one
 * process, as the tests run it) a local counter.
 */
export function postgresDatabaseOn(pool: pg.Pool, url: string, invalidation: Invalidation): AppDatabase {
  const base = postgresEngine(pool);
  // A change written here is told to the others at once. The repos bump before they write, and PostgreSQL shows a
  // unit of work's writes to others only once it commits: a server that read again at the first notice may have read
  // the old rows. So a unit of work that changed the generation bumps (and notifies) again after its commit.
  watchGeneration(base.queries, () => invalidation.bump());
  const local = () => generationOfQueries(base.queries);
  const engine: Engine = {
    ...base,
    async unitOfWork(work, o) {
      const before = local();
      try {
        return await base.unitOfWork(work, o);
      } finally {
        if (local() !== before) invalidation.bump();
      }
    },
  };
  let open = true;
  return {
    kind: 'postgres', engine, sqlite: null,
    threadSpec: { kind: 'postgres', url },
    generation: () => local() + invalidation.generation(),
    pendingMigrations: async () => (await pendingPostgresMigrations(pool)).map((m) => m.name),
    isOpen: () => open,
    close: async () => {
      open = false;
      await invalidation.close();
      await engine.close();
    },
  };
}
