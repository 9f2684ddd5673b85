import { sql } from 'kysely';
import { all, run, type Queries } from './engine';

/** One client's count in one server's current window. */
export interface ClientWindow { client: string; hits: number; resetAt: number }

/** SQL of the rate limits' shared counts (src/http/shared-counts.ts; migration 098). */
export function createRateCountRepo(on: Queries) {
  return {
    /** Writes this server's current counts (absolute, so writing one twice changes nothing). */
    async publish(limiter: string, server: string, windows: readonly ClientWindow[]): Promise<void> {
      for (const w of windows) {
        await run(on, sql`INSERT INTO rate_counts (limiter, client, server, hits, reset_at) VALUES (${limiter}, ${w.client}, ${server}, ${w.hits}, ${w.resetAt})
          ON CONFLICT (limiter, client, server) DO UPDATE SET hits = excluded.hits, reset_at = excluded.reset_at`);
      }
    },
    /** The other servers' counts whose windows have not ended, summed per client. */
    othersOf: async (limiter: string, server: string, now: number): Promise<Map<string, number>> =>
      new Map((await all<{ client: string; hits: number }>(on, sql`SELECT client, SUM(hits) AS hits FROM rate_counts
        WHERE limiter = ${limiter} AND server <> ${server} AND reset_at > ${now} GROUP BY client`)).map((r) => [r.client, r.hits])),
    /** Drops ended windows; how many. */
    purge: (now: number): Promise<number> => run(on, sql`DELETE FROM rate_counts WHERE reset_at <= ${now}`),
  };
}
export type RateCountRepo = ReturnType<typeof createRateCountRepo>;
