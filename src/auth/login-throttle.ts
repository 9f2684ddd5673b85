import { isBusy } from '../db/busy';
import type { LoginFailureRepo } from './repo';

/**
 * Slows down password guessing against one account, from however many clients, without ever locking the account:
 * a lock would let anyone shut a colleague out by typing wrong passwords for their username. After FREE_FAILURES
 * wrong passwords for a username within WINDOW_MS, each further attempt for that username first waits
 * 1 s, 2 s, 4 s … up to MAX_DELAY_MS. The rightful user still gets in (after at most MAX_DELAY_MS), while a guesser
 * gets a handful of tries a minute per account on top of the per-client rate limit. A successful login clears it.
 * Unknown usernames are counted the same way, so the delay tells nothing about which accounts exist.
 */
export const FREE_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
export const MAX_DELAY_MS = 8_000;
/** Bounded memory: beyond this many tracked usernames the oldest entries are forgotten. */
const MAX_TRACKED = 10_000;

export interface FailureEntry { failures: number; lastAt: number }

/**
 * Where the counts live: the database on a server (src/auth/repo.ts createLoginFailureRepo), so every app server
 * counts the same failures; memory in unit tests.
 */
export interface FailureStore {
  get(key: string): FailureEntry | undefined;
  set(key: string, entry: FailureEntry): void;
  delete(key: string): void;
}

/** Failures in this process's memory, the oldest forgotten beyond MAX_TRACKED usernames. */
export function memoryFailureStore(): FailureStore {
  const entries = new Map<string, FailureEntry>();
  return {
    get: (k) => entries.get(k),
    set(k, e) {
      entries.delete(k);
      entries.set(k, e);
      if (entries.size > MAX_TRACKED) entries.delete(entries.keys().next().value!);
    },
    delete: (k) => { entries.delete(k); },
  };
}

/**
 * The counts in the database, shared by every app server. `write` runs a write without waiting inside SQLite
 * (src/db/busy.ts tryWrite); a busy database loses that one count, which slows a guesser a little less for once.
 */
export function databaseFailureStore(repo: LoginFailureRepo, write: (fn: () => void) => void): FailureStore {
  const quietly = (fn: () => void) => {
    try {
      write(fn);
    } catch (err) {
      if (!isBusy(err)) throw err;
    }
  };
  return {
    get: (k) => repo.get(k),
    set: (k, e) => quietly(() => repo.set(k, e, e.lastAt - WINDOW_MS)),
    delete: (k) => quietly(() => repo.delete(k)),
  };
}

export function createLoginThrottle(deps: { now?: () => number; sleep?: (ms: number) => Promise<void>; maxDelayMs?: number; store?: FailureStore } = {}) {
  const now = deps.now ?? Date.now;
  const maxDelay = deps.maxDelayMs ?? MAX_DELAY_MS;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const entries = deps.store ?? memoryFailureStore();
  const key = (username: string) => username.trim().toLowerCase();

  function live(username: string): FailureEntry | undefined {
    const e = entries.get(key(username));
    if (e && now() - e.lastAt > WINDOW_MS) { entries.delete(key(username)); return undefined; }
    return e;
  }

  return {
    /** How long the next attempt for this username waits (ms). */
    delayFor(username: string): number {
      const e = live(username);
      if (!e || e.failures < FREE_FAILURES) return 0;
      return Math.min(maxDelay, 1000 * 2 ** (e.failures - FREE_FAILURES));
    },
    /** Waits the delay this username has earned, before its password is checked. */
    async wait(username: string): Promise<number> {
      const ms = this.delayFor(username);
      if (ms > 0) await sleep(ms);
      return ms;
    },
    failed(username: string): void {
      const e = live(username);
      entries.set(key(username), { failures: (e?.failures ?? 0) + 1, lastAt: now() });
    },
    succeeded(username: string): void { entries.delete(key(username)); },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
