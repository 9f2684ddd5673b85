import type { Db } from './open-db';

/** One client's count in one server's current window. */
export interface ClientWindow { client: string; hits: number; resetAt: number }

/** SQL of the rate limits' shared counts (src/http/shared-counts.ts; migration 098). */
export function createRateCountRepo(db: Db) {
  const upsert = db.prepare(`INSERT INTO rate_counts (limiter, client, server, hits, reset_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(limiter, client, server) DO UPDATE SET hits = excluded.hits, reset_at = excluded.reset_at`);
  const others = db.prepare<[string, string, number], { client: string; hits: number }>(`SELECT client, SUM(hits) AS hits
    FROM rate_counts WHERE limiter = ? AND server <> ? AND reset_at > ? GROUP BY client`);
  const purge = db.prepare('DELETE FROM rate_counts WHERE reset_at <= ?');
  return {
    /** Writes this server's current counts (absolute, so writing one twice changes nothing). */
    publish(limiter: string, server: string, windows: readonly ClientWindow[]): void {
      for (const w of windows) upsert.run(limiter, w.client, server, w.hits, w.resetAt);
    },
    /** The other servers' counts whose windows have not ended, summed per client. */
    othersOf: (limiter: string, server: string, now: number): Map<string, number> =>
      new Map(others.all(limiter, server, now).map((r) => [r.client, r.hits])),
    /** Drops ended windows; how many. */
    purge: (now: number): number => purge.run(now).changes,
  };
}
export type RateCountRepo = ReturnType<typeof createRateCountRepo>;
