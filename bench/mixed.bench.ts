/**
 * `npm run bench -- mixed`: residents submit continuously while staff do everything heavy at once, against the
 * real server process (compiled), on one file database:
 * - a 50,000-row CSV imported by the command line into the live database (`npx linsheng import`),
 * - a 50,000-row .xlsx uploaded, previewed (twice) and confirmed on the web,
 * - an .xlsx export of >= 100,000 submissions,
 * - 24 logins in parallel.
 * Figures: residents' p99 while all that runs / p99 of the same residents idle just before (same run); failed
 * resident requests; the longest event-loop stall and /healthz's slowest answer during it; then 40 stalled photo
 * uploads from 40 client addresses (127.0.0.2…) and the memory they add; and, on its own servers, submissions/s at
 * LINSHENG_SYNCHRONOUS=NORMAL against the bare insert baseline (bench/submit.bench.ts).
 * The busy phase runs again on PostgreSQL (the same rows, copied; the server and the CLI on DATABASE_URL), printed
 * beside SQLite's as `mixed_postgres_*` without the goals; BENCH_MIXED_POSTGRES=0 skips it.
 * Smaller runs while working on it: BENCH_MIXED_IMPORT_ROWS, BENCH_MIXED_EXPORT_ROWS, BENCH_MIXED_LOGINS, and
 * BENCH_MIXED_SUBMIT=0 to skip the NORMAL comparison.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Benchmark, Figure } from './run';
import { compareSubmit } from './submit.bench';
import { dbFile, openDb, type Db } from '../src/db/open-db';
import { PROJECT_ROOT } from '../src/paths';
import { makeCampaign } from '../test/helpers/factories';
import { chinaToday, createIntakeFixture, GENERATED_TEXTS, generatedImportCsv, generatedImportRow, IMPORT_HEADER } from '../test/helpers/intake-fixtures';
import { browserFormBody, hiddenFields } from '../test/helpers/resident-client';
import { loginOverHttp, startChildServer, type ChildServer } from '../test/helpers/child-server';
import { freshPostgresDatabase, postgresAvailable } from '../test/helpers/postgres-server';
import { copyToPostgres, postgresSkipped } from './postgres-copy';

const IMPORT_ROWS = Number(process.env.BENCH_MIXED_IMPORT_ROWS ?? 50_000);
const EXPORT_ROWS = Number(process.env.BENCH_MIXED_EXPORT_ROWS ?? 100_000);
const RESIDENTS = 20;
const IDLE_SECONDS = 8;
const LOGINS = Number(process.env.BENCH_MIXED_LOGINS ?? 24);
const STALLED = 40;
/** The priority of this process's client traffic (nice; the server runs at 0, worker threads and batch CLI at 10). */
const CLIENTS_NICE = 5;
const ADMIN_PASSWORD = 'mixed-bench-password';
const TEXTS = GENERATED_TEXTS;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const today = chinaToday;

async function writeXlsx(file: string, rows: number): Promise<void> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
  const ws = wb.addWorksheet('入户走访');
  ws.addRow(IMPORT_HEADER).commit();
  for (let i = 0; i < rows; i++) ws.addRow(generatedImportRow(i, 'X')).commit();
  ws.commit();
  await wb.commit();
}

/** >= EXPORT_ROWS submissions in the campaign the export reads, inserted directly (the setup is not measured). */
function seedSubmissions(db: Db, campaignId: number, communityId: number, n: number): void {
  db.pragma('synchronous = OFF');
  const insert = db.prepare(`INSERT INTO submissions (campaign_id, receipt_code, idempotency_key, kind, text, community_id, channel, collected_on, created_at)
    VALUES (?, ?, ?, 'suggestion', ?, ?, 'paper_survey', ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      insert.run(campaignId, `S${String(i).padStart(7, '0')}`, `seed-${i}`, `${TEXTS[i % TEXTS.length]}（样本${i}）`, communityId, today(), new Date().toISOString());
    }
  })();
}

/** Every request's time (form loads and posts), and the posts' alone: a post also waits for its commit. */
interface Resident { latencies: number[]; posts: number[]; failures: number; statuses: Record<string, number> }

/** One request on a kept-alive socket of `agent`: status and body. */
function request(agent: http.Agent, url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}):
  Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * `RESIDENTS` phones each loading the form and posting it, over and over, until `stop()` says so. Plain node:http on
 * kept-alive sockets, as phones keep theirs: the phones are not on the server's machine, so the load they generate
 * here should cost the shared two cores as little as it can (undici's fetch cost about twice as much per request).
 */
function residents(base: string, token: string): { stop: () => Promise<Resident> } {
  const out: Resident = { latencies: [], posts: [], failures: 0, statuses: {} };
  const agent = new http.Agent({ keepAlive: true, maxSockets: RESIDENTS });
  let running = true;
  const count = (k: string) => { out.statuses[k] = (out.statuses[k] ?? 0) + 1; };
  const one = async (n: number) => {
    let i = 0;
    const cookie = `ls_resident=bench-resident-${n}-xxxxxxxxxxxx`;
    while (running) {
      try {
        const t0 = performance.now();
        const page = await request(agent, `${base}/q/${token}`, { headers: { cookie } });
        out.latencies.push(performance.now() - t0);
        count(String(page.status));
        if (page.status !== 200) { out.failures++; continue; }
        // As a phone's browser posts the form: multipart, with the empty photo part.
        const form = browserFormBody({ ...hiddenFields(page.body), kind: 'suggestion', text: `第${n}位居民第${++i}次：${TEXTS[i % TEXTS.length]}`, building: '3号楼' });
        const t1 = performance.now();
        const res = await request(agent, `${base}/q/${token}`, {
          method: 'POST', body: form.body,
          headers: { cookie, 'content-type': form.contentType, 'content-length': String(Buffer.byteLength(form.body)) },
        });
        out.latencies.push(performance.now() - t1);
        out.posts.push(performance.now() - t1);
        count(String(res.status));
        if (res.status !== 303) out.failures++;
      } catch (err) {
        out.failures++;
        count(String((err as Error).message));
      }
    }
  };
  const all = Array.from({ length: RESIDENTS }, (_, n) => one(n));
  return { stop: async () => { running = false; await Promise.all(all); agent.destroy(); return out; } };
}

/**
 * Polls /healthz every 100 ms, the way a load balancer's probe does: from a process of its own, so the figure is the
 * server's answer time and not also the stalls of this process, which is busy generating all the load (20 residents'
 * pages to parse, a 7.5 MB download, a 2.5 MB upload). The slowest answer.
 */
function healthWatch(base: string): { reset: () => void; stop: () => Promise<number>; kill: () => void } {
  const script = `
    const http = require('node:http');
    let max = 0, running = true;
    process.stdin.on('data', (d) => { if (String(d).startsWith('reset')) max = 0; else running = false; });
    (async () => {
      while (running) {
        const t0 = performance.now();
        await new Promise((resolve) => {
          const req = http.get(process.argv[1] + '/healthz', { agent: false }, (res) => { res.resume(); res.on('end', resolve); });
          req.on('error', resolve);
        });
        max = Math.max(max, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
      process.stdout.write(JSON.stringify({ max }), () => process.exit(0));
    })();`;
  const proc = spawn(process.execPath, ['-e', script, base], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    reset: () => { proc.stdin.write('reset\n'); },
    kill: () => { proc.kill(); },
    stop: async () => {
      proc.stdin.write('stop\n');
      await exited;
      return (JSON.parse(out) as { max: number }).max;
    },
  };
}

interface Metrics { eventLoopMaxMs: number; rssMb: number; lockWaits: number; lockWaitP99Ms: number; lockWaitMaxMs: number }
const metrics = async (base: string, reset = false) =>
  (await (await fetch(`${base}/internal/metrics${reset ? '?reset=1' : ''}`)).json()) as Metrics;

/** A staff session: the admin logged in, with the CSRF token of its session. */
const adminSession = (base: string) => loginOverHttp(base, 'admin', ADMIN_PASSWORD);

async function loginsInParallel(base: string): Promise<number> {
  const results = await Promise.all(Array.from({ length: LOGINS }, async (_, i) => {
    const pre = `mixedbenchlogin${String(i).padStart(12, '0')}`;
    try {
      const res = await fetch(`${base}/login`, {
        method: 'POST', redirect: 'manual', headers: { cookie: `ls_pre=${pre}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: pre, username: 'admin', password: ADMIN_PASSWORD }),
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0; // e.g. not even connected within undici's 10 s while the event loop was held
    }
  }));
  return results.filter((s) => s === 303).length;
}

async function webImport(base: string, s: { cookie: string; csrf: string }, campaignId: number, file: string) {
  const t0 = performance.now();
  const form = new FormData();
  form.set('campaignId', String(campaignId));
  form.set('channel', 'door_to_door');
  form.set('file', new Blob([fs.readFileSync(file)]), 'mixed.xlsx');
  let up: Response;
  try {
    up = await fetch(`${base}/intake/import?_csrf=${encodeURIComponent(s.csrf)}`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: s.cookie } });
  } catch (err) {
    throw new Error(`web import upload failed: ${String((err as { cause?: unknown }).cause ?? err)}`);
  }
  await up.arrayBuffer();
  const where = up.headers.get('location');
  if (up.status !== 303 || !where) throw new Error(`web import upload answered ${up.status}`);
  const uploadMs = performance.now() - t0;
  const previewMs: number[] = [];
  for (let i = 0; i < 2; i++) {
    const p0 = performance.now();
    await (await fetch(base + where, { headers: { cookie: s.cookie } })).arrayBuffer();
    previewMs.push(Math.round(performance.now() - p0));
  }
  const c0 = performance.now();
  const done = await fetch(base + where, {
    method: 'POST', redirect: 'manual', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: s.csrf, acceptOldDates: '1' }),
  });
  await done.arrayBuffer();
  return { status: done.status, uploadMs: Math.round(uploadMs), previewMs, commitMs: Math.round(performance.now() - c0) };
}

async function exportXlsx(base: string, s: { cookie: string }, campaignId: number) {
  const t0 = performance.now();
  const res = await fetch(`${base}/campaigns/${campaignId}/submissions.xlsx`, { headers: { cookie: s.cookie } });
  const bytes = (await res.arrayBuffer()).byteLength;
  return { status: res.status, bytes, ms: Math.round(performance.now() - t0) };
}

function cliImport(env: Record<string, string>, campaignId: number, file: string): Promise<{ code: number | null; ms: number; out: string }> {
  const t0 = performance.now();
  // As an operator runs it: `npx linsheng import`, on the server's database (DATA_DIR, or DATABASE_URL).
  const proc = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'linsheng.js'),
    'import', file, '--campaign', String(campaignId)], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  return new Promise((resolve) => proc.once('exit', (code) => resolve({ code, ms: Math.round(performance.now() - t0), out: out.slice(0, 2000) })));
}

/** 40 photo uploads from 40 addresses that send 7.5 MB of an 8 MB body and then stall; the memory they add. */
async function stalledUploads(s: ChildServer, token: string): Promise<{ addedMb: number; answered: number }> {
  await sleep(3000);
  const before = (await metrics(s.baseUrl)).rssMb;
  const boundary = '----mixedbenchstall';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  const sockets: net.Socket[] = [];
  let answered = 0;
  const chunk = Buffer.alloc(256 * 1024, 0xff);
  await Promise.all(Array.from({ length: STALLED }, async (_, i) => {
    const socket = net.connect({ port: s.port, host: '127.0.0.1', localAddress: `127.0.0.${2 + i}` });
    sockets.push(socket);
    socket.on('data', () => { answered++; });
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST /q/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${8 * 1024 * 1024}\r\n\r\n${head}`);
    for (let k = 0; k < 30; k++) if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r));
  }));
  await sleep(3000);
  const during = (await metrics(s.baseUrl)).rssMb;
  for (const so of sockets) so.destroy();
  return { addedMb: +(during - before).toFixed(1), answered };
}

/** Where a busy phase runs: the server's and the CLI's database settings, the campaigns and files of the setup. */
interface Setup {
  env: Record<string, string>;
  importCampaignId: number;
  residentToken: string;
  csv: string;
  xlsx: string;
}

/**
 * Residents alone, then residents beside the four staff jobs, on a server started on `setup.env`'s database. The
 * figures are named by `name`; `goals` says whether issue 10's goals apply (SQLite's run) or the figures are printed
 * beside them (PostgreSQL's).
 */
async function busyPhase(setup: Setup, name: (figure: string) => string, goals: boolean): Promise<Figure[]> {
  const goal = (g: string, pass: boolean) => (goals ? { goal: g, pass } : {});
  const synchronous = process.env.LINSHENG_SYNCHRONOUS ?? 'FULL';
  const s = await startChildServer({
    script: 'dist/src/server.js', timeoutMs: 120_000,
    env: {
      ...setup.env, LINSHENG_ADMIN_PASSWORD: ADMIN_PASSWORD, LINSHENG_PUBLIC_RATE_LIMIT: '100000000',
      LINSHENG_LOGIN_RATE_LIMIT: '100000', LINSHENG_INTERNAL_METRICS: '1', LINSHENG_SYNCHRONOUS: synchronous,
    },
  });
  const health = healthWatch(s.baseUrl);
  try {
    const session = await adminSession(s.baseUrl);
    // Everything this process does stands for phones and staff browsers, which are not on the server's machine:
    // it gives way to the server (and to the probe, started above at normal priority) for the two cores they share.
    // The CLI import, spawned later, lowers its own priority further, as `npx linsheng import` does.
    os.setPriority(CLIENTS_NICE);
    // Warm up, then residents alone.
    await residents(s.baseUrl, setup.residentToken).stop();
    const idleRun = residents(s.baseUrl, setup.residentToken);
    await sleep(IDLE_SECONDS * 1000);
    const idle = await idleRun.stop();

    // Residents again, with everything else at once.
    await metrics(s.baseUrl, true);
    health.reset();
    const busyRun = residents(s.baseUrl, setup.residentToken);
    const t0 = performance.now();
    const [cli, web, exp, logins] = await Promise.all([
      cliImport(setup.env, setup.importCampaignId, setup.csv),
      webImport(s.baseUrl, session, setup.importCampaignId, setup.xlsx),
      exportXlsx(s.baseUrl, session, setup.importCampaignId),
      loginsInParallel(s.baseUrl),
    ]);
    const busySeconds = Math.round((performance.now() - t0) / 1000);
    const busy = await busyRun.stop();
    const healthMax = await health.stop();
    // Back to normal for the servers started next, where permitted (lowering nice needs privilege); if not, the
    // stalled-upload memory does not depend on it and the NORMAL comparison runs both of its sides alike.
    try { os.setPriority(0); } catch { /* stays at CLIENTS_NICE */ }
    const after = await metrics(s.baseUrl);
    const loopMax = after.eventLoopMaxMs;

    const idleP99 = percentile(idle.latencies, 99);
    const busyP99 = percentile(busy.latencies, 99);
    const ratio = busyP99 / idleP99;
    const failures = busy.failures + idle.failures;
    return [
      {
        name: name('resident_p99_ratio'), value: +ratio.toFixed(2), unit: 'ratio', ...goal('<= 2', ratio <= 2),
        idleP99Ms: Math.round(idleP99), busyP99Ms: Math.round(busyP99), idleRequests: idle.latencies.length, busyRequests: busy.latencies.length,
        // Where the time goes: a post waits for its group commit (the write lock, the WAL sync), a form load does not.
        postsP99Ms: { idle: Math.round(percentile(idle.posts, 99)), busy: Math.round(percentile(busy.posts, 99)) },
        busySeconds, synchronous,
        // The server's writes that waited for another process's write lock (SQLite: the CLI import), and how long.
        lockWaits: after.lockWaits, lockWaitP99Ms: after.lockWaitP99Ms, lockWaitMaxMs: after.lockWaitMaxMs,
      },
      { name: name('resident_failures'), value: failures, unit: 'requests', ...goal('0', failures === 0), statuses: busy.statuses },
      { name: name('event_loop_max_ms'), value: loopMax, unit: 'ms', ...goal('<= 100', loopMax <= 100) },
      { name: name('healthz_max_ms'), value: Math.round(healthMax), unit: 'ms', ...goal('<= 300', healthMax <= 300) },
      {
        name: name('staff_work'), value: busySeconds, unit: 's', note: 'all four staff jobs, side by side with the residents',
        cliImport: { exit: cli.code, ms: cli.ms, rows: IMPORT_ROWS, ...(cli.code === 0 ? {} : { out: cli.out }) },
        webImport: { ...web, rows: IMPORT_ROWS }, export: { ...exp, rows: EXPORT_ROWS }, logins: `${logins}/${LOGINS}`,
        // Every job must have done its work on either engine: a failed one is a fault, not a figure.
        pass: cli.code === 0 && web.status === 303 && exp.status === 200 && logins === LOGINS,
      },
    ];
  } catch (err) {
    // What the server said is the first thing to read when a staff job fails.
    process.stderr.write(`mixed: server output (tail):\n${s.output().slice(-4000)}\n`);
    throw err;
  } finally {
    health.kill();
    await s.stop();
  }
}

export const benchmark: Benchmark = {
  name: 'mixed',
  async run(): Promise<Figure[]> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-bench-mixed-'));
    const figures: Figure[] = [];
    let postgres: { url: string; drop(): Promise<void> } | undefined;
    try {
      const db = openDb({ file: dbFile(dataDir) });
      const f = createIntakeFixture(db, { title: '入户走访（混合负载）' });
      db.prepare("UPDATE campaigns SET starts_on = ? WHERE id = ?").run(today(), f.campaignId);
      const resident = makeCampaign(db, { askPhoto: true, community: '永安社区' });
      seedSubmissions(db, f.campaignId, f.communities['永安社区'], EXPORT_ROWS);
      // The same rows in a PostgreSQL database, for the same busy phase there (copied before SQLite's run adds to them).
      const postgresWanted = process.env.BENCH_MIXED_POSTGRES !== '0';
      if (postgresWanted && postgresAvailable()) {
        postgres = await freshPostgresDatabase();
        await copyToPostgres(db, postgres.url);
      }
      db.close();
      const csv = path.join(dataDir, 'cli.csv');
      const xlsx = path.join(dataDir, 'web.xlsx');
      fs.writeFileSync(csv, generatedImportCsv('C', IMPORT_ROWS));
      await writeXlsx(xlsx, IMPORT_ROWS);
      const setup = { importCampaignId: f.campaignId, residentToken: resident.qrToken, csv, xlsx };

      figures.push(...await busyPhase({ ...setup, env: { DATA_DIR: dataDir } }, (n) => `mixed_${n}`, true));
      // Stalled uploads on a server of their own: after the busy phase the first one's memory is still shrinking,
      // which would hide (or invent) what the uploads add.
      const quiet = await startChildServer({
        script: 'dist/src/server.js', timeoutMs: 120_000,
        env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: ADMIN_PASSWORD, LINSHENG_PUBLIC_RATE_LIMIT: '100000000', LINSHENG_INTERNAL_METRICS: '1' },
      });
      try {
        // A few resident requests first, so the code on this path is loaded before the baseline is read.
        await residents(quiet.baseUrl, resident.qrToken).stop();
        const stalled = await stalledUploads(quiet, resident.qrToken);
        figures.push({ name: 'stalled_uploads_rss_mb', value: stalled.addedMb, unit: 'MB', goal: '<= 50', pass: stalled.addedMb <= 50, uploads: STALLED });
      } finally {
        await quiet.stop();
      }
      if (postgres) {
        // Uploads and temporary files in a directory of their own; the rows in PostgreSQL.
        const pgDir = fs.mkdtempSync(path.join(dataDir, 'postgres-'));
        figures.push(...await busyPhase({ ...setup, env: { DATA_DIR: pgDir, DATABASE_URL: postgres.url } }, (n) => `mixed_postgres_${n}`, false));
      } else if (postgresWanted) {
        figures.push(postgresSkipped('mixed_postgres'));
      }
      if (process.env.BENCH_MIXED_SUBMIT === '0') return figures;
      const cmp = await compareSubmit('NORMAL', { seconds: Number(process.env.BENCH_SUBMIT_SECONDS ?? 6), trials: Number(process.env.BENCH_SUBMIT_TRIALS ?? 2) });
      const subsRatio = (cmp.oursRps / 2) / cmp.baseRps;
      figures.push({
        name: 'submit_normal_submissions_ratio', value: +subsRatio.toFixed(3), unit: 'ratio', goal: '>= 0.5', pass: subsRatio >= 0.5,
        submissionsPerS: Math.round(cmp.oursRps / 2), baselineInsertsPerS: Math.round(cmp.baseRps),
        p99Ms: cmp.oursP99, baselineP99Ms: cmp.baseP99, p99Ratio: +(cmp.oursP99 / cmp.baseP99).toFixed(2), p99Pass: cmp.oursP99 / cmp.baseP99 <= 1.5,
        synchronous: 'NORMAL',
      });
      return figures;
    } finally {
      await postgres?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
