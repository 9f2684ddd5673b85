import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dbFile, openDb } from '../../src/db/open-db';
import { DatabaseProblem } from '../../src/db/problems';
import { runChildServerToExit, startChildServer } from '../helpers/child-server';
import { makeCampaign } from '../helpers/factories';
import { hiddenFields } from '../helpers/resident-client';
import { tinyPng } from '../submissions/photos';

const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-startup-'));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

/** A database with data in it, closed cleanly (no -wal left). */
function seededDataDir(): string {
  const dataDir = tempDir();
  const db = openDb({ file: dbFile(dataDir) });
  makeCampaign(db);
  db.close();
  return dataDir;
}

const noStack = (out: string) => expect(out).not.toMatch(/^\s+at .+\(.*:\d+:\d+\)$/m);

describe('start-up with a database that cannot be used: an operator message, exit 1, no stack trace', () => {
  it('refuses an empty, a foreign, a truncated and a locked database, each naming the file and what to do', async () => {
    const empty = tempDir();
    fs.writeFileSync(dbFile(empty), '');

    const foreign = tempDir();
    fs.writeFileSync(dbFile(foreign), Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(8192, 7)]));

    const truncated = seededDataDir();
    const size = fs.statSync(dbFile(truncated)).size;
    fs.truncateSync(dbFile(truncated), Math.floor(size / 2 / 4096) * 4096);

    const locked = seededDataDir();
    const holder = new Database(dbFile(locked));
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');

    try {
      const run = (dataDir: string) => runChildServerToExit({ script: 'src/server.ts', env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: '' }, timeoutMs: 90_000 });
      const [e, f, t, l] = await Promise.all([run(empty), run(foreign), run(truncated), run(locked)]);

      expect(e.code).toBe(1);
      expect(e.out).toContain(`数据库文件 ${dbFile(empty)} 是空的（0 字节）`);
      expect(e.out).toContain('npx linsheng restore');
      expect(e.out).toContain('delete the empty file first');
      expect(e.out).not.toMatch(/password:/); // never treated as a first start with a fresh admin
      expect(fs.statSync(dbFile(empty)).size).toBe(0);

      expect(f.code).toBe(1);
      expect(f.out).toContain(`${dbFile(foreign)} 不是数据库文件`);

      expect(t.code).toBe(1);
      expect(t.out).toContain(`数据库文件 ${dbFile(truncated)} 不完整`);
      expect(t.out).toContain('npx linsheng restore');

      expect(l.code).toBe(1);
      expect(l.out).toContain(`数据库 ${dbFile(locked)} 正被另一个进程锁住`);
      expect(l.out).toContain(`fuser -v ${dbFile(locked)}`);

      for (const r of [e, f, t, l]) {
        expect(r.out).toContain('邻声 Linsheng 没有启动 did not start');
        noStack(r.out);
      }
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 150_000);

  it('openDb (and so the CLI) refuses the same files with the same sentences', () => {
    const empty = tempDir();
    fs.writeFileSync(dbFile(empty), '');
    expect(() => openDb({ file: dbFile(empty) })).toThrow(DatabaseProblem);
    expect(() => openDb({ file: dbFile(empty) })).toThrow(/是空的（0 字节）/);
    const truncated = seededDataDir();
    fs.truncateSync(dbFile(truncated), 4096 * 3);
    expect(() => openDb({ file: dbFile(truncated) })).toThrow(/不完整：文件只有 12288 字节/);
    // A database whose -wal still holds pages is left to SQLite (a checkpoint cut short by a crash is not damage).
    const live = seededDataDir();
    const writer = openDb({ file: dbFile(live) });
    writer.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run();
    const again = openDb({ file: dbFile(live) });
    expect(again.prepare("SELECT value FROM settings WHERE key = 'k'").pluck().get()).toBe('v');
    again.close();
    writer.close();
  });
});

describe('file modes: only the service user can read residents\' data', () => {
  const mode = (p: string) => fs.statSync(p).mode & 0o777;

  it('a first start makes DATA_DIR 0700 and the database, -wal, -shm, photos 0600', async () => {
    const parent = tempDir();
    fs.chmodSync(parent, 0o755);
    const dataDir = path.join(parent, 'data');
    const s = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: 'modes-test-password' }, timeoutMs: 90_000 });
    try {
      expect(mode(dataDir)).toBe(0o700);
      for (const f of ['', '-wal', '-shm']) expect([f, mode(dbFile(dataDir) + f)]).toEqual([f, 0o600]);

      // A resident's photo.
      const db = new Database(dbFile(dataDir));
      const c = makeCampaign(db as never);
      db.close();
      const page = await fetch(`${s.baseUrl}/q/${c.qrToken}`);
      const form = new FormData();
      for (const [k, v] of Object.entries({ ...hiddenFields(await page.text()), kind: 'suggestion', text: '井盖松了，踩上去会响' })) form.append(k, v);
      form.append('photo', new Blob([new Uint8Array(tinyPng(4, 4))], { type: 'image/png' }), 'p.png');
      const res = await fetch(`${s.baseUrl}/q/${c.qrToken}`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: page.headers.get('set-cookie') ?? '' } });
      expect(res.status).toBe(303);
      const uploads = path.join(dataDir, 'uploads');
      expect(mode(uploads)).toBe(0o700);
      const photos = fs.readdirSync(uploads);
      expect(photos).toHaveLength(1);
      expect(mode(path.join(uploads, photos[0]))).toBe(0o600);
    } finally {
      await s.stop();
    }
  }, 120_000);

  it('an existing data directory and database readable by others are tightened, with a warning in the log', async () => {
    const dataDir = seededDataDir();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(dbFile(dataDir), 0o644);
    const s = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: 'modes-test-password' }, timeoutMs: 90_000 });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(dbFile(dataDir))).toBe(0o600);
      expect(mode(dbFile(dataDir) + '-wal')).toBe(0o600);
      expect(s.output()).toContain(`数据目录 ${dataDir} 的权限原为 755，已改为 700`);
    } finally {
      await s.stop();
    }
  }, 120_000);
});
