/**
 * The campaign dashboard (GET /campaigns/:id/dashboard) with 1,000,000 submissions in the database, over real
 * HTTP on 127.0.0.1, as the sub-district's staff (so the scope checks run). The data is spread like a real
 * office's: 15 communities with 4 grids each, 11 categories, 6 channels, 60 days, 150 QR codes, and issues,
 * claims and ratings behind them. The figure is the median of the requests after a warm-up (p95 beside it);
 * the submissions export of one community (~66,000 rows) is timed too, as .xlsx and as CSV.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Benchmark, Figure } from './run';
import { round, serveBenchApp, type BenchServer } from './bench-http';
import { dbFile, openDb, type Db } from '../src/db/open-db';
import { postgresDatabase, type AppDatabase } from '../src/db/database';
import { freshPostgresDatabase, postgresAvailable } from '../test/helpers/postgres-server';
import { copyToPostgres, postgresSkipped } from './postgres-copy';
import { CHANNELS } from '../src/submissions/types';

const SUBMISSIONS = 1_000_000;
const COMMUNITIES = 15;
const GRIDS_PER_COMMUNITY = 4;
const QR_CODES = 150;
const DAYS = 60;
const ISSUES = 20_000;
const RUNS = 20;

/** Deterministic, so every run measures the same data. */
function prng(seed: number) {
  let x = seed >>> 0;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 4294967296; };
}

/** Picks an index with the given relative weights. */
function weighted(weights: number[], rnd: () => number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rnd() * total;
  for (let i = 0; i < weights.length; i++) { r -= weights[i]; if (r < 0) return i; }
  return weights.length - 1;
}

const TEXTS = [
  '3号楼楼道灯坏了两个星期了，晚上上下楼很危险', '小区门口电动车乱停，消防通道被堵', '垃圾桶满了没人清理，夏天味道很大',
  '希望社区能组织老年人健康讲座', '楼顶漏水，家里墙皮都掉了', '健身器材坏了好久没人修', '想给独居的母亲找人帮忙买菜',
  '晚上广场舞声音太大影响休息', '希望增加几个充电桩', '孩子放学后没人看，希望有托管班',
];

export function generate(db: Db, n = SUBMISSIONS) {
  const rnd = prng(20261125);
  const place = db.prepare('INSERT INTO places (kind, parent_id, name) VALUES (?, ?, ?)');
  const district = Number(place.run('district', null, '二七区').lastInsertRowid);
  const subdistrictId = Number(place.run('subdistrict', district, '建中街街道').lastInsertRowid);
  const communities: Array<{ id: number; grids: number[]; compounds: number[]; qr: number[]; issues: number[] }> = [];
  for (let c = 1; c <= COMMUNITIES; c++) {
    const id = Number(place.run('community', subdistrictId, `第${c}社区`).lastInsertRowid);
    const grids = Array.from({ length: GRIDS_PER_COMMUNITY }, (_, g) => Number(place.run('grid', id, `第${g + 1}网格`).lastInsertRowid));
    const compounds = [1, 2].map((k) => Number(place.run('compound', id, `${k}号院`).lastInsertRowid));
    communities.push({ id, grids, compounds, qr: [], issues: [] });
  }
  const categoryIds = db.prepare('SELECT id FROM categories ORDER BY sort_order').pluck().all() as number[];
  const campaignId = Number(db.prepare(`INSERT INTO campaigns (subdistrict_id, title, starts_on, ends_on, status)
    VALUES (?, '2026年冬季民生征求意见', '2026-01-05', '2026-03-05', 'open')`).run(subdistrictId).lastInsertRowid);
  for (const c of communities) db.prepare('INSERT INTO campaign_communities (campaign_id, community_id) VALUES (?, ?)').run(campaignId, c.id);
  for (const id of categoryIds) db.prepare('INSERT INTO campaign_categories (campaign_id, category_id) VALUES (?, ?)').run(campaignId, id);

  const qr = db.prepare('INSERT INTO qr_codes (campaign_id, token, label, place_id, scan_count) VALUES (?, ?, ?, ?, ?)');
  for (let i = 0; i < QR_CODES; i++) {
    const c = communities[i % COMMUNITIES];
    const spots = [c.id, ...c.grids, ...c.compounds];
    const placeId = spots[Math.floor(i / COMMUNITIES) % spots.length];
    c.qr.push(Number(qr.run(campaignId, `bench${i}`, `张贴点 ${i + 1}`, placeId, Math.floor(2000 + rnd() * 20000)).lastInsertRowid));
  }

  // Issues first, so submissions can point at one of their community's issues.
  const statuses = ['new', 'accepted', 'on_menu', 'claimed', 'in_progress', 'resolved', 'declined'];
  const statusWeights = [10, 8, 6, 6, 10, 55, 5];
  const issue = db.prepare(`INSERT INTO issues (campaign_id, title, category_id, community_id, priority, status, resolved_at)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const item = db.prepare("INSERT INTO service_items (community_id, issue_id, title, published_at) VALUES (?, ?, ?, '2026-02-01T00:00:00Z')");
  const claim = db.prepare('INSERT INTO claims (service_item_id, claimer_user_id, status) VALUES (?, ?, ?)');
  const user = db.prepare("INSERT INTO users (username, display_name, password_hash, role, claimer_kind) VALUES (?, ?, 'unused', 'claimer', ?)");
  const claimers = [
    ...Array.from({ length: 409 }, (_, i) => Number(user.run(`member${i}`, `党员${i}`, 'member').lastInsertRowid)),
    ...Array.from({ length: 24 }, (_, i) => Number(user.run(`unit${i}`, `共建单位${i}`, 'unit').lastInsertRowid)),
  ];
  for (let i = 0; i < ISSUES; i++) {
    const c = communities[i % COMMUNITIES];
    const status = statuses[weighted(statusWeights, rnd)];
    const id = Number(issue.run(campaignId, TEXTS[i % TEXTS.length].slice(0, 12), categoryIds[i % categoryIds.length], c.id,
      1 + Math.floor(rnd() * 3), status, status === 'resolved' ? '2026-02-20T02:00:00.000Z' : null).lastInsertRowid);
    c.issues.push(id);
    if (['claimed', 'in_progress', 'resolved'].includes(status)) {
      const itemId = Number(item.run(c.id, id, '菜单事项').lastInsertRowid);
      claim.run(itemId, claimers[Math.floor(rnd() * claimers.length)], status === 'resolved' ? 'done' : 'claimed');
    }
  }

  // Sequential receipt codes and keys: only their uniqueness matters here, and in-order keys insert fast.
  const insert = db.prepare(`INSERT INTO submissions (campaign_id, qr_code_id, receipt_code, idempotency_key, kind, category_id,
      category_confidence, text, resident_name, resident_phone, community_id, grid_id, compound_id, channel, collected_on, issue_id, created_at)
    VALUES (?, ?, ?, ?, ?, ?, 0.9, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const channelWeights = [45, 20, 12, 13, 5, 5];
  const categoryWeights = [18, 16, 10, 12, 10, 6, 9, 5, 5, 4, 5];
  const start = Date.parse('2026-01-05T00:00:00Z') - 8 * 3600 * 1000;
  for (let i = 0; i < n; i++) {
    const c = communities[weighted([9, 8, 8, 7, 7, 7, 7, 6, 6, 6, 6, 6, 5, 5, 4], rnd)];
    const channel = CHANNELS[weighted(channelWeights, rnd)];
    const online = channel === 'online';
    // Received in order, as in real life (ids and times rise together), at a steady pace over the period.
    const t = start + Math.floor(((i + rnd()) / n) * DAYS * 86400000);
    const createdAt = new Date(t).toISOString();
    const collectedOn = online ? null : new Date(t + 8 * 3600 * 1000 - Math.floor(rnd() * 3) * 86400000).toISOString().slice(0, 10);
    const withContact = rnd() < 0.3;
    insert.run(
      campaignId, online ? c.qr[Math.floor(rnd() * c.qr.length)] : null, 'B' + String(i).padStart(9, '0'), 'bench-' + String(i).padStart(9, '0'),
      rnd() < 0.25 ? 'wish' : 'suggestion', rnd() < 0.03 ? null : categoryIds[weighted(categoryWeights, rnd)], TEXTS[i % TEXTS.length],
      withContact ? '王秀兰' : null, withContact ? '138' + String(10000000 + (i % 89999999)).padStart(8, '0') : null,
      c.id, c.grids[Math.floor(rnd() * c.grids.length)], rnd() < 0.3 ? c.compounds[i % 2] : null, channel, collectedOn,
      rnd() < 0.4 ? c.issues[Math.floor(rnd() * c.issues.length)] : null, createdAt,
    );
  }
  // One resident in twenty behind a resolved issue rates it.
  db.exec(`INSERT INTO feedback (submission_id, issue_id, rating)
    SELECT s.id, s.issue_id, CASE abs(random()) % 10 WHEN 0 THEN 'unsatisfied' WHEN 1 THEN 'basically' WHEN 2 THEN 'basically' ELSE 'satisfied' END
    FROM issues i JOIN submissions s ON s.issue_id = i.id WHERE i.status = 'resolved' AND s.id % 20 = 0`);
  return { campaignId, subdistrictId, communityId: communities[0].id };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];

export const benchmark: Benchmark = {
  name: 'dashboard',
  async run(): Promise<Figure[]> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-bench-dashboard-'));
    const db = openDb({ file: dbFile(dataDir), synchronous: 'OFF' });
    // Generation only: temporary structures in memory and a large page cache make a million inserts (with the
    // summary triggers of migration 040) take seconds instead of minutes; the generated rows are consistent by
    // construction, so foreign keys are checked again only for the timed part.
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -500000');
    db.pragma('foreign_keys = OFF');
    let served: BenchServer | undefined;
    try {
      const t0 = performance.now();
      const seed = db.transaction(() => generate(db))();
      const generateMs = performance.now() - t0;
      db.pragma('cache_size = -16000');
      db.pragma('foreign_keys = ON');
      if ((db.pragma('foreign_key_check') as unknown[]).length > 0) throw new Error('generated data breaks a foreign key');
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.exec('ANALYZE');

      served = await serveBenchApp(db, dataDir);
      const pages = await timePages(served, seed);
      await served.ctx.stopAll();
      const dbBytes = fs.statSync(dbFile(dataDir)).size;
      const figures: Figure[] = [
        {
          name: 'dashboard_1m_ms', value: round(pages.median), unit: 'ms', goal: '< 200', pass: pages.median < 200,
          p95_ms: round(pages.p95), cold_ms: round(pages.cold), runs: RUNS, submissions: SUBMISSIONS,
          subdistrict_median_ms: round(pages.subdistrict), generate_s: round(generateMs / 1000), db_mb: Math.round(dbBytes / 1048576),
        },
        { name: 'export_xlsx_ms', value: Math.round(pages.xlsxMs), unit: 'ms', rows: pages.exportRows, rows_per_s: Math.round(pages.exportRows / (pages.xlsxMs / 1000)) },
        { name: 'export_csv_ms', value: Math.round(pages.csvMs), unit: 'ms', rows: pages.exportRows, rows_per_s: Math.round(pages.exportRows / (pages.csvMs / 1000)) },
      ];
      await served.close();
      served = undefined;
      return [...figures, ...await onPostgres(db, dataDir, seed)];
    } finally {
      await served?.close();
      db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

type Seed = ReturnType<typeof generate>;

/** The dashboard (cold, then RUNS times), the sub-district's, and one community's export as .xlsx and CSV. */
async function timePages(served: BenchServer, seed: Seed) {
  const { base } = served;
  const cookie = await served.staffCookie(seed.subdistrictId);
  const time = async (url: string, check: (res: Response, body: Buffer) => void): Promise<number> => {
    const start = performance.now();
    const res = await fetch(base + url, { headers: { cookie } });
    const body = Buffer.from(await res.arrayBuffer());
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`${url}: status ${res.status}`);
    check(res, body);
    return ms;
  };
  const dashboard = `/campaigns/${seed.campaignId}/dashboard`;
  const checkDashboard = (_res: Response, body: Buffer) => {
    const m = /<strong>([\d,]+)<\/strong><span>收集意见/.exec(body.toString('utf8'));
    if (!m || Number(m[1].replace(/,/g, '')) !== SUBMISSIONS) throw new Error(`dashboard shows ${m?.[1]} submissions, expected ${SUBMISSIONS}`);
  };
  const cold = await time(dashboard, checkDashboard);
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await time(dashboard, checkDashboard));
  runs.sort((a, b) => a - b);
  const subdistrict: number[] = [];
  for (let i = 0; i < 5; i++) subdistrict.push(await time(`/subdistricts/${seed.subdistrictId}/dashboard`, () => undefined));
  subdistrict.sort((a, b) => a - b);
  let exportRows = 0;
  const xlsxMs = await time(`/campaigns/${seed.campaignId}/submissions.xlsx?community=${seed.communityId}`, (_r, body) => {
    if (body.subarray(0, 2).toString() !== 'PK') throw new Error('xlsx export is not a zip');
  });
  const csvMs = await time(`/campaigns/${seed.campaignId}/submissions.csv?community=${seed.communityId}`, (_r, body) => {
    exportRows = body.toString('utf8').split('\r\n').length - 2;
  });
  return { cold, median: quantile(runs, 0.5), p95: quantile(runs, 0.95), subdistrict: quantile(subdistrict, 0.5), xlsxMs, csvMs, exportRows };
}

/**
 * The same rows copied into PostgreSQL (bench/postgres-copy.ts) and the same pages timed there, printed beside the
 * SQLite figures without goals (the goals are the embedded default's). Skipped, and said so, without a server.
 */
async function onPostgres(db: Db, dataDir: string, seed: Seed): Promise<Figure[]> {
  if (!postgresAvailable()) return [postgresSkipped('dashboard_postgres')];
  const target = await freshPostgresDatabase();
  let served: BenchServer | undefined;
  let database: AppDatabase | undefined;
  try {
    const copyS = await copyToPostgres(db, target.url);
    database = await postgresDatabase(target.url);
    served = await serveBenchApp(database, fs.mkdtempSync(path.join(dataDir, 'postgres-')));
    const pages = await timePages(served, seed);
    await served.ctx.stopAll();
    return [
      {
        name: 'dashboard_postgres_1m_ms', value: round(pages.median), unit: 'ms', p95_ms: round(pages.p95), cold_ms: round(pages.cold),
        runs: RUNS, submissions: SUBMISSIONS, subdistrict_median_ms: round(pages.subdistrict), copy_s: round(copyS),
      },
      { name: 'export_postgres_xlsx_ms', value: Math.round(pages.xlsxMs), unit: 'ms', rows: pages.exportRows },
      { name: 'export_postgres_csv_ms', value: Math.round(pages.csvMs), unit: 'ms', rows: pages.exportRows },
    ];
  } finally {
    await served?.close();
    await database?.close();
    await target.drop();
  }
}
