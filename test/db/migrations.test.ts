import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { dbFile, openDb, type Db } from '../../src/db/open-db';
import { loadMigrations, MigrationError, type Migration } from '../../src/db/migrate';
import { main } from '../../src/cli/main';
import { captureIo } from '../helpers/cli-io';
import { runChildServerToExit } from '../helpers/child-server';
import { makeCampaign } from '../helpers/factories';

const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'linsheng-migrate-'));
  dirs.push(d);
  return d;
};
afterAll(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

const shipped = loadMigrations();
const upTo = (version: number) => shipped.filter((m) => m.version <= version);
const backupsOf = (dataDir: string) => {
  const dir = path.join(dataDir, 'backups');
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
};
const columns = (db: Db, table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
const objectExists = (db: Db, name: string) => db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(name) !== undefined;
const versions = (db: Db) => db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];

/** A database at an older version (the migrations up to `version`), with a campaign and a submission in it. */
function oldDatabase(version: number): { dataDir: string; file: string } {
  const dataDir = tempDir();
  const file = dbFile(dataDir);
  const db = openDb({ file, migrations: upTo(version) });
  const c = makeCampaign(db);
  db.prepare(`INSERT INTO submissions (campaign_id, qr_code_id, receipt_code, idempotency_key, kind, text, channel)
    VALUES (?, ?, 'KEEPME23', 'k1', 'suggestion', '升级前的意见', 'online')`).run(c.campaignId, c.qrCodeId);
  db.close();
  return { dataDir, file };
}

const extra = (version: number, name: string, sql: string): Migration => ({ version, name: `${version}_${name}.sql`, sql });

describe('upgrades: a backup first, all or nothing', () => {
  it('a brand-new database is migrated without a backup (nothing to lose)', () => {
    const dataDir = tempDir();
    const db = openDb({ file: dbFile(dataDir) });
    expect(versions(db)).toEqual(shipped.map((m) => m.version));
    db.close();
    expect(backupsOf(dataDir)).toEqual([]);
  });

  it('a failed migration leaves the database exactly as it was, says which one and why, and the backup exists', () => {
    const { dataDir, file } = oldDatabase(40);
    const broken = [
      ...shipped,
      extra(900, 'fine', 'CREATE TABLE upgrade_notes (id INTEGER PRIMARY KEY); ALTER TABLE submissions ADD COLUMN upgraded INTEGER;'),
      extra(901, 'broken', "CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);"),
    ];
    let error: unknown;
    try {
      openDb({ file, migrations: broken });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(MigrationError);
    const e = error as MigrationError;
    expect(e.migration).toBe('901_broken.sql');
    expect(e.message).toContain('迁移 901_broken.sql 出错（no such table: no_such_table）');
    expect(e.message).toContain('数据库保持升级前的样子');
    const [backup] = backupsOf(dataDir);
    expect(backup).toMatch(/^pre-migrate-\d{8}-\d{6}-v040\.db$/);
    expect(e.message).toContain(path.join(dataDir, 'backups', backup));

    // Nothing of 041, 042, 900 or 901 is left: not the index, not the columns, not the tables, not the records.
    const db = new Database(file, { readonly: true });
    expect(versions(db)).toEqual(upTo(40).map((m) => m.version));
    expect(objectExists(db, 'issues_campaign_community')).toBe(false);
    expect(columns(db, 'submissions')).not.toEqual(expect.arrayContaining(['collected_by_name']));
    expect(columns(db, 'submissions')).not.toContain('upgraded');
    expect(objectExists(db, 'upgrade_notes')).toBe(false);
    expect(objectExists(db, 'half_done')).toBe(false);
    expect(db.prepare("SELECT text FROM submissions WHERE receipt_code = 'KEEPME23'").pluck().get()).toBe('升级前的意见');
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    // The backup is a whole, private copy of the database before the upgrade.
    const copyFile = path.join(dataDir, 'backups', backup);
    expect(fs.statSync(copyFile).mode & 0o777).toBe(0o600);
    const copy = new Database(copyFile, { readonly: true });
    expect(versions(copy)).toEqual(upTo(40).map((m) => m.version));
    expect(copy.prepare("SELECT text FROM submissions WHERE receipt_code = 'KEEPME23'").pluck().get()).toBe('升级前的意见');
    copy.close();

    // With the broken migration gone (the fixed release), the same database upgrades.
    const fixed = openDb({ file, migrations: [...shipped, broken[shipped.length]] });
    expect(columns(fixed, 'submissions')).toEqual(expect.arrayContaining(['collected_by_name', 'intake_note', 'upgraded']));
    fixed.close();
  });

  it('keeps the newest five pre-upgrade backups', () => {
    const { dataDir, file } = oldDatabase(40);
    const list = [...shipped];
    for (let i = 0; i < 7; i++) {
      list.push(extra(900 + i, `step${i}`, `CREATE TABLE step_${i} (id INTEGER);`));
      openDb({ file, migrations: list }).close();
    }
    const kept = backupsOf(dataDir);
    expect(kept).toHaveLength(5);
    // The newest ones: taken before steps 2…6, i.e. at versions 901…905.
    expect(kept.map((n) => /-v(\d+)\.db$/.exec(n)![1]).sort()).toEqual(['901', '902', '903', '904', '905']);
  });

  it('the server refuses to start on a failed upgrade: exit 1, the migration and the reason, data untouched', async () => {
    const { dataDir, file } = oldDatabase(40);
    // A column that 042 adds exists already (say, added by hand): 041 and 042's first statement would succeed.
    const db = new Database(file);
    db.exec('ALTER TABLE submissions ADD COLUMN intake_note TEXT');
    db.close();
    const r = await runChildServerToExit({ script: 'src/server.ts', env: { DATA_DIR: dataDir, LINSHENG_ADMIN_PASSWORD: 'upgrade-test-pw' }, timeoutMs: 90_000 });
    expect(r.code).toBe(1);
    expect(r.out).toContain('数据库升级失败：迁移 042_submission_visitor_note.sql 出错（duplicate column name: intake_note）');
    expect(r.out).toContain('Go back to the previous version of the program');
    expect(r.out).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    const after = new Database(file, { readonly: true });
    expect(Math.max(...versions(after))).toBe(40);
    expect(objectExists(after, 'issues_campaign_community')).toBe(false);
    expect(columns(after, 'submissions')).not.toContain('collected_by_name');
    expect(after.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(1);
    after.close();
    expect(backupsOf(dataDir)).toHaveLength(1);
  }, 120_000);
});

describe('npx linsheng migrate', () => {
  const run = async (dataDir: string, ...args: string[]) => {
    const c = captureIo({ DATA_DIR: dataDir });
    return { code: await main(['migrate', ...args], c.io), ...c };
  };

  it('--dry-run lists what would run and changes nothing; then it backs up and applies; then it is up to date', async () => {
    const { dataDir, file } = oldDatabase(30);
    const pending = shipped.filter((m) => m.version > 30).map((m) => m.name);
    const dry = await run(dataDir, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out[0]).toBe(`将要执行 ${pending.length} 个迁移 Would apply ${pending.length} migration(s):`);
    for (const n of pending) expect(dry.out).toContain(`  ${n}`);
    expect(dry.text()).toContain(path.join(dataDir, 'backups'));
    expect(backupsOf(dataDir)).toEqual([]);
    const untouched = new Database(file, { readonly: true });
    expect(Math.max(...versions(untouched))).toBe(30);
    untouched.close();

    const done = await run(dataDir);
    expect(done.code).toBe(0);
    expect(done.text()).toMatch(/升级前的备份 Backup before the upgrade: .*pre-migrate-\d{8}-\d{6}-v030\.db/);
    for (const n of pending) expect(done.out).toContain(`  ${n}`);
    expect(backupsOf(dataDir)).toHaveLength(1);

    const again = await run(dataDir);
    expect(again.code).toBe(0);
    expect(again.out[0]).toContain('数据库已是最新');
    expect((await run(dataDir, '--dry-run')).out[0]).toContain('数据库已是最新');
  });

  it('refuses while another process has the database open', async () => {
    const { dataDir, file } = oldDatabase(30);
    const server = new Database(file);
    server.prepare('SELECT COUNT(*) FROM submissions').get();
    try {
      const r = await run(dataDir);
      expect(r.code).toBe(1);
      expect(r.errors()).toContain(`另一个进程正打开着数据库 ${file}`);
      expect(r.errors()).toContain('cannot upgrade the database now');
    } finally {
      server.close();
    }
    const db = new Database(file, { readonly: true });
    expect(Math.max(...versions(db))).toBe(30);
    db.close();
  });
});
