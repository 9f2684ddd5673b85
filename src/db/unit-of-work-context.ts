import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which unit of work (src/db/engine.ts) the running code belongs to, to refuse at once what would otherwise hang or
 * run outside the transaction: a statement on `engine.queries` inside a unit of work, a unit of work waiting for the
 * write lock it holds. Tracked in tests only (NODE_ENV=test, or LINSHENG_CHECK_UNITS_OF_WORK=1): on Node 20 the
 * first AsyncLocalStorage.run() installs promise hooks for the rest of the process, and every await then costs
 * about 2.5 times as much (measured), which the residents' path must not pay. A module of its own because the
 * synchronous write helpers (src/db/busy.ts) ask it too.
 */
export const TRACKING = process.env.NODE_ENV === 'test' || process.env.LINSHENG_CHECK_UNITS_OF_WORK === '1';

export interface OpenUnitOfWork {
  /** The engine whose unit of work this is (another engine's does not count). */
  readonly owner: object;
  /** Cleared when the unit of work ends: code it started that runs later (a timer) is no longer inside it. */
  open: boolean;
}

export const unitOfWorkContext = new AsyncLocalStorage<OpenUnitOfWork>();

/** The unit of work of `owner` that the running code is inside, if it is still open. */
export function insideOpenUnitOfWork(owner?: object): boolean {
  if (!TRACKING) return false;
  const s = unitOfWorkContext.getStore();
  return !!s && s.open && (owner === undefined || s.owner === owner);
}

/** "Busy" because this connection's unit of work is open: wait and try again, as for another process's lock. */
export class UnitOfWorkOpen extends Error {
  readonly code = 'SQLITE_BUSY_UNIT_OF_WORK';
  constructor() { super('a unit of work holds the connection'); }
}

/** A unit of work waiting for the write lock it holds itself: a bug in the caller, refused at once. */
export class WaitsForItself extends Error {
  constructor() { super('code inside a unit of work waited for the write lock: run the write on the unit of work\'s tx'); }
}
