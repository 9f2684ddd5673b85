/**
 * The batch print sheet of 200 posters (GET /campaigns/:id/posters), over real HTTP on 127.0.0.1, as a staff
 * user of the sub-district (so the scope checks run too). The first request draws all 200 QR codes; the
 * figure is the median of the runs after it, and the cold first render is reported beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Benchmark, Figure } from './run';
import { round, serveBenchApp, type BenchServer } from './bench-http';
import { dbFile, openDb } from '../src/db/open-db';
import { newQrToken } from '../src/qr/token';
import { createQrRepo } from '../src/qr/repo';
import { createCampaignRepo } from '../src/campaigns/repo';
import { postgresDatabase, type AppDatabase } from '../src/db/database';
import { freshPostgresDatabase, postgresAvailable } from '../test/helpers/postgres-server';
import { copyToPostgres, postgresSkipped } from './postgres-copy';

const CODES = 200;
const RUNS = 7;

export const benchmark: Benchmark = {
  name: 'posters',
  async run(): Promise<Figure[]> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-bench-posters-'));
    const db = openDb({ file: dbFile(dataDir) });
    let served: BenchServer | undefined;
    try {
      // 建中街街道: 15 communities with 4 grids and 2 compounds each; 200 codes spread over them.
      const place = db.prepare('INSERT INTO places (kind, parent_id, name) VALUES (?, ?, ?)');
      const spots: number[] = [];
      const subdistrictId = db.transaction(() => {
        const district = Number(place.run('district', null, '二七区').lastInsertRowid);
        const sub = Number(place.run('subdistrict', district, '建中街街道').lastInsertRowid);
        for (let c = 1; c <= 15; c++) {
          const community = Number(place.run('community', sub, `第${c}社区`).lastInsertRowid);
          for (let g = 1; g <= 4; g++) spots.push(Number(place.run('grid', community, `第${g}网格`).lastInsertRowid));
          for (let k = 1; k <= 2; k++) spots.push(Number(place.run('compound', community, `${k}号院`).lastInsertRowid));
        }
        return sub;
      })();
      served = await serveBenchApp(db, dataDir);
      const { base, ctx } = served;

      const communityIds = await ctx.places.communityIdsUnder(subdistrictId);
      const campaignId = await ctx.engine.unitOfWork(async (tx) => {
        const id = await createCampaignRepo(tx).create({
          subdistrictId, title: '建中街街道老旧小区改造征求意见', description: '', startsOn: '2026-01-01', endsOn: '2026-12-31',
          askPhoto: true, askContact: true, communityIds, categoryIds: [],
        }, null);
        const qrCodes = createQrRepo(tx);
        for (let i = 0; i < CODES; i++) await qrCodes.create(id, newQrToken(), `张贴点 ${i + 1}`, spots[i % spots.length]);
        return id;
      });
      const sqlite = await timeSheet(served, subdistrictId, campaignId);
      await ctx.stopAll();
      const figures: Figure[] = [{
        name: 'posters_200_ms', value: round(sqlite.median), unit: 'ms', goal: '< 1000', pass: sqlite.median < 1000 && sqlite.cold < 1000,
        cold_ms: round(sqlite.cold), runs: RUNS, codes: CODES,
      }];
      await served.close();
      served = undefined;
      // The same campaign and codes copied into PostgreSQL, the same sheet there: printed beside, without a goal.
      if (!postgresAvailable()) {
        figures.push(postgresSkipped('posters_postgres'));
        return figures;
      }
      const target = await freshPostgresDatabase();
      let database: AppDatabase | undefined;
      try {
        await copyToPostgres(db, target.url);
        database = await postgresDatabase(target.url);
        served = await serveBenchApp(database, fs.mkdtempSync(path.join(dataDir, 'postgres-')));
        const pg = await timeSheet(served, subdistrictId, campaignId);
        await served.ctx.stopAll();
        figures.push({ name: 'posters_postgres_200_ms', value: round(pg.median), unit: 'ms', cold_ms: round(pg.cold), runs: RUNS, codes: CODES });
      } finally {
        await served?.close();
        served = undefined;
        await database?.close();
        await target.drop();
      }
      return figures;
    } finally {
      await served?.close();
      db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

/** The print sheet of the campaign's codes: once cold, then RUNS times; the median of those. */
async function timeSheet(served: BenchServer, subdistrictId: number, campaignId: number) {
  const cookie = await served.staffCookie(subdistrictId);
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await fetch(`${served.base}/campaigns/${campaignId}/posters`, { headers: { cookie } });
    const html = await res.text();
    const ms = performance.now() - t0;
    const posters = html.split('class="a4 poster"').length - 1;
    if (res.status !== 200 || posters !== CODES) throw new Error(`print sheet: status ${res.status}, ${posters} posters`);
    return ms;
  };
  const cold = await once();
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(await once());
  warm.sort((a, b) => a - b);
  return { cold, median: warm[Math.floor(warm.length / 2)] };
}
