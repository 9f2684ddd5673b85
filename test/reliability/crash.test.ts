import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChildServer, type ChildServer } from '../helpers/child-server';
import { submitOnce } from '../helpers/resident-client';
import { makeCampaign } from '../helpers/factories';
import { onPostgres, serverDatabase } from '../helpers/test-database';

/**
 * Nothing a resident was told was received may be lost: run the real server, submit concurrently,
 * kill -9 it mid-load, restart on the same data, and check every receipt is there and the file is sound (on either
 * engine: LINSHENG_TEST_ENGINE=postgres runs the server on PostgreSQL).
 */
describe('crash safety (kill -9 under load)', () => {
  const ROUNDS = 3;
  let dataDir: string;
  let token: string;
  let server: ChildServer | undefined;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-crash-'));
    const db = serverDatabase(dataDir).db();
    token = makeCampaign(db).qrToken;
    db.close();
  });

  afterAll(async () => {
    if (server) await server.kill9().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () => startChildServer({
    script: 'src/server.ts',
    fromSource: true,
    env: { DATA_DIR: dataDir, ...serverDatabase(dataDir).env, LINSHENG_ADMIN_PASSWORD: 'crash-test-pass', LINSHENG_PUBLIC_RATE_LIMIT: '1000000', LINSHENG_SYNCHRONOUS: 'FULL' },
  });

  it(`keeps every receipted submission across ${ROUNDS} crashes in a row`, async () => {
    const receipted: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      server = await start();
      const s = server;
      let stop = false;
      const worker = async (w: number) => {
        for (let i = 0; !stop; i++) {
          try {
            const r = await submitOnce(s.baseUrl, token, `第${round}轮 第${w}号 第${i}条：楼道灯坏了`);
            if (r.status !== 303) throw new Error(`unexpected status ${r.status}`);
            if (!r.receiptCode) throw new Error('303 without a receipt code');
            if (!stop) receipted.push(r.receiptCode);
          } catch (err) {
            if (stop) return; // the server is gone: requests in flight fail, which is expected
            throw err;
          }
        }
      };
      const before = receipted.length;
      const load = Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
      // Kill once the load is well under way.
      while (receipted.length - before < 40) await new Promise((r) => setTimeout(r, 20));
      stop = true;
      await s.kill9();
      server = undefined;
      await load;
      expect(receipted.length - before).toBeGreaterThanOrEqual(40);
    }

    // Restart on the same data: it must come up, and everything receipted must be there.
    server = await start();
    // Ready means more than alive: the database takes a write and the schema is current.
    const ready = await fetch(`${server.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
    const sample = receipted[receipted.length - 1];
    expect((await fetch(`${server.baseUrl}/r/${sample}`)).status).toBe(200);
    await server.stop();
    server = undefined;

    const db = serverDatabase(dataDir).db();
    const stored = new Set(db.prepare('SELECT receipt_code FROM submissions').pluck().all() as string[]);
    const missing = receipted.filter((c) => !stored.has(c));
    expect(missing).toEqual([]);
    // SQLite's file checks itself; on PostgreSQL the server's own recovery is what the restart above went through.
    if (!onPostgres) expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 120_000);
});
