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
 * Where the counts live: the database on a server (databaseFailureStore), so every app server counts the same
 * failures; memory in unit tests. `add` counts one more failure in one step (a fresh count when the last one is older
 * than the window), so two servers counting at once lose neither.
 */
export interface FailureStore {
  get(key: string): FailureEntry | undefined | Promise<FailureEntry | undefined>;
  add(key: string, now: number): void | Promise<void>;
  delete(key: string): void | Promise<void>;
}

/** Failures in this process's memory, the oldest forgotten beyond MAX_TRACKED usernames. */
export function memoryFailureStore(): FailureStore {
  const entries = new Map<string, FailureEntry>();
  return {
    get: (k) => entries.get(k),
    add(k, now) {
      const e = entries.get(k);
      entries.delete(k);
      entries.set(k, { failures: e && now - e.lastAt <= WINDOW_MS ? e.failures + 1 : 1, lastAt: now });
      if (entries.size > MAX_TRACKED) entries.delete(entries.keys().next().value!);
    },
    delete: (k) => { entries.delete(k); },
  };
}

/**
 * The counts in the database, shared by every app server. A write waits for another writer (the CLI importing)
 * without blocking the event loop (src/db/engine.ts); only past its deadline is a count lost.
 */
export function databaseFailureStore(repo: LoginFailureRepo): FailureStore {
  return {
    get: (k) => repo.get(k),
    add: (k, now) => repo.add(k, now, now - WINDOW_MS),
    delete: (k) => repo.delete(k),
  };
}

export function createLoginThrottle(deps: { now?: () => number; sleep?: (ms: number) => Promise<void>; maxDelayMs?: number; store?: FailureStore } = {}) {
  const now = deps.now ?? Date.now;
  const maxDelay = deps.maxDelayMs ?? MAX_DELAY_MS;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const entries = deps.store ?? memoryFailureStore();
  const key = (username: string) => username.trim().toLowerCase();

  async function live(username: string): Promise<FailureEntry | undefined> {
    const e = await entries.get(key(username));
    return e && now() - e.lastAt <= WINDOW_MS ? e : undefined;
  }

  return {
    /** How long the next attempt for this username waits (ms). */
    async delayFor(username: string): Promise<number> {
      const e = await live(username);
      if (!e || e.failures < FREE_FAILURES) return 0;
      return Math.min(maxDelay, 1000 * 2 ** (e.failures - FREE_FAILURES));
    },
    /** Waits the delay this username has earned, before its password is checked. */
    async wait(username: string): Promise<number> {
      const ms = await this.delayFor(username);
      if (ms > 0) await sleep(ms);
      return ms;
    },
    async failed(username: string): Promise<void> { await entries.add(key(username), now()); },
    async succeeded(username: string): Promise<void> { await entries.delete(key(username)); },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
