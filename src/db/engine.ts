import { AsyncLocalStorage } from 'node:async_hooks';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type RawBuilder } from 'kysely';
import type { Pool } from 'pg';
import { beginWhenFree, writeDurably } from './busy';
import type { Db } from './open-db';
import { shareGeneration } from './generation';

type Statement = ReturnType<Db['prepare']>;

/**
 * The one seam between the app and its database engine: SQLite embedded (the default, a file in DATA_DIR) or
 * PostgreSQL (DATABASE_URL). Repos run their SQL through Kysely's `sql` tag on a `Queries` value, which compiles
 * the parameters for either dialect (`?` or `$1`); what must commit together runs in one `unitOfWork`, whose
 * transaction is passed to the repos explicitly, never found through a global.
 */
export type EngineKind = 'sqlite' | 'postgres';

/** Where a repo's SQL runs: the engine itself (each statement on its own) or one unit of work's transaction. */
// Kysely's schema types are not used: the SQL is written out, and each repo maps its own rows.
export type Queries = Kysely<any>;

export interface Engine {
  readonly kind: EngineKind;
  /** Statements outside any unit of work. */
  readonly queries: Queries;
  /**
   * Runs `work` in one transaction and commits it, or rolls it back if `work` throws. On SQLite the transaction
   * takes the write lock at once (BEGIN IMMEDIATE), so it never fails half-way for want of it.
   */
  unitOfWork<T>(work: (tx: Queries) => Promise<T>): Promise<T>;
  /** Closes what the engine opened: the pool on PostgreSQL; on SQLite nothing (the connection has its owner). */
  close(): Promise<void>;
}

/** How many distinct statements the SQLite engine keeps prepared (the app has a few hundred). */
const STATEMENT_CACHE = 500;

/**
 * Set while a unit of work runs. A statement sent to the engine's own `queries` from inside one would wait on SQLite
 * for the connection that same unit of work holds, for ever; on PostgreSQL it would run outside the transaction.
 * Either is a bug in the caller (a repo built on `engine.queries` instead of the unit of work's `tx`): it fails
 * at once, with the reason.
 */
const insideUnitOfWork = new AsyncLocalStorage<Engine>();

export class OutsideUnitOfWork extends Error {
  constructor() {
    super('a statement ran on engine.queries (or a unit of work began) inside a unit of work: build the repos on the unit of work\'s tx');
  }
}

/** Refuses to hand out a connection for `engine.queries` inside one of that engine's units of work. */
function guard<D extends Driver>(driver: D, engine: () => Engine): D {
  const acquire = driver.acquireConnection.bind(driver);
  driver.acquireConnection = async () => {
    if (insideUnitOfWork.getStore() === engine()) throw new OutsideUnitOfWork();
    return acquire();
  };
  return driver;
}

export interface SqliteEngineOptions {
  /** Syncs the WAL off the event loop (src/db/busy.ts walSyncer): commits are written unsynced, then synced by it. */
  syncWal?: (() => Promise<void>) | null;
  /** How long a write waits for another process's lock (the CLI importing), retrying with the event loop free. */
  writeDeadlineMs?: number;
}

/**
 * The engine on an open SQLite connection (src/db/open-db.ts), shared with the synchronous code that has not moved
 * to this seam yet (the residents' group commit among it).
 *
 * Writes behave as the server's synchronous writes do (src/db/busy.ts): they never wait for a lock inside SQLite,
 * which would hold the event loop, but try again a few milliseconds later until a deadline; and a durable commit
 * is written unsynced and then synced on the thread pool (`syncWal`) before it resolves.
 *
 * SQLite has one connection and so one transaction at a time: units of work take turns on it, queued on the event
 * loop. The synchronous writers do not know of that queue, so while a unit of work is open they must not write:
 * `tryWrite` sees the open transaction and answers "busy", and its callers try again, as for the CLI's lock.
 */
export function sqliteEngine(db: Db, opts: SqliteEngineOptions = {}): Engine {
  // Statements prepared once per distinct SQL text: preparing costs more than running a small query.
  const prepared = new Map<string, Statement>();
  const prepare = (text: string): Statement => {
    let stmt = prepared.get(text);
    if (!stmt) {
      stmt = db.prepare(text);
      if (prepared.size >= STATEMENT_CACHE) prepared.delete(prepared.keys().next().value as string);
      prepared.set(text, stmt);
    }
    return stmt;
  };
  const execute = <R>(compiled: CompiledQuery): QueryResult<R> => {
    const stmt = prepare(compiled.sql);
    const params = compiled.parameters as unknown[];
    if (stmt.reader) return { rows: stmt.all(params) as R[] };
    const { changes, lastInsertRowid } = stmt.run(params);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  };
  const connection: DatabaseConnection = {
    async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
      // Inside a unit of work (or a read): at once. A write on its own: politely, and durable off the event loop.
      if (db.inTransaction || prepare(compiled.sql).readonly) return execute<R>(compiled);
      return writeDurably(db, () => execute<R>(compiled), opts.syncWal, { deadlineMs: opts.writeDeadlineMs });
    },
    streamQuery() { throw new Error('not used: exports read SQLite in a thread of their own'); },
  };
  let turn: Promise<void> = Promise.resolve();
  const driver: Driver = {
    init: async () => undefined,
    // One connection, one user at a time: each waits for the one before it to release it.
    acquireConnection() {
      let release!: () => void;
      const mine = new Promise<void>((r) => { release = r; });
      const before = turn;
      turn = turn.then(() => mine);
      return before.then(() => Object.assign(Object.create(connection) as DatabaseConnection, { release }));
    },
    releaseConnection: async (conn) => { (conn as unknown as { release: () => void }).release(); },
    beginTransaction: async () => { throw new Error('use engine.unitOfWork'); },
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    destroy: async () => { prepared.clear(); },
  };
  const dialect = new (class extends SqliteDialect {
    override createDriver(): Driver { return guard(driver, () => engine); }
  })({ database: { prepare, close: () => undefined } });
  const queries: Queries = new Kysely({ dialect });
  // Writes through the seam make the caches of the synchronous code on this connection stale (src/db/generation.ts).
  shareGeneration(queries, db);

  const engine: Engine = {
    kind: 'sqlite',
    queries,
    unitOfWork: (work) => queries.connection().execute(async (conn) => {
      // BEGIN IMMEDIATE takes the write lock now or answers busy: tried again with the event loop free.
      // With a syncer, the commit is written unsynced and its WAL frames synced off the event loop below.
      const level = await beginWhenFree(db, { deadlineMs: opts.writeDeadlineMs, unsynced: !!opts.syncWal });
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await insideUnitOfWork.run(engine, () => work(conn));
        db.exec('COMMIT');
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      } finally {
        if (level !== undefined) db.pragma(`synchronous = ${level}`);
      }
      if (opts.syncWal) await opts.syncWal();
      return result;
    }),
    close: () => queries.destroy(),
  };
  return engine;
}

/** The engine on a PostgreSQL pool (src/db/postgres/pool.ts): each unit of work on a connection of its own. */
export function postgresEngine(pool: Pool): Engine {
  const dialect = new (class extends PostgresDialect {
    override createDriver(): Driver { return guard(super.createDriver(), () => engine); }
  })({ pool });
  const queries: Queries = new Kysely({ dialect });
  const engine: Engine = {
    kind: 'postgres',
    queries,
    unitOfWork: (work) => queries.transaction().execute((tx) => insideUnitOfWork.run(engine, () => work(tx))),
    close: () => queries.destroy(),
  };
  return engine;
}

/** The rows of a query. */
export async function all<T>(on: Queries, query: RawBuilder<T>): Promise<T[]> {
  return (await query.execute(on)).rows;
}

/** The first row of a query, if any. */
export async function one<T>(on: Queries, query: RawBuilder<T>): Promise<T | undefined> {
  return (await query.execute(on)).rows[0];
}

/** Runs a statement; how many rows it changed. */
export async function run(on: Queries, statement: RawBuilder<unknown>): Promise<number> {
  return Number((await statement.execute(on)).numAffectedRows ?? 0);
}
