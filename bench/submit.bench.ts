/**
 * The resident submit path (GET the form, POST it: CSRF/form token, validation, multipart parsing, the insert)
 * against a bare Express route doing one better-sqlite3 insert, side by side in one run, alternating, 100
 * connections each, loading 127.0.0.1 only. Both servers run as child processes with the same SQLite settings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Benchmark, Figure } from './run';
import { postgresSkipped } from './postgres-copy';
import { dbFile, openDb } from '../src/db/open-db';
import { makeCampaign } from '../test/helpers/factories';
import { browserFormBody, hiddenFields } from '../test/helpers/resident-client';
import { startChildServer } from '../test/helpers/child-server';
import { freshPostgresDatabase, postgresAvailable } from '../test/helpers/postgres-server';
import { createPgPool } from '../src/db/postgres/pool';
import type { Pool } from 'pg';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}

const CONNECTIONS = 100;
const DURATION_S = Number(process.env.BENCH_SUBMIT_SECONDS ?? 8);
const TRIALS = Number(process.env.BENCH_SUBMIT_TRIALS ?? 2);
const SYNCHRONOUS = process.env.LINSHENG_SYNCHRONOUS ?? 'FULL';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function loadBaseline(url: string, seconds = DURATION_S): Promise<AutocannonResult> {
  return autocannon({
    url: url + '/submit', connections: CONNECTIONS, duration: seconds, method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ kind: 'suggestion', text: '楼道灯坏了，晚上看不见路，希望尽快维修', building: '3号楼2单元' }).toString(),
  });
}

async function loadOurs(url: string, token: string, seconds = DURATION_S): Promise<AutocannonResult> {
  return autocannon({
    url, connections: CONNECTIONS, duration: seconds,
    requests: [
      {
        method: 'GET', path: `/q/${token}`,
        onResponse: (_status: number, body: string, context: Record<string, unknown>) => { context.hidden = hiddenFields(body); },
      },
      {
        method: 'POST', path: `/q/${token}`,
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          const form = browserFormBody({ ...(context.hidden as Record<string, string>), kind: 'suggestion', text: '楼道灯坏了，晚上看不见路，希望尽快维修', building: '3号楼2单元' });
          return { ...req, headers: { 'content-type': form.contentType }, body: form.body };
        },
      },
    ],
  });
}

export interface SubmitComparison {
  baseRps: number; oursRps: number; baseP50: number; oursP50: number; baseP99: number; oursP99: number; stored: number; errors: number;
}

/** Both servers at one durability level, alternating trials; medians of the trials. */
export async function compareSubmit(
  synchronous: string, opts: { seconds?: number; trials?: number; postgresUrl?: string } = {},
): Promise<SubmitComparison> {
  const seconds = opts.seconds ?? DURATION_S;
  const trials = opts.trials ?? TRIALS;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-bench-submit-'));
  const ourDir = path.join(dir, 'app');
  const baseDir = path.join(dir, 'baseline');
  fs.mkdirSync(ourDir);
  fs.mkdirSync(baseDir);
  const env = { LINSHENG_SYNCHRONOUS: synchronous, LINSHENG_PUBLIC_RATE_LIMIT: '100000000', LINSHENG_ADMIN_PASSWORD: 'bench-password' };
  let token: string;
  let ours: Awaited<ReturnType<typeof startChildServer>>;
  const pool = opts.postgresUrl ? createPgPool(opts.postgresUrl, { max: 2 }) : null;
  if (pool) {
    // The server upgrades the new database's schema as it starts; the campaign goes in after.
    ours = await startChildServer({ script: 'dist/src/server.js', env: { ...env, DATA_DIR: ourDir, DATABASE_URL: opts.postgresUrl! } });
    token = await seedPostgres(pool);
  } else {
    const db = openDb({ file: dbFile(ourDir) });
    token = makeCampaign(db).qrToken;
    db.close();
    ours = await startChildServer({ script: 'dist/src/server.js', env: { ...env, DATA_DIR: ourDir } });
  }
  const base = await startChildServer({ script: 'dist/bench/baseline-server.js', env: { ...env, DATA_DIR: baseDir } });
  const runs: { ours: AutocannonResult[]; base: AutocannonResult[] } = { ours: [], base: [] };
  try {
    // Warm both up, then alternate so machine noise hits both alike.
    await autocannon({ url: base.baseUrl + '/submit', connections: 10, duration: 1, method: 'POST', body: 'text=warm' });
    await loadOurs(ours.baseUrl, token, seconds).catch(() => undefined);
    for (let t = 0; t < trials; t++) {
      runs.base.push(await loadBaseline(base.baseUrl, seconds));
      runs.ours.push(await loadOurs(ours.baseUrl, token, seconds));
    }
  } finally {
    await ours.stop();
    await base.stop();
  }
  let stored: number;
  if (pool) {
    stored = Number((await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM submissions')).rows[0].n);
    await pool.end();
  } else {
    const oursDb = openDb({ file: dbFile(ourDir), migrate: false });
    stored = oursDb.prepare('SELECT COUNT(*) FROM submissions').pluck().get() as number;
    oursDb.close();
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const pick = (rs: AutocannonResult[], f: (r: AutocannonResult) => number) => median(rs.map(f));
  return {
    baseRps: pick(runs.base, (r) => r.requests.average), oursRps: pick(runs.ours, (r) => r.requests.average),
    baseP50: pick(runs.base, (r) => r.latency.p50), oursP50: pick(runs.ours, (r) => r.latency.p50),
    baseP99: pick(runs.base, (r) => r.latency.p99), oursP99: pick(runs.ours, (r) => r.latency.p99),
    stored, errors: runs.ours.reduce((n, r) => n + r.errors + r.timeouts, 0),
  };
}

export const benchmark: Benchmark = {
  name: 'submit',
  async run(): Promise<Figure[]> {
    const r = await compareSubmit(SYNCHRONOUS);
    const { baseRps, oursRps, baseP99, oursP99 } = r;
    const common = { connections: CONNECTIONS, seconds: DURATION_S, trials: TRIALS, synchronous: SYNCHRONOUS };
    return [
      { name: 'submit_baseline_rps', value: Math.round(baseRps), unit: 'req/s', ...common },
      { name: 'submit_ours_rps', value: Math.round(oursRps), unit: 'req/s', note: 'GET form + POST submission, each counted', ...common },
      { name: 'submit_ours_submissions_per_s', value: Math.round(oursRps / 2), unit: 'submissions/s', ...common },
      { name: 'submit_rps_ratio', value: +(oursRps / baseRps).toFixed(3), unit: 'ratio', goal: '>= 0.7', pass: oursRps / baseRps >= 0.7 },
      { name: 'submit_baseline_latency', value: r.baseP50, unit: 'ms p50', p99: baseP99 },
      { name: 'submit_ours_latency', value: r.oursP50, unit: 'ms p50', p99: oursP99 },
      { name: 'submit_p99_ratio', value: +(oursP99 / baseP99).toFixed(3), unit: 'ratio', goal: '<= 1.5', pass: oursP99 / baseP99 <= 1.5 },
      { name: 'submit_ours_stored', value: r.stored, unit: 'rows', errors: r.errors },
      ...await onPostgres(),
    ];
  },
};

/** One open campaign with a community and a QR code, as makeCampaign makes on SQLite; the code's token. */
async function seedPostgres(pool: Pool): Promise<string> {
  const community = (await pool.query<{ id: number }>("INSERT INTO places (kind, name) VALUES ('community', '永安社区') RETURNING id")).rows[0].id;
  const campaign = (await pool.query<{ id: number }>(`INSERT INTO campaigns (title, starts_on, ends_on, status)
    VALUES ('提交基准', '2026-01-01', '2099-12-31', 'open') RETURNING id`)).rows[0].id;
  await pool.query('INSERT INTO campaign_communities (campaign_id, community_id) VALUES ($1, $2)', [campaign, community]);
  await pool.query('INSERT INTO campaign_categories (campaign_id, category_id) SELECT $1, id FROM categories WHERE active = 1', [campaign]);
  await pool.query("INSERT INTO qr_codes (campaign_id, token, label, place_id) VALUES ($1, 'submitbenchtoken01', '永安社区公告栏', $2)", [campaign, community]);
  return 'submitbenchtoken01';
}

/**
 * The same app on PostgreSQL (DATABASE_URL; a local server from .ci/postgres.sh), against the same bare SQLite
 * baseline, alternating as above, printed beside the SQLite ones without goals: the goals are the embedded default's. Skipped, and said
 * so, without LINSHENG_TEST_DATABASE_URL.
 */
async function onPostgres(): Promise<Figure[]> {
  if (!postgresAvailable()) return [postgresSkipped('submit_postgres')];
  const database = await freshPostgresDatabase();
  try {
    const r = await compareSubmit(SYNCHRONOUS, { postgresUrl: database.url });
    return [
      { name: 'submit_postgres_rps', value: Math.round(r.oursRps), unit: 'req/s', note: 'GET form + POST submission, on PostgreSQL', connections: CONNECTIONS },
      { name: 'submit_postgres_rps_ratio', value: +(r.oursRps / r.baseRps).toFixed(3), unit: 'ratio', note: 'vs the bare SQLite baseline, alternating in the same run', baselineRps: Math.round(r.baseRps) },
      { name: 'submit_postgres_latency', value: r.oursP50, unit: 'ms p50', p99: r.oursP99 },
      { name: 'submit_postgres_p99_ratio', value: +(r.oursP99 / r.baseP99).toFixed(3), unit: 'ratio', note: 'vs the bare SQLite baseline, alternating in the same run', baselineP99: r.baseP99 },
      { name: 'submit_postgres_stored', value: r.stored, unit: 'rows', errors: r.errors },
    ];
  } finally {
    await database.drop();
  }
}
