import { isBusy } from '../db/busy';
import type { Engine } from '../db/engine';
import { createRateCountRepo } from '../db/rate-counts';
import { randomToken } from '../lib/random';
import { ClientCounts } from './rate-limit';

/** How often each app server publishes its rate-limit counts and reads the others'. */
export const SHARE_INTERVAL_MS = 1000;

/**
 * The rate limits' counts, shared by the app servers of one database. Each server counts in memory (a resident's
 * request costs no database work) and, once a SHARE_INTERVAL_MS, writes the counts that changed and reads the
 * other servers' (src/db/rate-counts.ts). A client who spreads requests over servers is held to one limit, give or
 * take what it sends in the last interval. A busy database (the CLI importing) delays a round, nothing else.
 */
export function createSharedCounts(deps: {
  /** The database: counts are rewritten every second, so they are written without waiting for the disk (ephemeral). */
  engine: Pick<Engine, 'ephemeral'>;
  /** Whether the database is still open: an app whose database was closed without a shutdown (tests) stops sharing. */
  open: () => boolean;
  onError?: (err: unknown) => void;
  intervalMs?: number;
}) {
  /** This process among the app servers; a new one at each start. */
  const server = randomToken(12);
  const limits = new Map<string, ClientCounts>();
  const repo = createRateCountRepo(deps.engine.ephemeral);
  let purgedAt = 0;
  let sharing = false;

  /** One round: this server's changed counts out, the others' in. A round still running (a busy database) is not doubled. */
  async function share(now = Date.now()): Promise<void> {
    if (!deps.open()) { stop(); return; }
    if (sharing) return;
    sharing = true;
    try {
      for (const [name, counts] of limits) {
        const windows = counts.takeChanged(now);
        try {
          // Each statement is whole on its own (absolute counts, 500 clients to a statement): no unit of work needed,
          // so none holds the connection while the residents' writes wait.
          if (windows.length) await repo.publish(name, server, windows);
          counts.setOthers(await repo.othersOf(name, server, now));
        } catch (err) {
          counts.unpublished(windows);
          // A round the database's closing cut short (an app closed without a shutdown, as tests do) is no error.
          if (!isBusy(err) && deps.open()) deps.onError?.(err);
        }
      }
      if (now - purgedAt >= 60_000) {
        purgedAt = now;
        try { await repo.purge(now); } catch (err) { if (!isBusy(err) && deps.open()) deps.onError?.(err); }
      }
    } finally {
      sharing = false;
    }
  }
  const timer = setInterval(() => { void share(); }, deps.intervalMs ?? SHARE_INTERVAL_MS);
  timer.unref();
  function stop(): void {
    clearInterval(timer);
    for (const c of limits.values()) c.shutdown();
  }

  return {
    /** The counts of one limit (by name: every server must use the same), shared with the other servers. */
    counts(name: string): ClientCounts {
      let c = limits.get(name);
      if (!c) limits.set(name, (c = new ClientCounts()));
      return c;
    },
    share,
    stop,
  };
}
export type SharedCounts = ReturnType<typeof createSharedCounts>;
