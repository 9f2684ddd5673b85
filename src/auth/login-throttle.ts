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

interface Entry { failures: number; lastAt: number }

export function createLoginThrottle(deps: { now?: () => number; sleep?: (ms: number) => Promise<void>; maxDelayMs?: number } = {}) {
  const now = deps.now ?? Date.now;
  const maxDelay = deps.maxDelayMs ?? MAX_DELAY_MS;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const entries = new Map<string, Entry>();
  const key = (username: string) => username.trim().toLowerCase();

  function live(username: string): Entry | undefined {
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
      const k = key(username);
      const e = live(username);
      entries.delete(k);
      entries.set(k, { failures: (e?.failures ?? 0) + 1, lastAt: now() });
      if (entries.size > MAX_TRACKED) entries.delete(entries.keys().next().value!);
    },
    succeeded(username: string): void { entries.delete(key(username)); },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
