import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { main } from '../../src/cli/main';
import { dbFile, openDb } from '../../src/db/open-db';
import { captureIo, tempDataDir } from '../helpers/cli-io';

describe('npx linsheng backup', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDataDir('linsheng-backup-')));
  afterEach(() => cleanup());
  const run = (...args: string[]) => {
    const c = captureIo({ DATA_DIR: path.join(dir, 'data') });
    return main(['backup', ...args], c.io).then((code) => ({ code, ...c }));
  };

  it('copies a consistent database while another connection keeps inserting', async () => {
    const server = openDb({ file: dbFile(path.join(dir, 'data')) });
    server.exec('CREATE TABLE load_rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
    const insert = server.prepare('INSERT INTO load_rows (payload) VALUES (?)');
    server.transaction(() => { for (let i = 0; i < 20_000; i++) insert.run('x'.repeat(200) + i); })();
    const before = server.prepare('SELECT COUNT(*) FROM load_rows').pluck().get() as number;

    // Keep writing from the "server" connection on every turn of the event loop while the backup runs.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        insert.run('during backup ' + written++);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const target = path.join(dir, 'nightly.db');
    const r = await run(target);
    writing = false;
    await writer;

    expect(r.code).toBe(0);
    expect(r.text()).toContain('integrity_check: ok');
    expect(r.text()).toMatch(/size: \d+ bytes/);
    expect(written).toBeGreaterThan(0);
    // Residents' names and phones: readable by this user only, whatever the umask.
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
    const copy = new Database(target, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get()).toBeGreaterThan(0);
    const rows = copy.prepare('SELECT COUNT(*) FROM load_rows').pluck().get() as number;
    expect(rows).toBeGreaterThanOrEqual(before);
    expect(rows).toBeLessThanOrEqual(before + written);
    copy.close();
    server.close();
    expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('a restore from the copy starts cleanly (migrations apply, data is there)', async () => {
    const db = openDb({ file: dbFile(path.join(dir, 'data')) });
    db.prepare("INSERT INTO places (kind, name) VALUES ('district', '二七区')").run();
    db.close();
    expect((await run(path.join(dir, 'copy.db'))).code).toBe(0);
    const restored = openDb({ file: path.join(dir, 'copy.db') });
    expect(restored.prepare("SELECT name FROM places WHERE kind = 'district'").pluck().get()).toBe('二七区');
    restored.close();
  });

  it('refuses to overwrite an existing file unless --force', async () => {
    openDb({ file: dbFile(path.join(dir, 'data')) }).close();
    const target = path.join(dir, 'exists.db');
    fs.writeFileSync(target, 'keep me');
    const refused = await run(target);
    expect(refused.code).toBe(2);
    expect(refused.errors()).toContain('--force');
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
    const forced = await run(target, '--force');
    expect(forced.code).toBe(0);
    expect(new Database(target, { readonly: true }).pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('explains bad usage and a missing database with exit 2, creating nothing', async () => {
    const none = await run();
    expect(none.code).toBe(2);
    expect(none.errors()).toContain('Usage');
    const missing = await run(path.join(dir, 'x.db'));
    expect(missing.code).toBe(2);
    expect(missing.errors()).toContain('No database');
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'x.db'))).toBe(false);
    const noDir = await run(path.join(dir, 'nope', 'x.db'));
    expect(noDir.code).toBe(2);
  });

  it('refuses a directory as the target, even with --force, and suggests a file name', async () => {
    openDb({ file: dbFile(path.join(dir, 'data')) }).close();
    const target = path.join(dir, 'backups');
    fs.mkdirSync(target);
    for (const args of [[target], [target, '--force']]) {
      const r = await run(...args);
      expect(r.code).toBe(2);
      expect(r.errors()).toContain(`${target} 是一个目录；请给出备份文件的名字，例如 ${path.join(target, 'linsheng-backup.db')}`);
      expect(r.errors()).toContain('is a directory');
    }
    expect(fs.readdirSync(target)).toEqual([]);
  });

  it('refuses extra file names and unknown options', async () => {
    const two = await run(path.join(dir, 'a.db'), path.join(dir, 'b.db'));
    expect(two.code).toBe(2);
    expect(two.errors()).toContain('多余的参数 Unexpected argument(s)');
    const typo = await run(path.join(dir, 'a.db'), '--forse');
    expect(typo.code).toBe(2);
    expect(typo.errors()).toContain('Unknown option: --forse（是不是 did you mean --force？）');
  });

  // /proc takes no new files, even for root (a permission test would not fail for root).
  (fs.existsSync('/proc/self') ? it : it.skip)('says plainly when the target directory cannot take a file', async () => {
    openDb({ file: dbFile(path.join(dir, 'data')) }).close();
    const r = await run('/proc/linsheng-backup.db');
    expect(r.code).toBe(1);
    expect(r.errors()).toContain('无法在目录 /proc 里写入备份文件');
    expect(r.errors()).toContain('Cannot write a backup file in /proc');
    expect(r.errors()).not.toContain('unable to open database file');
  });
});
