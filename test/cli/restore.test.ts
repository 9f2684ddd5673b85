import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/main';
import { dbFile, openDb } from '../../src/db/open-db';
import { pidFile } from '../../src/db/files';
import { captureIo, tempDataDir } from '../helpers/cli-io';
import { startChildServer } from '../helpers/child-server';

describe('npx linsheng restore', () => {
  let dir: string;
  let cleanup: () => void;
  let data: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDataDir('linsheng-restore-'));
    data = path.join(dir, 'data');
  });
  afterEach(() => cleanup());
  const run = async (...args: string[]) => {
    const c = captureIo({ DATA_DIR: data });
    return { code: await main(args, c.io), ...c };
  };
  const districtOf = (file: string) => {
    const db = new Database(file, { readonly: true });
    try { return db.prepare("SELECT name FROM places WHERE kind = 'district'").pluck().get(); } finally { db.close(); }
  };

  /** The live database holds 「现在」; a backup taken earlier holds 「备份时」. */
  async function liveAndBackup(): Promise<string> {
    const db = openDb({ file: dbFile(data) });
    db.prepare("INSERT INTO places (kind, name) VALUES ('district', '备份时')").run();
    db.close();
    const backup = path.join(dir, 'nightly.db');
    expect((await run('backup', backup)).code).toBe(0);
    const live = openDb({ file: dbFile(data) });
    live.prepare("UPDATE places SET name = '现在' WHERE kind = 'district'").run();
    live.close();
    return backup;
  }

  it('puts a checked backup in place, keeps the replaced database, and leaves no stale -wal or -shm', async () => {
    const backup = await liveAndBackup();
    // A stray -wal and -shm beside the live file, as a crash leaves them: they must not be replayed into the restore.
    const live = new Database(dbFile(data));
    live.pragma('journal_mode = WAL');
    live.prepare("UPDATE places SET name = '现在（未检查点）' WHERE kind = 'district'").run();
    const walBytes = fs.readFileSync(dbFile(data) + '-wal');
    live.close();
    fs.writeFileSync(dbFile(data) + '-wal', walBytes);

    const r = await run('restore', backup);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(`已恢复 Restored: ${dbFile(data)}`);
    expect(r.text()).toContain('integrity_check: ok');
    expect(districtOf(dbFile(data))).toBe('备份时');
    expect(fs.statSync(dbFile(data)).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(dbFile(data) + '-wal') && fs.statSync(dbFile(data) + '-wal').size > 0).toBe(false);

    const kept = fs.readdirSync(data).filter((f) => /^linsheng\.db\.replaced-\d{8}-\d{6}$/.test(f));
    expect(kept).toHaveLength(1);
    expect(r.text()).toContain(path.join(data, kept[0]));
    expect(districtOf(path.join(data, kept[0]))).toBe('现在（未检查点）');

    // The server starts on the restored database.
    const opened = openDb({ file: dbFile(data) });
    expect(opened.pragma('integrity_check', { simple: true })).toBe('ok');
    opened.close();
  });

  it('restores over an empty or damaged database (what restore is for)', async () => {
    const backup = await liveAndBackup();
    fs.writeFileSync(dbFile(data), '');
    expect((await run('restore', backup)).code).toBe(0);
    expect(districtOf(dbFile(data))).toBe('备份时');
    expect(fs.readdirSync(data).filter((f) => f.includes('.replaced-'))).toHaveLength(1);
  });

  it('refuses a backup that fails the integrity check, an empty one, and one from a newer version, changing nothing', async () => {
    const backup = await liveAndBackup();
    const before = fs.readFileSync(dbFile(data));

    const damaged = path.join(dir, 'damaged.db');
    fs.copyFileSync(backup, damaged);
    const probe = new Database(damaged, { readonly: true });
    const root = probe.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'places'").pluck().get() as number;
    const pageSize = probe.pragma('page_size', { simple: true }) as number;
    probe.close();
    // Scribble over the places table's page (the header stays sound): only integrity_check can tell.
    const bytes = fs.readFileSync(damaged);
    const page = (root - 1) * pageSize;
    bytes.fill(0x5a, page + 1, page + pageSize);
    fs.writeFileSync(damaged, bytes);
    const r1 = await run('restore', damaged);
    expect(r1.code).toBe(1);
    expect(r1.errors()).toMatch(/没有通过完整性检查|已损坏/);
    expect(r1.errors()).toContain('没有恢复');

    const empty = path.join(dir, 'empty.db');
    fs.writeFileSync(empty, '');
    const r2 = await run('restore', empty);
    expect(r2.code).toBe(1);
    expect(r2.errors()).toContain('这个备份不能用，没有恢复');
    expect(r2.errors()).toContain('是空的（0 字节）');

    const newer = path.join(dir, 'newer.db');
    fs.copyFileSync(backup, newer);
    const n = new Database(newer);
    n.prepare("INSERT INTO schema_migrations (version, name) VALUES (999, '999_future.sql')").run();
    n.close();
    const r3 = await run('restore', newer);
    expect(r3.code).toBe(1);
    expect(r3.errors()).toContain('这个备份来自更新版本的程序');

    const missing = await run('restore', path.join(dir, 'nope.db'));
    expect(missing.code).toBe(2);
    expect(missing.errors()).toContain('找不到备份文件');

    expect(fs.readFileSync(dbFile(data)).equals(before)).toBe(true);
    expect(fs.readdirSync(data).filter((f) => f.includes('.replaced-') || f.includes('.restore-'))).toEqual([]);
  });

  it('refuses while the server is running, naming its pid', async () => {
    const backup = await liveAndBackup();
    const s = await startChildServer({ script: 'src/server.ts', fromSource: true, env: { DATA_DIR: data, LINSHENG_ADMIN_PASSWORD: 'restore-test-pw' }, timeoutMs: 90_000 });
    try {
      expect(fs.readFileSync(pidFile(data), 'utf8').trim()).toBe(String(s.proc.pid));
      const r = await run('restore', backup);
      expect(r.code).toBe(1);
      expect(r.errors()).toContain(`邻声服务器正在使用这个数据库（进程 ${s.proc.pid}）`);
      expect(r.errors()).toContain('systemctl stop linsheng');
    } finally {
      expect(await s.stop()).toBe(0);
    }
    // A clean stop removes the pid file; now the restore goes through.
    expect(fs.existsSync(pidFile(data))).toBe(false);
    expect((await run('restore', backup)).code).toBe(0);
    expect(districtOf(dbFile(data))).toBe('备份时');
  }, 120_000);

  it('refuses while any other process has the database open, and ignores a pid file left by a crash', async () => {
    const backup = await liveAndBackup();
    fs.writeFileSync(pidFile(data), '999999\n'); // no such process
    const other = new Database(dbFile(data));
    other.prepare('SELECT 1 FROM places').get();
    try {
      const r = await run('restore', backup);
      expect(r.code).toBe(1);
      expect(r.errors()).toContain('另一个进程正打开着数据库');
    } finally {
      other.close();
    }
    expect((await run('restore', backup)).code).toBe(0);
  });
});
