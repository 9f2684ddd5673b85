/**
 * Start-up: from spawning `node dist/src/server.js` to the first 200 from /readyz, on an existing database with
 * 1,000,000 submissions (the dashboard benchmark's data, generated once into a temporary directory). The figure is
 * the median of several starts; each start is a fresh process, as after `systemctl restart`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Benchmark, Figure } from './run';
import { round } from './bench-http';
import { generate } from './dashboard.bench';
import { dbFile, openDb } from '../src/db/open-db';
import { PROJECT_ROOT } from '../src/paths';
import { freshPostgresDatabase, postgresAvailable } from '../test/helpers/postgres-server';
import { copyToPostgres, postgresSkipped } from './postgres-copy';

const STARTS = Number(process.env.BENCH_START_RUNS ?? 7);
const SUBMISSIONS = 1_000_000;

function get(port: number, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
  });
}

/** Starts the server; resolves with the ms from spawn to listening and to a ready /readyz, then stops it. */
async function timeStart(dataDir: string, env: Record<string, string> = {}): Promise<{ listenMs: number; readyMs: number }> {
  const t0 = performance.now();
  const proc = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'src', 'server.js')], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', LINSHENG_ADMIN_PASSWORD: 'bench-password', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    const { port, listenMs } = await new Promise<{ port: number; listenMs: number }>((resolve, reject) => {
      proc.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on port (\d+)/.exec(out);
        if (m) resolve({ port: Number(m[1]), listenMs: performance.now() - t0 });
      });
      proc.once('exit', (code) => reject(new Error(`server exited (${code}):\n${out}`)));
      setTimeout(() => reject(new Error('no start within 30 s:\n' + out)), 30_000).unref();
    });
    for (;;) {
      if (await get(port, '/readyz').catch(() => 0) === 200) return { listenMs, readyMs: performance.now() - t0 };
      if (performance.now() - t0 > 30_000) throw new Error('not ready within 30 s');
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    proc.kill('SIGTERM');
    await exited;
  }
}

/** One start to create the admin, then STARTS restarts timed. */
async function timeStarts(dataDir: string, env: Record<string, string> = {}) {
  await timeStart(dataDir, env);
  const runs: Array<{ listenMs: number; readyMs: number }> = [];
  for (let i = 0; i < STARTS; i++) runs.push(await timeStart(dataDir, env));
  const ready = runs.map((r) => r.readyMs).sort((a, b) => a - b);
  const listen = runs.map((r) => r.listenMs).sort((a, b) => a - b);
  return { ready, median: ready[Math.floor(ready.length / 2)], listenMedian: listen[Math.floor(listen.length / 2)] };
}

export const benchmark: Benchmark = {
  name: 'start',
  async run(): Promise<Figure[]> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-bench-start-'));
    try {
      const db = openDb({ file: dbFile(dataDir), synchronous: 'OFF' });
      // As in the dashboard benchmark: generation only, consistent by construction.
      db.pragma('cache_size = -500000');
      db.pragma('foreign_keys = OFF');
      const g0 = performance.now();
      db.transaction(() => generate(db, SUBMISSIONS))();
      const generateMs = performance.now() - g0;
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.exec('ANALYZE');
      db.close();

      const sqlite = await timeStarts(dataDir);
      const figures: Figure[] = [{
        name: 'start_ready_ms', value: round(sqlite.median), unit: 'ms', goal: '<= 1000', pass: sqlite.median <= 1000,
        min_ms: round(sqlite.ready[0]), max_ms: round(sqlite.ready.at(-1)!), listen_median_ms: round(sqlite.listenMedian),
        starts: STARTS, submissions: SUBMISSIONS, generate_s: round(generateMs / 1000),
        db_mb: Math.round(fs.statSync(dbFile(dataDir)).size / 1048576), load_avg_1m: round(os.loadavg()[0]),
      }];
      // The same rows copied into PostgreSQL, the same restarts with DATABASE_URL: printed beside, without a goal.
      if (!postgresAvailable()) {
        figures.push(postgresSkipped('start_postgres'));
        return figures;
      }
      const target = await freshPostgresDatabase();
      try {
        const source = openDb({ file: dbFile(dataDir), migrate: false });
        const copyS = await copyToPostgres(source, target.url).finally(() => source.close());
        const pg = await timeStarts(fs.mkdtempSync(path.join(dataDir, 'postgres-')), { DATABASE_URL: target.url });
        figures.push({
          name: 'start_postgres_ready_ms', value: round(pg.median), unit: 'ms', min_ms: round(pg.ready[0]), max_ms: round(pg.ready.at(-1)!),
          listen_median_ms: round(pg.listenMedian), starts: STARTS, submissions: SUBMISSIONS, copy_s: round(copyS),
        });
      } finally {
        await target.drop();
      }
      return figures;
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
