/**
 * `npm run bench -- pg-counts`: the dashboard's trigger-kept counts on PostgreSQL under concurrent writers
 * (issue 12). Every resident of a campaign adds to the same count rows (one campaign, community, day, channel,
 * kind; one QR code); on PostgreSQL, unlike SQLite, writers commit concurrently, and a single row per count would
 * be a hot row whose lock queues every commit behind the one before. The schema keeps each count in 8 shards
 * (src/db/migrations/postgres/040_dashboard_counts.sql). Measured: CLIENTS connections inserting one submission per
 * transaction for SECONDS, with the shipped shards, then on the same server with every count forced into one
 * shard (the hot row), and the ratio of the two. Needs LINSHENG_TEST_DATABASE_URL (.ci/postgres.sh); without it,
 * says it was skipped.
 */
import pg from 'pg';
import type { Benchmark, Figure } from './run';
import { createPgPool } from '../src/db/postgres/pool';
import { migratePostgres } from '../src/db/postgres/migrate';
import { freshPostgresDatabase, postgresAvailable } from '../test/helpers/postgres-server';

const CLIENTS = Number(process.env.BENCH_PG_CLIENTS ?? 16);
const SECONDS = Number(process.env.BENCH_PG_SECONDS ?? 8);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** One resident campaign with one community and one QR code; its id and the code's. */
async function seed(pool: pg.Pool): Promise<{ campaignId: number; qrCodeId: number; communityId: number }> {
  const community = (await pool.query<{ id: number }>("INSERT INTO places (kind, name) VALUES ('community', '永安社区') RETURNING id")).rows[0].id;
  const campaign = (await pool.query<{ id: number }>(`INSERT INTO campaigns (title, starts_on, ends_on, status)
    VALUES ('并发计数', '2026-01-01', '2099-12-31', 'open') RETURNING id`)).rows[0].id;
  const qr = (await pool.query<{ id: number }>(`INSERT INTO qr_codes (campaign_id, token, label, place_id)
    VALUES ($1, 'pgcountsbenchtoken', '永安社区公告栏', $2) RETURNING id`, [campaign, community])).rows[0].id;
  return { campaignId: campaign, qrCodeId: qr, communityId: community };
}

/** CLIENTS connections, each inserting one submission per transaction (autocommit) until SECONDS have passed. */
async function load(pool: pg.Pool, ids: { campaignId: number; qrCodeId: number; communityId: number }, tag: string) {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(Array.from({ length: CLIENTS }, async (_, c) => {
    const client = await pool.connect();
    try {
      while (performance.now() < end) {
        const i = n++;
        const t0 = performance.now();
        await client.query(`INSERT INTO submissions (campaign_id, qr_code_id, receipt_code, idempotency_key, kind, text, community_id)
          VALUES ($1, $2, $3, $4, 'suggestion', $5, $6)`,
        [ids.campaignId, ids.qrCodeId, `${tag}${i}`, `${tag}-${c}-${i}`, `楼道灯坏了（第${i}条）`, ids.communityId]);
        latencies.push(performance.now() - t0);
      }
    } finally {
      client.release();
    }
  }));
  return { perSecond: latencies.length / SECONDS, p99: percentile(latencies, 99) };
}

export const benchmark: Benchmark = {
  name: 'pg-counts',
  async run(): Promise<Figure[]> {
    if (!postgresAvailable()) {
      return [{ name: 'pg_counts_sharded_per_s', value: NaN, unit: 'inserts/s', skipped: 'PostgreSQL not available: set LINSHENG_TEST_DATABASE_URL (.ci/postgres.sh starts one)' }];
    }
    const db = await freshPostgresDatabase();
    const pool = createPgPool(db.url, { max: CLIENTS });
    try {
      await migratePostgres(pool);
      const ids = await seed(pool);
      await load(pool, ids, 'W'); // warm-up: plans, caches, the first shard rows
      const sharded = await load(pool, ids, 'S');
      // The same counts in one shard: what a single count row per key would do.
      // Inserts are counted per statement (migration 100), updates per row (040): both put every count in shard 0.
      const def = async (name: string) => (await pool.query<{ src: string }>('SELECT pg_get_functiondef($1::regproc) AS src', [name])).rows[0].src;
      const rowLevel = await def('submission_counts_add');
      const perStatement = await def('submission_counts_inserted');
      if (!/k smallint := s\.id % 8;/.test(rowLevel) || !perStatement.includes('(id % 8)::smallint')) throw new Error('pg-counts: the count functions changed; update how this benchmark forces one shard');
      await pool.query(rowLevel.replace(/k smallint := s\.id % 8;/, 'k smallint := 0;'));
      await pool.query(perStatement.replaceAll('(id % 8)::smallint', '0::smallint'));
      const hot = await load(pool, ids, 'H');
      const counted = (await pool.query<{ n: number }>('SELECT SUM(n) AS n FROM submission_counts_qr WHERE qr_code_id = $1', [ids.qrCodeId])).rows[0].n;
      const rows = (await pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM submissions')).rows[0].n;
      const ratio = sharded.perSecond / hot.perSecond;
      return [
        { name: 'pg_counts_sharded_per_s', value: Math.round(sharded.perSecond), unit: 'inserts/s', p99Ms: +sharded.p99.toFixed(1), clients: CLIENTS, seconds: SECONDS },
        { name: 'pg_counts_one_row_per_s', value: Math.round(hot.perSecond), unit: 'inserts/s', p99Ms: +hot.p99.toFixed(1), note: 'every count forced into one shard: the hot row' },
        {
          name: 'pg_counts_shard_gain', value: +ratio.toFixed(2), unit: 'ratio', goal: '>= 1 (shards never slower than one row)', pass: ratio >= 1,
          countsMatchRows: counted === rows,
        },
      ];
    } finally {
      await pool.end();
      await db.drop();
    }
  },
};
