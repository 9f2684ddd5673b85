import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dbFile, openDb } from '../../src/db/open-db';
import { PROJECT_ROOT } from '../../src/paths';
import { startChildServer } from '../helpers/child-server';
import { makeCampaign } from '../helpers/factories';
import { createIntakeFixture } from '../helpers/intake-fixtures';
import { submitOnce } from '../helpers/resident-client';
import { startTestServer, type RunningApp } from '../helpers/server';
import { describeOnSqlite } from '../helpers/test-database';

/** The server and another writer (the CLI, sqlite3, a backup) on one database file. */

// SQLite's single writer and its file; PostgreSQL's rows lock one by one (two servers: two-servers.postgres.test.ts).
describeOnSqlite('a busy database', () => {
  let s: RunningApp;
  afterEach(async () => { await s.close(); fs.rmSync(s.dataDir, { recursive: true, force: true }); });

  it('gives the resident a receipt although another connection holds the write lock for 2 s, and keeps answering meanwhile', async () => {
    s = await startTestServer();
    const c = makeCampaign(s.db, { askPhoto: false });
    const other = new Database(dbFile(s.dataDir));
    other.exec('BEGIN IMMEDIATE');
    other.prepare("INSERT INTO settings (key, value) VALUES ('held-by-another-writer', '1')").run();
    const released = new Promise<void>((resolve) => setTimeout(() => { other.exec('COMMIT'); other.close(); resolve(); }, 2000));
    const started = Date.now();
    const submitted = submitOnce(s.baseUrl, c.qrToken, '小区东门的路灯坏了一个多月，晚上很黑');
    // While the submission waits for the lock, the event loop is free: other requests are answered at once.
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    const health = await fetch(`${s.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(300);
    const result = await submitted;
    await released;
    expect(result.status).toBe(303);
    expect(result.receiptCode).toMatch(/^[A-Z0-9]{8}$/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(s.db.prepare('SELECT COUNT(*) FROM submissions WHERE receipt_code = ?').pluck().get(result.receiptCode)).toBe(1);
  });
});

describeOnSqlite('npx linsheng import against a live server', () => {
  let dataDir: string;
  beforeEach(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-shared-')); });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('imports while residents submit: the import succeeds and every resident gets a receipt', async () => {
    const db = openDb({ file: dbFile(dataDir) });
    const f = createIntakeFixture(db);
    const c = makeCampaign(db, { askPhoto: false, community: '永安社区' });
    db.close();
    const rows = ['日期,社区,网格,姓名,联系电话,诉求内容'];
    for (let i = 1; i <= 3000; i++) rows.push(`2099-01-01,永安社区,第一网格,居民${i},,${i}号楼门口的垃圾桶满了没人清`);
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const csv = path.join(dataDir, 'big.csv');
    fs.writeFileSync(csv, rows.join('\n').replaceAll('2099-01-01', today));

    const server = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: 'admin-password-1', LINSHENG_PUBLIC_RATE_LIMIT: '100000' } });
    try {
      const cli = spawn(process.execPath, ['-r', path.join(PROJECT_ROOT, 'test', 'helpers', 'ts-register.js'), '-e',
        `require('./src/cli/main.ts').main(process.argv.slice(1)).then((c) => process.exit(c))`, 'import', csv, '--campaign', String(f.campaignId)],
      { cwd: PROJECT_ROOT, env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      cli.stdout.on('data', (d) => { out += d; });
      cli.stderr.on('data', (d) => { out += d; });
      const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
      let running = true;
      void exited.then(() => { running = false; });
      const results: number[] = [];
      while (running || results.length < 5) {
        results.push((await submitOnce(server.baseUrl, c.qrToken, `第 ${results.length + 1} 位居民：楼道里堆满了杂物`)).status);
      }
      expect(await exited).toBe(0);
      expect(out).toContain('导入 3000 条');
      expect(results.filter((r) => r !== 303)).toEqual([]);
      expect(results.length).toBeGreaterThan(10);
    } finally {
      await server.stop();
    }
    const check = openDb({ file: dbFile(dataDir) });
    try {
      expect(check.prepare("SELECT COUNT(*) FROM submissions WHERE channel = 'door_to_door'").pluck().get()).toBe(3000);
    } finally { check.close(); }
  }, 120_000);
});
