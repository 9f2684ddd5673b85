/**
 * Every command that works on the data runs on the PostgreSQL of DATABASE_URL: each test runs the command for real
 * on a database of its own, with DATA_DIR pointing at an empty directory that must stay empty (no quiet SQLite).
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { verifyPassword } from '../../src/auth/password';
import { main } from '../../src/cli/main';
import { loadConfig } from '../../src/config';
import { createContext } from '../../src/context';
import { postgresDatabase } from '../../src/db/database';
import { describePostgres } from '../../src/cli/cli-db';
import { DEMO_CAMPAIGN_TITLE } from '../../src/demo/data';
import { captureIo, tempDataDir } from '../helpers/cli-io';
import { postgresExec } from '../helpers/engines';
import { createIntakeFixtureOn } from '../helpers/intake-fixtures';
import { describeOnPostgres, freshPostgresDatabase } from '../helpers/postgres';

const SAMPLE_CSV = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'door-to-door-sample.csv');

describeOnPostgres('the commands on PostgreSQL', () => {
  let made: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  let data: ReturnType<typeof tempDataDir>;
  let pool: pg.Pool | undefined;
  beforeEach(async () => {
    made = await freshPostgresDatabase();
    data = tempDataDir();
  });
  afterEach(async () => {
    await pool?.end();
    pool = undefined;
    await made.drop();
    // The commands wrote to PostgreSQL only: no SQLite database appeared in DATA_DIR.
    expect(fs.readdirSync(data.dir)).toEqual([]);
    data.cleanup();
  });

  const run = async (args: string[], input = '') => {
    const c = captureIo({ DATABASE_URL: made.url, DATA_DIR: data.dir, BASE_URL: 'http://demo.example' }, input);
    return { code: await main(args, c.io), ...c };
  };
  /** Rows of a query on the test's database (after a command has migrated it). */
  const query = async (sql: string, params: unknown[] = []) => {
    if (!pool) {
      pool = new pg.Pool({ connectionString: made.url, max: 1 });
      // An idle connection ended by the test's own DROP DATABASE … WITH (FORCE) is no failure of the command.
      pool.on('error', () => undefined);
    }
    return postgresExec(pool)(sql, params);
  };
  /** The one number a COUNT(*) query answers (pg reads a bigint as text). */
  const count = async (sql: string, params: unknown[] = []) => Number(Object.values((await query(sql, params))[0])[0]);

  /** A resident's submission whose category the staff corrected, written by the app's own services. */
  const correctOnPostgres = async (text: string, category: string) => {
    const { campaignId } = await createIntakeFixtureOn((sql, params) => query(sql, params));
    const database = await postgresDatabase(made.url);
    const ctx = createContext(loadConfig({ DATA_DIR: data.dir }), database);
    try {
      const { submission } = await ctx.submissionService.record({ campaignId, idempotencyKey: 'corrected', kind: 'suggestion', text });
      await ctx.classify.correct(submission, await count('SELECT id FROM categories WHERE name = ?', [category]), null);
    } finally {
      await ctx.stopAll();
      await database.close();
    }
  };

  it('create-user migrates a new database and writes an account that can log in; a taken name is refused', async () => {
    const r = await run(['create-user', '--username', 'zhang', '--role', 'admin']);
    expect(r.code).toBe(0);
    expect(r.text()).toContain(`数据库 Database: ${describePostgres(made.url)}`);
    expect(r.text()).not.toContain(new URL(made.url).password || '\0');
    const password = /Password \(shown only once\): (\S+)/.exec(r.text())![1];
    const [user] = await query("SELECT role, password_hash FROM users WHERE username = 'zhang'");
    expect(user.role).toBe('admin');
    expect(await verifyPassword(password, String(user.password_hash))).toBe(true);

    const again = await run(['create-user', '--username', 'zhang', '--role', 'staff']);
    expect(again.code).toBe(2);
    expect(again.errors()).toContain('Username "zhang" is taken.');
    // Nothing was created for this refusal, so nothing is said to be removed.
    expect(again.errors()).not.toContain('已删除');
    expect(await count('SELECT COUNT(*) AS n FROM users')).toBe(1);
  });

  it('demo seeds the database (backdated submissions included); campaigns and qr-list then list it', async () => {
    const demo = await run(['demo']);
    expect(demo.errors()).toBe('');
    expect(demo.code).toBe(0);
    const [campaign] = await query('SELECT id FROM campaigns WHERE title = ?', [DEMO_CAMPAIGN_TITLE]);
    const id = Number(campaign.id);
    expect(await count('SELECT COUNT(*) AS n FROM submissions')).toBe(275);
    // Spread over the campaign's days, not all stamped with the moment of the load.
    expect(await count('SELECT COUNT(DISTINCT substr(created_at, 1, 10)) FROM submissions')).toBeGreaterThan(15);
    expect(await count("SELECT COUNT(*) FROM issues WHERE status = 'resolved'")).toBeGreaterThan(0);

    const campaigns = await run(['campaigns']);
    expect(campaigns.code).toBe(0);
    expect(campaigns.out).toHaveLength(1);
    expect(campaigns.out[0]).toMatch(new RegExp(`^${id}\\t[^\\t]+\\t[\\d-]+~[\\d-]+\\t275\\t${DEMO_CAMPAIGN_TITLE}$`));

    const qr = await run(['qr-list', '--campaign', String(id)]);
    expect(qr.code).toBe(0);
    expect(qr.out).toHaveLength(await count('SELECT COUNT(*) FROM qr_codes WHERE campaign_id = ?', [id]));
    for (const line of qr.out) expect(line).toMatch(/^http:\/\/demo\.example\/\S+\t\S/);

    // Loaded once only: refused again without --force, pointing to a fresh PostgreSQL database rather than DATA_DIR.
    const refused = await run(['demo']);
    expect(refused.code).toBe(2);
    expect(refused.errors()).toContain('275 条意见');
    expect(refused.errors()).toContain('createdb linsheng_demo');
    const forced = await run(['demo', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.text()).toContain('nothing was duplicated');
    expect(await count('SELECT COUNT(*) AS n FROM submissions')).toBe(275);
  }, 120_000);

  it('import reports the bad rows by row number, and importing again adds nothing', async () => {
    expect((await run(['migrate'])).code).toBe(0);
    const f = await createIntakeFixtureOn((sql, params) => query(sql, params));
    const first = await run(['import', SAMPLE_CSV, '--campaign', String(f.campaignId), '--accept-old-dates']);
    expect(first.errors()).toBe('');
    expect(first.code).toBe(0);
    expect(first.out[2]).toBe('导入 14 条；已导入过（跳过）0 条；有问题未导入 6 条');
    // The CSV's row numbers (its header is row 1; the .xlsx has a title row above it).
    expect(first.out).toContain('  第 9 行：电话号码不正确（“1381234567”）');
    expect(first.out).toContain('  第 15 行：与第 2 行重复');
    expect(await count('SELECT COUNT(*) AS n FROM submissions')).toBe(14);

    const second = await run(['import', SAMPLE_CSV, '--campaign', String(f.campaignId), '--accept-old-dates']);
    expect(second.code).toBe(0);
    expect(second.out[2]).toBe('导入 0 条；已导入过（跳过）14 条；有问题未导入 6 条');
    expect(await count('SELECT COUNT(*) AS n FROM submissions')).toBe(14);

    const unknown = await run(['import', SAMPLE_CSV, '--campaign', '999']);
    expect(unknown.code).toBe(2);
    expect(unknown.errors()).toContain('No campaign with id 999');
  });

  it('classify and group read the database and print their results', async () => {
    const classify = await run(['classify'], '电梯坏了好几天，请尽快维修\n楼上装修噪音太大，邻居不听劝\n');
    expect(classify.errors()).toBe('');
    expect(classify.code).toBe(0);
    expect(classify.out).toEqual(['设施维修\t电梯坏了好几天，请尽快维修', '邻里纠纷\t楼上装修噪音太大，邻居不听劝']);

    // The staff's corrections in this database count, as on SQLite (test/classify/cli.test.ts).
    const text = '小区东门的快递柜总是满的，取件要排队';
    expect((await run(['classify'], text + '\n')).out[0]).not.toMatch(/^物业管理\t/);
    await correctOnPostgres(text, '物业管理');
    const corrected = await run(['classify'], '东门快递柜经常满了，取快递要排好久的队\n');
    expect(corrected.out).toEqual(['物业管理\t东门快递柜经常满了，取快递要排好久的队']);

    const lines = ['永安社区\t3号楼电梯坏了好几天，请尽快维修', '永安社区\t3号楼电梯又坏了，请尽快修好', '庆丰社区\t3号楼电梯坏了好几天，请尽快维修'];
    const group = await run(['group'], lines.join('\n') + '\n');
    expect(group.errors()).toBe('');
    expect(group.code).toBe(0);
    expect(group.out.map((l) => l.split('\t').slice(1).join('\t'))).toEqual(lines);
    const ids = group.out.map((l) => l.split('\t')[0]);
    // The same lift in one community is one problem; never one group across two communities.
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });
});
