import { failWrites as failEveryWrite } from '../helpers/fail-writes';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app';
import { testConfig, type Config } from '../../src/config';
import { dbFile, openDb, type Db } from '../../src/db/open-db';
import { APP_VERSION } from '../../src/lib/version';
import { makeCampaign } from '../helpers/factories';
import { hiddenFields } from '../helpers/resident-client';
import { loginAs } from '../helpers/app';
import { STORAGE_FAILURE_MESSAGE } from '../../src/http/error-handler';

const dirs: string[] = [];
const apps: Array<ReturnType<typeof createApp>> = [];
afterAll(async () => {
  // The scan counter and the other timers stop before their directories go (a flush would find no WAL file).
  await Promise.all(apps.map((a) => a.ctx.stopAll()));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The app over a file database in its own data directory, as a server runs it. */
function fileApp(overrides: Partial<Config> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-ready-'));
  dirs.push(dataDir);
  const db = openDb({ file: dbFile(dataDir) });
  const app = createApp({ config: testConfig({ dataDir, ...overrides }), db });
  apps.push(app);
  return { app, db, dataDir };
}

/** Readiness results are reused for a second (the endpoint is public and each check syncs the disk). */
const pastCache = () => new Promise((r) => setTimeout(r, 1100));

/**
 * A full database, for real: SQLite's max_page_count caps the file at its current size, then rows go in until
 * SQLite answers SQLITE_FULL ("database or disk is full"), as it does when the disk has no room left.
 */
function fillUp(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS filler (b BLOB)');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  // Big rows take the free pages, ever smaller ones the room left inside pages (an index's too).
  for (const size of [3000, 500, 50, 1]) {
    const insert = db.prepare('INSERT INTO filler (b) VALUES (randomblob(?))');
    for (let i = 0; ; i++) {
      if (i > 200_000) throw new Error('never filled up');
      try {
        insert.run(size);
      } catch (err) {
        expect((err as { code?: string }).code).toBe('SQLITE_FULL');
        break;
      }
    }
  }
}
function makeRoom(db: Db): void {
  db.pragma('max_page_count = 1073741823');
  db.exec('DELETE FROM filler');
}

/**
 * Every write of `db` fails with SQLite's own SQLITE_FULL error (taken from a database really filled up): a row
 * that still fits in a half-empty page would go in even when the file may not grow, so pages alone cannot show
 * a failing submission reliably. Returns the function that lets writes through again.
 */
function failWrites(db: Db): () => void {
  const scratch = openDb({ file: ':memory:', migrate: false });
  let full: unknown;
  try {
    scratch.exec('CREATE TABLE t (b BLOB)');
    scratch.pragma('max_page_count = 2');
    for (;;) scratch.prepare('INSERT INTO t VALUES (randomblob(4000))').run();
  } catch (err) {
    full = err;
  } finally {
    scratch.close();
  }
  expect((full as { code?: string }).code).toBe('SQLITE_FULL');
  return failEveryWrite(db, full);
}

describe('/healthz and /readyz', () => {
  it('/healthz answers 200 with the version and touches no database', async () => {
    const { app, db } = fileApp();
    db.close(); // even with the database gone, the process is alive
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', version: APP_VERSION });
    expect(res.body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('/readyz is 200 when the database takes a write, the schema is current and the disk has room', async () => {
    const { app } = fileApp();
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body).toMatchObject({ status: 'ready', version: APP_VERSION, checks: { database: 'ok', migrations: 'ok' } });
    expect(res.body.checks.disk.free_mb).toBeGreaterThan(0);
    expect(res.body.checks.disk.min_mb).toBe(200);
    expect(res.body).not.toHaveProperty('backup'); // nightly backups are off unless LINSHENG_BACKUP_DIR is set
  });

  it('/readyz is 503 with the reason when free disk space is below LINSHENG_MIN_FREE_MB', async () => {
    const { app } = fileApp({ minFreeBytes: 1024 ** 5 }); // a petabyte
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body).toMatchObject({ status: 'not_ready', reasons: ['disk_low'], checks: { database: 'ok' } });
    expect(res.body.messages[0]).toContain('LINSHENG_MIN_FREE_MB');
  });

  it('/readyz is 503 when the database cannot be written, and 200 again once it can', async () => {
    const { app, db } = fileApp();
    await request(app).get('/readyz').expect(200);
    fillUp(db);
    await pastCache();
    const full = await request(app).get('/readyz').expect(503);
    expect(full.body).toMatchObject({ status: 'not_ready', reasons: ['database_full'], checks: { database: 'database_full' } });
    expect(full.body.messages[0]).toContain('磁盘或数据库已满');
    makeRoom(db);
    await pastCache();
    await request(app).get('/readyz').expect(200);
  });

  it('/readyz is 503 once a WAL sync has failed, until a restart', async () => {
    const { app, dataDir } = fileApp();
    await request(app).get('/readyz').expect(200);
    // The WAL file vanishing under the server is one way its sync fails (the syncer opens it by name).
    fs.rmSync(dbFile(dataDir) + '-wal');
    await expect(app.ctx.syncWal!()).rejects.toMatchObject({ code: 'ENOENT' });
    await pastCache();
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body).toMatchObject({ reasons: ['wal_sync_failed'], checks: { database: 'wal_sync_failed' } });
    expect(res.body.messages[0]).toContain('重启服务');
  });

  it('/readyz is 503 when a migration is not applied', async () => {
    const { app, db } = fileApp();
    db.prepare('DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)').run();
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body.reasons).toEqual(['migrations_pending']);
    expect(res.body.checks.migrations.pending).toHaveLength(1);
  });
});

describe('a full disk when a resident submits', () => {
  it('re-renders the form with 503, a Chinese message and everything typed; the server recovers when space returns', async () => {
    const { app, db } = fileApp();
    const c = makeCampaign(db, { askPhoto: false });
    const form = await request(app).get(`/q/${c.qrToken}`).expect(200);
    const fields: Record<string, string> = {
      ...hiddenFields(form.text), kind: 'wish', category: String(c.categoryIds[1]),
      text: '三号楼的楼道灯坏了快两个星期，晚上老人上下楼很危险，希望尽快修好', name: '赵桂芳', phone: '13912345678', building: '3号楼2单元',
    };
    const letWrite = failWrites(db);
    const refused = await request(app).post(`/q/${c.qrToken}`).type('form').send(fields);
    expect(refused.status).toBe(503);
    expect(refused.text).toContain('服务器的存储空间暂时不足，您的意见这次没有提交成功');
    expect(refused.text).toContain('您填写的文字已保留');
    for (const typed of [fields.text, fields.name, fields.phone, fields.building]) expect(refused.text).toContain(typed);
    expect(refused.text).toMatch(/value="wish"[^>]*checked|checked[^>]*value="wish"/);
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(0);

    // Space comes back: the same form, sent again as it came back, goes in once.
    letWrite();
    const again: Record<string, string> = { ...hiddenFields(refused.text), kind: 'wish', category: fields.category, text: fields.text, name: fields.name, phone: fields.phone, building: fields.building };
    expect(again.ft).toBe(fields.ft);
    const stored = await request(app).post(`/q/${c.qrToken}`).type('form').send(again);
    expect(stored.status).toBe(303);
    expect(db.prepare('SELECT text, resident_phone FROM submissions').all()).toEqual([{ text: fields.text, resident_phone: fields.phone }]);
  });

  it('a staff form that cannot write answers 503 with a Chinese message, not a bare 500, and works again after', async () => {
    const { app, db } = fileApp();
    const t = { app, db, config: app.ctx.config };
    const admin = await loginAs(t, 'admin');
    const letWrite = failWrites(db);
    const refused = await admin.post('/categories').type('form').send({ _csrf: admin.csrf, name: '电梯加装' });
    expect(refused.status).toBe(503);
    expect(refused.text).toContain(STORAGE_FAILURE_MESSAGE);
    letWrite();
    await admin.post('/categories').type('form').send({ _csrf: admin.csrf, name: '电梯加装' }).expect(303);
  });
});

describe('request ids', () => {
  it('every response carries X-Request-Id; a safe incoming one is kept, anything else replaced', async () => {
    const { app } = fileApp();
    const own = await request(app).get('/healthz');
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await request(app).get('/healthz').set('X-Request-Id', 'lb-7f3a9c21.0001');
    expect(kept.headers['x-request-id']).toBe('lb-7f3a9c21.0001');
    for (const bad of ['short', 'has space in it 12345', 'a"quote\\12345678', 'x'.repeat(200)]) {
      const res = await request(app).get('/healthz').set('X-Request-Id', bad);
      expect(res.headers['x-request-id']).not.toBe(bad);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});
