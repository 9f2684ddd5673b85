/**
 * The batch print sheet of 200 posters (GET /campaigns/:id/posters), over real HTTP on 127.0.0.1, as a staff
 * user of the sub-district (so the scope checks run too). The first request draws all 200 QR codes; the
 * figure is the median of the runs after it, and the cold first render is reported beside it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Benchmark, Figure } from './run';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { dbFile, openDb } from '../src/db/open-db';
import { SESSION_COOKIE } from '../src/auth/middleware';
import { newQrToken } from '../src/qr/token';

const CODES = 200;
const RUNS = 7;

export const benchmark: Benchmark = {
  name: 'posters',
  async run(): Promise<Figure[]> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-bench-posters-'));
    const db = openDb({ file: dbFile(dataDir) });
    const server = http.createServer();
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
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const config = Object.freeze({ ...loadConfig({ DATA_DIR: dataDir, BASE_URL: base }), publicRateLimit: 1e6 });
      const app = createApp({ config, db });
      server.on('request', app);
      const { ctx } = app;

      const campaignId = ctx.campaigns.create({
        subdistrictId, title: '建中街街道老旧小区改造征求意见', description: '', startsOn: '2026-01-01', endsOn: '2026-12-31',
        askPhoto: true, askContact: true, communityIds: ctx.places.communityIdsUnder(subdistrictId), categoryIds: [],
      }, null);
      db.transaction(() => {
        for (let i = 0; i < CODES; i++) ctx.qrCodes.create(campaignId, newQrToken(), `张贴点 ${i + 1}`, spots[i % spots.length]);
      })();
      const userId = ctx.users.create({ username: 'bench-staff', displayName: 'bench', passwordHash: 'unused', role: 'staff', scopePlaceId: subdistrictId });
      const cookie = `${SESSION_COOKIE}=${ctx.auth.startSession(userId).sessionId}`;

      const once = async (): Promise<number> => {
        const t0 = performance.now();
        const res = await fetch(`${base}/campaigns/${campaignId}/posters`, { headers: { cookie } });
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
      const median = warm[Math.floor(warm.length / 2)];
      const round = (x: number) => Math.round(x * 10) / 10;
      ctx.onShutdown.forEach((fn) => fn());
      return [{
        name: 'posters_200_ms', value: round(median), unit: 'ms', goal: '< 1000', pass: median < 1000 && cold < 1000,
        cold_ms: round(cold), runs: RUNS, codes: CODES,
      }];
    } finally {
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
      db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
