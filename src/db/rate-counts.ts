import { sql } from 'kysely';
import { all, run, type Queries } from './engine';

/** One client's count in one server's current window. */
export interface ClientWindow { client: string; hits: number; resetAt: number }

/** Rows per INSERT (5 parameters each: SQLite allows 32,766 parameters, PostgreSQL 65,535). */
const PUBLISH_ROWS = 500;

/** SQL of the rate limits' shared counts (src/http/shared-counts.ts; migration 098). */
export function createRateCountRepo(on: Queries) {
  return {
    /**
     * Writes this server's current counts (absolute, so writing one twice changes nothing), PUBLISH_ROWS to a
     * statement: a flood of clients (thousands in a window) is a few statements, not thousands.
     */
    async publish(limiter: string, server: string, windows: readonly ClientWindow[]): Promise<void> {
      for (let i = 0; i < windows.length; i += PUBLISH_ROWS) {
        const rows = windows.slice(i, i + PUBLISH_ROWS).map((w) => sql`(${limiter}, ${w.client}, ${server}, ${w.hits}, ${w.resetAt})`);
        await run(on, sql`INSERT INTO rate_counts (limiter, client, server, hits, reset_at) VALUES ${sql.join(rows)}
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
