import { Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type RawBuilder } from 'kysely';
import Database from 'better-sqlite3';
import type { Pool } from 'pg';
import { beginWhenFree, writeWhenFree, type WalSyncer } from './busy';
import { insideOpenUnitOfWork, TRACKING, unitOfWorkContext, UnitOfWorkOpen, type OpenUnitOfWork } from './unit-of-work-context';
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

export interface UnitOfWorkOptions {
  /** SQLite: how long to wait for another process's write lock before failing busy (default: the engine's). */
  deadlineMs?: number;
  /**
   * False: the commit need not wait for the disk, because a durable commit follows it that covers it (an import's
   * chunks before its report). On SQLite its WAL is not synced; on PostgreSQL `synchronous_commit` is off for it.
   * Default true.
   */
  durable?: boolean;
  /**
   * PostgreSQL: 'read committed' for a unit of work that only inserts rows whose uniqueness a constraint guards
   * (submissions, by their key), with the dashboard's counts added by triggers. At SERIALIZABLE two such writers
   * of the same counts fail each other (40001); a writer committing chunk after chunk (an import) then starved
   * the other however often it ran again. At READ COMMITTED the second waits for the first's row lock and adds
   * to what it committed. Default 'serializable' (the services' check-then-write rules need it). SQLite: ignored.
   */
  isolation?: 'serializable' | 'read committed';
}

export interface Engine {
  readonly kind: EngineKind;
  /** Statements outside any unit of work. */
  readonly queries: Queries;
  /**
   * The same, for writes whose loss in a power cut costs nothing (the rate limits' shared counts, rewritten every
   * second): on SQLite committed without waiting for the disk. On PostgreSQL the same as `queries`.
   */
  readonly ephemeral: Queries;
  /**
   * Runs `work` in one transaction and commits it, or rolls it back if `work` throws. On SQLite the transaction
   * takes the write lock at once (BEGIN IMMEDIATE), so it never fails half-way for want of it.
   */
  unitOfWork<T>(work: (tx: Queries) => Promise<T>, opts?: UnitOfWorkOptions): Promise<T>;
  /** Closes what the engine opened: the pool on PostgreSQL; on SQLite nothing (the connection has its owner). */
  close(): Promise<void>;
}

/** How many distinct statements the SQLite engine keeps prepared (the app has a few hundred). */
const STATEMENT_CACHE = 500;

export class OutsideUnitOfWork extends Error {
  constructor() {
    super('a statement ran on engine.queries (or a unit of work began) inside a unit of work: build the repos on the unit of work\'s tx');
  }
}

/**
 * Refuses to hand out a connection for `engine.queries` inside one of that engine's units of work: on SQLite the
 * statement would wait for ever for the connection that same unit of work holds; on PostgreSQL it would run outside
 * the transaction. Either is a bug in the caller (a repo built on `engine.queries` instead of the unit of work's `tx`).
 */
function guard<D extends Driver>(driver: D, owner: object): D {
  const acquire = driver.acquireConnection.bind(driver);
  driver.acquireConnection = async () => {
    if (insideOpenUnitOfWork(owner)) throw new OutsideUnitOfWork();
    return acquire();
  };
  return driver;
}

/** Runs `work` as the unit of work of `owner`; code it leaves behind (a timer) is outside once it has ended. */
async function asUnitOfWork<T>(owner: object, work: () => Promise<T>): Promise<T> {
  if (!TRACKING) return work();
  const state: OpenUnitOfWork = { owner, open: true };
  try {
    return await unitOfWorkContext.run(state, work);
  } finally {
    state.open = false;
  }
}

export interface SqliteEngineOptions {
  /** Syncs the WAL off the event loop (src/db/busy.ts walSyncer): commits are written unsynced, then synced by it. */
  syncWal?: WalSyncer | (() => Promise<void>) | null;
  /** How long a write waits for another process's lock (the CLI importing), retrying with the event loop free. */
  writeDeadlineMs?: number;
}

/** The one connection as one user holds it: whether its unit of work has ended, and whether a WAL sync is owed. */
interface SqliteConnection extends DatabaseConnection {
  release(): void;
  /** False for `ephemeral`'s statements: their commits are not synced. */
  durable: boolean;
  /** Set when its unit of work committed or rolled back: a statement still queued on it is refused. */
  ended: boolean;
  /** A commit written unsynced: the WAL is synced after the connection is released, before the caller resumes. */
  owesSync: boolean;
}

/**
 * The engine on an open SQLite connection (src/db/open-db.ts), shared with the synchronous code that has not moved
 * to this seam yet (the residents' group commit among it).
 *
 * Writes behave as the server's synchronous writes do (src/db/busy.ts): they never wait for a lock inside SQLite,
 * which would hold the event loop, but try again a few milliseconds later until a deadline; and a durable commit
 * is written unsynced and then synced on the thread pool (`syncWal`), with the connection already free for others,
 * before it resolves.
 *
 * SQLite has one connection and so one transaction at a time: units of work take turns on it, queued on the event
 * loop. While one is open, between its statements, other code runs; the synchronous writers do not know of the queue,
 * so they are refused rather than let into that transaction, where its rollback would take their write with it:
 * `tryWrite` answers "busy" (its callers, the group commit among them, try again a few milliseconds later), and
 * every other write on the connection throws the same (gateLegacyWrites; a staff page then says to try again).
 */
export function sqliteEngine(db: Db, opts: SqliteEngineOptions = {}): Engine {
  const owner = {};
  const gate = gateLegacyWrites(db);
  // Statements prepared once per distinct SQL text: preparing costs more than running a small query.
  const prepared = new Map<string, Statement>();
  const prepare = (text: string): Statement => {
    let stmt = prepared.get(text);
    if (stmt) {
      // Least recently used goes first: move this one to the end.
      prepared.delete(text);
    } else {
      stmt = db.prepare(text);
      if (prepared.size >= STATEMENT_CACHE) prepared.delete(prepared.keys().next().value as string);
    }
    prepared.set(text, stmt);
    return stmt;
  };
  const execute = <R>(compiled: CompiledQuery): QueryResult<R> => {
    gate.engineExecuting = true;
    try {
      return executeNow<R>(compiled);
    } finally {
      gate.engineExecuting = false;
    }
  };
  const executeNow = <R>(compiled: CompiledQuery): QueryResult<R> => {
    const stmt = prepare(compiled.sql);
    const params = compiled.parameters as unknown[];
    if (stmt.reader) {
      const rows = stmt.all(params) as R[];
      // An INSERT … RETURNING is read as rows, one per row it changed (as PostgreSQL counts them): no second
      // statement to ask SQLite's changes() (one more per resident's insert in the group commit).
      return stmt.readonly ? { rows } : { rows, numAffectedRows: BigInt(rows.length) };
    }
    const { changes, lastInsertRowid } = stmt.run(params);
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) };
  };
  const syncWal = opts.syncWal ?? null;
  const brokenSync = (): unknown => (syncWal && 'failure' in syncWal ? (syncWal as WalSyncer).failure() : undefined);

  let turn: Promise<void> = Promise.resolve();
  const driver: Driver = {
    init: async () => undefined,
    // One connection, one user at a time: each waits for the one before it to release it.
    acquireConnection() {
      let release!: () => void;
      const mine = new Promise<void>((r) => { release = r; });
      const before = turn;
      turn = turn.then(() => mine);
      const conn: SqliteConnection = {
        release, durable: true, ended: false, owesSync: false,
        async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
          if (conn.ended) throw new Error('a statement ran on a unit of work that had already ended');
          // Inside this user's unit of work, or a read: at once. A write on its own: politely, unsynced, synced at release.
          if (inUnitOfWork.has(conn) || prepare(compiled.sql).readonly) return execute<R>(compiled);
          const result = await writeWhenFree(db, () => execute<R>(compiled), { deadlineMs: opts.writeDeadlineMs, unsynced: !!syncWal || !conn.durable });
          if (syncWal && conn.durable) conn.owesSync = true;
          return result;
        },
        streamQuery() { throw new Error('not used: exports read SQLite in a thread of their own'); },
      };
      return before.then(() => conn);
    },
    async releaseConnection(c) {
      const conn = c as SqliteConnection;
      conn.release();
      // After the connection is free: others read and write while this commit waits for the disk.
      if (conn.owesSync && syncWal) await syncWal();
    },
    beginTransaction: async () => { throw new Error('use engine.unitOfWork'); },
    commitTransaction: async () => undefined,
    rollbackTransaction: async () => undefined,
    destroy: async () => { prepared.clear(); },
  };
  /** The connections a unit of work holds (its statements run inside its transaction). */
  const inUnitOfWork = new WeakSet<SqliteConnection>();
  let acquiredFor: SqliteConnection | undefined;
  const guarded = guard(driver, owner);
  // Two Kysely instances on the one driver (one queue for the connection): durable statements and ephemeral ones.
  const dialect = (durable: boolean) => new (class extends SqliteDialect {
    override createDriver(): Driver {
      return {
        ...guarded,
        acquireConnection: async () => {
          const conn = (await guarded.acquireConnection()) as SqliteConnection;
          conn.durable = durable;
          return (acquiredFor = conn);
        },
        releaseConnection: (c) => guarded.releaseConnection(c),
      };
    }
  })({ database: { prepare, close: () => undefined } });
  const queries: Queries = new Kysely({ dialect: dialect(true) });
  const ephemeral: Queries = new Kysely({ dialect: dialect(false) });
  // Writes through the seam make the caches of the synchronous code on this connection stale (src/db/generation.ts).
  shareGeneration(queries, db);

  const engine: Engine = {
    kind: 'sqlite',
    queries,
    ephemeral,
    unitOfWork: (work, uowOpts) => queries.connection().execute(async (tx) => {
      const conn = acquiredFor!;
      const failed = brokenSync();
      if (failed) throw failed;
      // BEGIN IMMEDIATE takes the write lock now or answers busy: tried again with the event loop free. With a
      // syncer, the commit is written unsynced and its WAL frames synced once the connection is released.
      const durable = uowOpts?.durable !== false;
      const level = await beginWhenFree(db, { deadlineMs: uowOpts?.deadlineMs ?? opts.writeDeadlineMs, unsynced: !!syncWal || !durable });
      inUnitOfWork.add(conn);
      gate.open++;
      try {
        const result = await asUnitOfWork(owner, () => work(tx));
        db.exec('COMMIT');
        if (syncWal && durable) conn.owesSync = true;
        return result;
      } catch (err) {
        if (db.inTransaction) {
          try { db.exec('ROLLBACK'); } catch { /* SQLite rolled back already, or cannot: the error below says why */ }
        }
        throw err;
      } finally {
        gate.open--;
        conn.ended = true;
        inUnitOfWork.delete(conn);
        if (level !== undefined && !db.inTransaction) db.pragma(`synchronous = ${level}`);
      }
    }),
    close: async () => { await ephemeral.destroy(); await queries.destroy(); },
  };
  return engine;
}

/**
 * Keeps the synchronous code off a transaction that is not its own: while a unit of work is open on `db`, a write
 * from outside it (a better-sqlite3 transaction, or a statement that writes) throws UnitOfWorkOpen, which callers
 * treat as "busy" (src/db/busy.ts isBusy). Code inside the unit of work writes as before. Only statements prepared
 * after the first engine on `db` was built are watched: the composition root builds the engine before the repos.
 * Returns the count of open units of work to keep up to date.
 */
function gateLegacyWrites(db: Db): Gate {
  let gate = gates.get(db);
  if (!gate) gates.set(db, (gate = { open: 0, engineExecuting: false }));
  watchConnections();
  return gate;
}

/**
 * A write on `db` now would land in an open unit of work. The engine's own statements are marked while they run
 * (they are synchronous); everything else (a test's or a command's direct write on the connection) would land in
 * that transaction, so it is refused, from inside the unit of work too (the tests show it).
 */
function refuseOutsideWrite(db: Db): void {
  const gate = gates.get(db);
  if (gate && gate.open > 0 && !gate.engineExecuting && db.inTransaction) throw new UnitOfWorkOpen();
}

let watching = false;
/**
 * better-sqlite3's prepare and transaction, once for every connection of the process, asking the connection's gate
 * (a connection without an engine has none and is untouched). On the prototype rather than on each connection, so a
 * test's proxy or spy around a connection still sees every call.
 */
function watchConnections(): void {
  if (watching) return;
  watching = true;
  type Proto = { prepare: (this: Db, text: string) => Statement; transaction: (this: Db, fn: (...a: never[]) => unknown) => ReturnType<Db['transaction']> };
  const proto = Database.prototype as unknown as Proto;
  const prepare = proto.prepare;
  proto.prepare = function (this: Db, text: string) {
    const stmt = prepare.call(this, text);
    if (stmt.readonly || !gates.has(this)) return stmt;
    const db = this;
    // The statement's own method, looked up at each call (so a test's spy on the prototype still sees it).
    const methods = Object.getPrototypeOf(stmt) as Record<string, (...args: unknown[]) => unknown>;
    for (const m of ['run', 'get', 'all', 'iterate'] as const) {
      Object.defineProperty(stmt, m, { value: (...args: unknown[]) => { refuseOutsideWrite(db); return methods[m].apply(stmt, args); } });
    }
    return stmt;
  };
  const transaction = proto.transaction;
  proto.transaction = function (this: Db, fn: (...a: never[]) => unknown) {
    const tx = transaction.call(this, fn);
    if (!gates.has(this)) return tx;
    const db = this;
    const gated = ((...args: never[]) => { refuseOutsideWrite(db); return tx(...args); }) as typeof tx;
    for (const mode of ['default', 'deferred', 'immediate', 'exclusive'] as const) {
      const run = tx[mode];
      Object.defineProperty(gated, mode, { value: (...args: never[]) => { refuseOutsideWrite(db); return run(...args); } });
    }
    return gated;
  };
}
interface Gate {
  /** Units of work open on the connection (one at a time on SQLite, but counted). */
  open: number;
  /** True while the engine runs one of its own statements. */
  engineExecuting: boolean;
}
const gates = new WeakMap<Db, Gate>();

/** How often a PostgreSQL unit of work is run again after a serialization failure before the error stands. */
const SERIALIZATION_RETRIES = 5;

/**
 * The engine on a PostgreSQL pool (src/db/postgres/pool.ts): each unit of work on a connection of its own, at
 * SERIALIZABLE. SQLite runs one writer at a time, and the services' checks were written for that ("is this the last
 * active admin?", "is the username taken?" then the write): READ COMMITTED would let two servers both pass such a
 * check. At SERIALIZABLE PostgreSQL refuses one of them (SQLSTATE 40001) and the unit of work runs again from the
 * start, seeing the other's commit; a unit of work awaits only the database, so running it again is safe.
 */
export function postgresEngine(pool: Pool): Engine {
  const owner = {};
  const dialect = new (class extends PostgresDialect {
    override createDriver(): Driver { return guard(super.createDriver(), owner); }
  })({ pool });
  const queries: Queries = new Kysely({ dialect });
  const once = <T>(work: (tx: Queries) => Promise<T>, opts?: UnitOfWorkOptions) =>
    queries.transaction().setIsolationLevel(opts?.isolation ?? 'serializable').execute(async (tx) => {
      // The deadline bounds the wait for a lock another connection holds, as SQLite's does for the write lock.
      if (opts?.deadlineMs !== undefined) await sql`SELECT set_config('lock_timeout', ${`${Math.max(1, Math.round(opts.deadlineMs))}ms`}, true)`.execute(tx);
      if (opts?.durable === false) await sql`SET LOCAL synchronous_commit = off`.execute(tx);
      return asUnitOfWork(owner, () => work(tx));
    });
  return {
    kind: 'postgres',
    queries,
    ephemeral: queries,
    async unitOfWork(work, opts) {
      for (let attempt = 0; ; attempt++) {
        try {
          return await once(work, opts);
        } catch (err) {
          const code = (err as { code?: unknown }).code;
          if ((code !== '40001' && code !== '40P01') || attempt >= SERIALIZATION_RETRIES) throw err;
          await new Promise((r) => setTimeout(r, 2 + Math.random() * 10 * (attempt + 1)));
        }
      }
    },
    close: () => queries.destroy(),
  };
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
