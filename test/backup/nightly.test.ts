import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { createApp } from '../../src/app';
import { createNightlyBackups, nextAt } from '../../src/backup/service';
import { testConfig } from '../../src/config';
import { dbFile, openDb, type Db } from '../../src/db/open-db';
import { createLogger } from '../../src/lib/logger';

const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-nightly-'));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

function setup() {
  const dataDir = tempDir();
  const db = openDb({ file: dbFile(dataDir) });
  db.exec('CREATE TABLE load_rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO load_rows (payload) VALUES (?)');
  db.transaction(() => { for (let i = 0; i < 20_000; i++) insert.run('x'.repeat(200) + i); })();
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'info', destination: { write: (l: string) => { lines.push(JSON.parse(l) as Record<string, unknown>); } } });
  return { dataDir, db, insert, lines, logger, backupDir: path.join(dataDir, 'nightly') };
}

const count = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return db.prepare('SELECT COUNT(*) FROM load_rows').pluck().get() as number;
  } finally {
    db.close();
  }
};

describe('nightly backups (LINSHENG_BACKUP_DIR)', () => {
  it('copies online while the server keeps writing, without blocking it, and logs the outcome', async () => {
    const { db, insert, lines, logger, backupDir } = setup();
    const nightly = createNightlyBackups({ db, dir: backupDir, keep: 7, hour: 2, logger });
    let written = 0;
    let writing = true;
    // Writes on every turn of the event loop: they can only happen if the backup lets the loop run.
    const writer = (async () => {
      while (writing) {
        insert.run('during backup ' + written++);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const file = await nightly.backupNow();
    writing = false;
    await writer;
    expect(file).toBeDefined();
    expect(path.basename(file!)).toMatch(/^linsheng-\d{8}-\d{6}\.db$/);
    expect(written).toBeGreaterThan(0);
    expect(count(file!)).toBeGreaterThanOrEqual(20_000);
    expect(fs.statSync(file!).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(backupDir)).toEqual([path.basename(file!)]); // no partial left behind
    const done = lines.find((l) => l.msg === 'nightly backup written');
    expect(done).toMatchObject({ level: 30, file });
    expect(done!.bytes).toBeGreaterThan(0);
    expect(nightly.status()).toMatchObject({ missed: false, lastError: null, lastFile: file });
  });

  it('keeps the newest LINSHENG_BACKUP_KEEP backups', async () => {
    const { db, logger, backupDir } = setup();
    const nightly = createNightlyBackups({ db, dir: backupDir, keep: 3, hour: 2, logger });
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push((await nightly.backupNow())!);
      // Distinct times, as on five nights.
      const t = new Date(Date.now() - (5 - i) * 86400_000);
      fs.utimesSync(made[i], t, t);
    }
    expect(fs.readdirSync(backupDir).sort()).toEqual(made.slice(2).map((f) => path.basename(f)).sort());
  });

  it('reports a missed backup: none for over 26 hours, or the last attempt failed (logged with its error)', async () => {
    const { db, lines, logger, dataDir } = setup();
    let now = new Date();
    const blocked = path.join(dataDir, 'not-a-dir');
    fs.writeFileSync(blocked, 'a file where the backup directory should be');
    const failing = createNightlyBackups({ db, dir: blocked, keep: 7, hour: 2, logger, now: () => now });
    expect(failing.status().missed).toBe(false); // just started, nothing due yet
    expect(await failing.backupNow()).toBeUndefined();
    expect(failing.status()).toMatchObject({ missed: true, last: null });
    expect(failing.status().lastError).toBeTruthy();
    expect(lines.find((l) => l.msg === 'nightly backup failed')).toMatchObject({ level: 50 });

    const okDir = path.join(dataDir, 'ok');
    const ok = createNightlyBackups({ db, dir: okDir, keep: 7, hour: 2, logger, now: () => now });
    await ok.backupNow();
    expect(ok.status().missed).toBe(false);
    now = new Date(Date.now() + 25 * 3600_000);
    expect(ok.status().missed).toBe(false);
    now = new Date(Date.now() + 27 * 3600_000);
    expect(ok.status().missed).toBe(true);
  });

  it('after start, catches up at once when the newest backup is over a day old, then waits for the hour', async () => {
    const { db, logger, backupDir } = setup();
    const nightly = createNightlyBackups({ db, dir: backupDir, keep: 7, hour: 2, logger, catchUpDelayMs: 10 });
    nightly.start();
    for (let i = 0; i < 200 && !fs.existsSync(backupDir); i++) await new Promise((r) => setTimeout(r, 25));
    for (let i = 0; i < 200 && nightly.status().last === null; i++) await new Promise((r) => setTimeout(r, 25));
    expect(nightly.status().last).not.toBeNull();
    const next = new Date(nightly.status().next!);
    expect(next.getHours()).toBe(2);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
    nightly.stop();
  });

  it('the next run is at the set local hour, today or tomorrow', () => {
    const from = new Date(2026, 10, 25, 1, 30);
    expect(nextAt(from, 2)).toEqual(new Date(2026, 10, 25, 2, 0));
    expect(nextAt(new Date(2026, 10, 25, 2, 0), 2)).toEqual(new Date(2026, 10, 26, 2, 0));
    expect(nextAt(new Date(2026, 11, 31, 23, 0), 2)).toEqual(new Date(2027, 0, 1, 2, 0));
  });

  it('/readyz reports the backup, and a missed one does not make the server unready', async () => {
    const dataDir = tempDir();
    const db: Db = openDb({ file: dbFile(dataDir) });
    const backupDir = path.join(dataDir, 'nightly');
    const app = createApp({ config: testConfig({ dataDir, backupDir, backupKeep: 7, backupHour: 2 }), db });
    try {
      const before = await request(app).get('/readyz').expect(200);
      expect(before.body.backup).toEqual({ last: null, missed: false, failed: false, next: null });
      await app.ctx.backups!.backupNow();
      await new Promise((r) => setTimeout(r, 1100)); // past the readiness cache
      const after = await request(app).get('/readyz').expect(200);
      expect(after.body.backup).toMatchObject({ missed: false, failed: false });
      expect(Date.parse(after.body.backup.last)).toBeGreaterThan(Date.now() - 60_000);
      expect(JSON.stringify(after.body)).not.toContain(dataDir); // paths stay in the log
    } finally {
      await app.ctx.stopAll();
      db.close();
    }
  });
});
