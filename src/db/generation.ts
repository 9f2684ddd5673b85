import type { Queries } from './engine';

/**
 * A per-database counter that the repos of campaigns, QR codes and categories bump on every write, so a
 * process-local cache of what those tables say (the resident form's hot path) can tell it went stale.
 */
const generations = new WeakMap<object, number>();
/** Keys that count as another: an engine's queries (and its units of work) count as the SQLite connection they run on. */
const aliases = new WeakMap<object, object>();
const keyOf = (key: object): object => aliases.get(key) ?? key;

export const generationOf = (db: object): number => generations.get(keyOf(db)) ?? 0;

/** Called after every bump of a key (PostgreSQL: the NOTIFY to the other app servers). */
const watchers = new WeakMap<object, () => void>();

export function bumpGeneration(db: object): void {
  const key = keyOf(db);
  generations.set(key, generationOf(db) + 1);
  watchers.get(key)?.();
}

/** The key of an engine's statements: the same for its `queries` and every unit of work's `tx` (one adapter). */
const queriesKey = (on: Queries): object => on.getExecutor().adapter;

/** The generation of the database `on` runs on (its engine's queries and units of work alike). */
export const generationOfQueries = (on: Queries): number => generationOf(queriesKey(on));

/** Runs `fn` after every bump made through `on`'s engine. */
export function watchGeneration(on: Queries, fn: () => void): void {
  watchers.set(keyOf(queriesKey(on)), fn);
}

/** Bumps the generation of the database `on` runs on (a repo on the asynchronous seam). */
export const bumpGenerationOf = (on: Queries): void => bumpGeneration(queriesKey(on));

/** Makes the statements of `on` count as `db` (the SQLite engine on its connection, read by the synchronous caches). */
export function shareGeneration(on: Queries, db: object): void {
  aliases.set(queriesKey(on), db);
}

/**
 * A write the caches must see: bumped before it (this process's caches stop serving what it changes at once) and
 * after it. On PostgreSQL the bump is what tells the other app servers, and a single statement outside a unit of work
 * has committed only once it returned: a server told at the first bump may have read the old row again, the second
 * bump tells it once the row is there. (A unit of work bumps again after its commit: src/db/database.ts.)
 */
export async function changing<T>(on: Queries, write: () => Promise<T>): Promise<T> {
  bumpGenerationOf(on);
  try {
    return await write();
  } finally {
    bumpGenerationOf(on);
  }
}
