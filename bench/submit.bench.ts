/**
 * The resident submit path (GET the form, POST it: CSRF/form token, validation, multipart parsing, the insert)
 * against a bare Express route doing one better-sqlite3 insert, side by side in one run, alternating, 100
 * connections each, loading 127.0.0.1 only. Both servers run as child processes with the same SQLite settings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Benchmark, Figure } from './run';
import { dbFile, openDb } from '../src/db/open-db';
import { makeCampaign } from '../test/helpers/factories';
import { browserFormBody, hiddenFields } from '../test/helpers/resident-client';
import { startChildServer } from '../test/helpers/child-server';

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
export async function compareSubmit(synchronous: string, opts: { seconds?: number; trials?: number } = {}): Promise<SubmitComparison> {
  const seconds = opts.seconds ?? DURATION_S;
  const trials = opts.trials ?? TRIALS;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-bench-submit-'));
  const ourDir = path.join(dir, 'app');
  const baseDir = path.join(dir, 'baseline');
  fs.mkdirSync(ourDir);
  fs.mkdirSync(baseDir);
  const db = openDb({ file: dbFile(ourDir) });
  const { qrToken: token } = makeCampaign(db);
  db.close();
  const env = { LINSHENG_SYNCHRONOUS: synchronous, LINSHENG_PUBLIC_RATE_LIMIT: '100000000', LINSHENG_ADMIN_PASSWORD: 'bench-password' };
  const ours = await startChildServer({ script: 'dist/src/server.js', env: { ...env, DATA_DIR: ourDir } });
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
  const oursDb = openDb({ file: dbFile(ourDir), migrate: false });
  const stored = oursDb.prepare('SELECT COUNT(*) FROM submissions').pluck().get() as number;
  oursDb.close();
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
    ];
  },
};
