import fs from 'node:fs';
import { verifyPassword } from '../../src/auth/password';
import { main } from '../../src/cli/main';
import { dbFile, openDb } from '../../src/db/open-db';
import { DEMO_CAMPAIGN_TITLE } from '../../src/demo/data';
import { createUser } from '../helpers/app';
import { captureIo, tempDataDir } from '../helpers/cli-io';

describe('npx linsheng demo', () => {
  let dir: string;
  let cleanup: () => void;
  beforeAll(() => ({ dir, cleanup } = tempDataDir('linsheng-demo-')));
  afterAll(() => cleanup());
  const run = async (...args: string[]) => {
    const c = captureIo({ DATA_DIR: dir, BASE_URL: 'http://demo.example' });
    return { code: await main(['demo', ...args], c.io), ...c };
  };

  let first: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => { first = await run(); }, 60_000);

  it('loads 二七区 → 建中街街道 with 15 communities, their grids and compounds', () => {
    expect(first.code).toBe(0);
    const db = openDb({ file: dbFile(dir) });
    const count = (sql: string, ...p: unknown[]) => db.prepare(sql).pluck().get(...p) as number;
    expect(count("SELECT COUNT(*) FROM places WHERE kind = 'community'")).toBe(15);
    for (const name of ['铁路陇海家园社区', '庆丰社区', '交通路社区', '永安社区', '建华社区']) {
      expect(count("SELECT COUNT(*) FROM places WHERE kind = 'community' AND name = ?", name)).toBe(1);
    }
    const grids = db.prepare(`SELECT c.name, COUNT(g.id) n FROM places c LEFT JOIN places g ON g.parent_id = c.id AND g.kind = 'grid'
      WHERE c.kind = 'community' GROUP BY c.id`).all() as Array<{ n: number }>;
    for (const g of grids) { expect(g.n).toBeGreaterThanOrEqual(3); expect(g.n).toBeLessThanOrEqual(6); }
    expect(count("SELECT no_property_company FROM places WHERE kind = 'compound' AND name = '交通路32号院'")).toBe(1);
    db.close();
  });

  it('opens the campaign with all categories, QR codes and a realistic spread of submissions, categorized', () => {
    const db = openDb({ file: dbFile(dir) });
    const count = (sql: string, ...p: unknown[]) => db.prepare(sql).pluck().get(...p) as number;
    const campaign = db.prepare('SELECT * FROM campaigns WHERE title = ?').get(DEMO_CAMPAIGN_TITLE) as { id: number; status: string };
    expect(campaign.status).toBe('open');
    expect(count('SELECT COUNT(*) FROM campaign_communities WHERE campaign_id = ?', campaign.id)).toBe(15);
    expect(count('SELECT COUNT(*) FROM campaign_categories WHERE campaign_id = ?', campaign.id)).toBe(count('SELECT COUNT(*) FROM categories WHERE active = 1'));
    const qr = count('SELECT COUNT(*) FROM qr_codes WHERE campaign_id = ?', campaign.id);
    expect(qr).toBeGreaterThanOrEqual(60);
    expect(qr).toBeLessThanOrEqual(163);
    expect(count('SELECT COUNT(*) FROM submissions WHERE campaign_id = ?', campaign.id)).toBe(275);
    expect(count("SELECT COUNT(*) FROM submissions WHERE channel = 'online' AND qr_code_id IS NOT NULL")).toBe(136);
    expect(count("SELECT COUNT(DISTINCT channel) FROM submissions WHERE channel != 'online'")).toBe(5);
    const wishes = count("SELECT COUNT(*) FROM submissions WHERE kind = 'wish'");
    expect(wishes).toBeGreaterThan(110);
    expect(wishes).toBeLessThan(165);
    // The classifier ran: every default category is used, a few vague texts wait in triage with no category.
    expect(count('SELECT COUNT(DISTINCT category_id) FROM submissions')).toBe(11);
    expect(count('SELECT COUNT(*) FROM submissions WHERE needs_triage = 1 AND category_id IS NULL')).toBeGreaterThan(0);
    expect(count('SELECT COUNT(*) FROM submissions WHERE category_id IS NULL AND needs_triage = 0')).toBe(0);
    expect(count("SELECT COUNT(DISTINCT date(created_at, '+8 hours')) FROM submissions")).toBeGreaterThan(15);
    expect(count("SELECT COUNT(*) FROM submissions WHERE resident_phone GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'")).toBeGreaterThan(100);
    expect(count('SELECT SUM(scan_count) FROM qr_codes')).toBeGreaterThan(136);
    db.close();
  });

  it('walks issues through the whole loop: grouped, on the menu, claimed by both claimers, resolved, rated, audited', () => {
    const db = openDb({ file: dbFile(dir) });
    const count = (sql: string, ...p: unknown[]) => db.prepare(sql).pluck().get(...p) as number;
    const campaignId = count('SELECT id FROM campaigns WHERE title = ?', DEMO_CAMPAIGN_TITLE);
    const issues = count('SELECT COUNT(*) FROM issues WHERE campaign_id = ?', campaignId);
    expect(issues).toBeGreaterThanOrEqual(20);
    // Every stage of the lifecycle is there, exactly one declined with its reason for the resident.
    const statuses = db.prepare('SELECT status, COUNT(*) n FROM issues GROUP BY status').all() as Array<{ status: string; n: number }>;
    expect(statuses.map((s) => s.status).sort()).toEqual(['accepted', 'claimed', 'declined', 'in_progress', 'new', 'on_menu', 'resolved']);
    expect(count("SELECT COUNT(*) FROM issues WHERE status = 'declined' AND length(decline_reason) > 5")).toBe(1);
    expect(count('SELECT COUNT(DISTINCT priority) FROM issues')).toBe(3);
    // The planted near-duplicates were merged: the broken lift in 建华北院 is one issue with several residents.
    expect(count('SELECT MAX(n) FROM (SELECT COUNT(*) n FROM submissions WHERE issue_id IS NOT NULL GROUP BY issue_id)')).toBeGreaterThanOrEqual(4);
    const lift = db.prepare(`SELECT COUNT(DISTINCT issue_id) issues, COUNT(*) n FROM submissions
      WHERE text LIKE '%2号楼%电梯%' AND issue_id IS NOT NULL AND community_id = (SELECT id FROM places WHERE name = '建华社区')`)
      .get() as { issues: number; n: number };
    expect(lift.issues).toBe(1);
    expect(lift.n).toBeGreaterThanOrEqual(4);
    // Work stays for newcomers to try: unassigned submissions and the vague ones in triage are not grouped.
    expect(count('SELECT COUNT(*) FROM submissions WHERE issue_id IS NULL')).toBeGreaterThan(100);
    expect(count('SELECT COUNT(*) FROM submissions WHERE needs_triage = 1 AND issue_id IS NOT NULL')).toBe(0);
    // Resolved issues carry a staff reply and at least one rating on a receipt; claimed ones a progress note.
    expect(count("SELECT COUNT(*) FROM issues WHERE status = 'resolved' AND (reply IS NULL OR resolved_at IS NULL)")).toBe(0);
    expect(count(`SELECT COUNT(*) FROM issues i WHERE status = 'resolved'
      AND NOT EXISTS (SELECT 1 FROM feedback f JOIN submissions s ON s.id = f.submission_id WHERE f.issue_id = i.id AND s.issue_id = i.id)`)).toBe(0);
    expect(count('SELECT COUNT(DISTINCT rating) FROM feedback')).toBeGreaterThanOrEqual(2);
    expect(count(`SELECT COUNT(*) FROM issues i JOIN service_items si ON si.issue_id = i.id JOIN claims c ON c.service_item_id = si.id
      JOIN claim_notes n ON n.claim_id = c.id WHERE i.status = 'in_progress'`)).toBeGreaterThan(0);
    // Both demo claimers hold claims on issues; standing services are on the menu, one claimed by each.
    const claimsBy = (username: string, standing: boolean) => count(`SELECT COUNT(*) FROM claims c JOIN users u ON u.id = c.claimer_user_id
      JOIN service_items si ON si.id = c.service_item_id WHERE u.username = ? AND (si.issue_id IS NULL) = ?`, username, standing ? 1 : 0);
    for (const username of ['dangyuan', 'sifaju']) {
      expect(claimsBy(username, false)).toBeGreaterThan(0);
      expect(claimsBy(username, true)).toBe(1);
    }
    const standing = db.prepare("SELECT title FROM service_items WHERE issue_id IS NULL AND status = 'open' AND published_at IS NOT NULL").pluck().all();
    expect(standing).toEqual(expect.arrayContaining(['帮独居老人买菜', '法律咨询', '义务理发']));
    // The services wrote the trail: every issue has its create row, every step its row, ratings by residents (no user).
    expect(count("SELECT COUNT(DISTINCT entity_id) FROM audit_log WHERE entity_type = 'issue' AND action = 'create'")).toBe(issues);
    for (const action of ['status', 'publish', 'claim', 'note', 'done', 'resolve', 'reply']) {
      expect(count("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'issue' AND action = ?", action)).toBeGreaterThan(0);
    }
    expect(count("SELECT COUNT(*) FROM audit_log WHERE action = 'feedback' AND user_id IS NULL")).toBe(count('SELECT COUNT(*) FROM feedback'));
    expect(count("SELECT COUNT(*) FROM audit_log WHERE entity_type = 'service_item' AND action = 'create_item'")).toBe(3);
    expect(first.text()).toMatch(/issues, service menu.*新增 added \d+.*resolved \d+.*declined 1/);
    db.close();
  });

  it('prints the demo accounts with passwords that work', async () => {
    const db = openDb({ file: dbFile(dir) });
    for (const username of ['admin', 'jianzhongjie', 'yongan', 'lina', 'dangyuan', 'sifaju']) {
      const m = new RegExp(`^\\s+${username}\\s+(\\S+)`, 'm').exec(first.text());
      expect(m).not.toBeNull();
      const hash = db.prepare('SELECT password_hash FROM users WHERE username = ?').pluck().get(username) as string;
      expect(await verifyPassword(m![1], hash)).toBe(true);
    }
    expect(db.prepare("SELECT COUNT(*) FROM user_grids ug JOIN users u ON u.id = ug.user_id WHERE u.username = 'lina'").pluck().get()).toBe(2);
    expect(first.text()).toContain('http://demo.example/login');
    db.close();
  });

  it('running it again is refused without --force; with --force it duplicates nothing and says so', async () => {
    const db = openDb({ file: dbFile(dir) });
    const loop = () => ['issues', 'service_items', 'claims', 'claim_notes', 'feedback', 'audit_log']
      .map((t) => db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get() as number);
    const before = loop();
    const refused = await run();
    expect(refused.code).toBe(2);
    expect(refused.out).toEqual([]);
    expect(refused.errors()).toContain(`数据库 ${dbFile(dir)} 里已有数据（1 个征求意见活动、275 条意见、122 个地点、管理员以外的 5 个账号）`);
    expect(refused.errors()).toContain('--force');
    expect(loop()).toEqual(before);
    // --force is how an interrupted load is completed, or the demo database topped up.
    const again = await run('--force');
    expect(again.code).toBe(0);
    expect(again.text()).toContain('nothing was duplicated');
    expect(again.text()).toMatch(/submissions.*新增 added 0/);
    expect(again.text()).toMatch(/issues, service menu.*新增 added 0，已有 existing [1-9]/);
    expect(loop()).toEqual(before);
    expect(db.prepare("SELECT COUNT(*) FROM submissions WHERE issue_id IS NOT NULL").pluck().get()).toBeGreaterThan(0);
    expect(db.prepare('SELECT COUNT(*) FROM submissions').pluck().get()).toBe(275);
    expect(db.prepare('SELECT COUNT(*) FROM places').pluck().get()).toBe(122);
    expect(db.prepare('SELECT COUNT(*) FROM campaigns').pluck().get()).toBe(1);
    db.close();
  }, 60_000);
});

describe('npx linsheng demo on a database that is not fresh', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDataDir('linsheng-demo-guard-')));
  afterEach(() => cleanup());
  const run = async (...args: string[]) => {
    const c = captureIo({ DATA_DIR: dir });
    return { code: await main(['demo', ...args], c.io), ...c };
  };
  const count = (table: string) => {
    const db = openDb({ file: dbFile(dir) });
    try { return db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number; } finally { db.close(); }
  };

  it('--help and -h print the help and touch no database', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await run(flag);
      expect(r.code).toBe(0);
      expect(r.text()).toContain('用法 Usage: npx linsheng demo [--force]');
      expect(r.text()).toContain('--force');
      expect(r.text()).toContain('退出码 Exit codes: 0');
      expect(r.err).toEqual([]);
    }
    expect(fs.existsSync(dbFile(dir))).toBe(false);
  });

  it('refuses a database that holds accounts or places of its own, changing nothing', async () => {
    const db = openDb({ file: dbFile(dir) });
    createUser(db, { username: 'admin', role: 'admin' });
    createUser(db, { username: 'wangli', role: 'staff' });
    db.close();
    const users = await run();
    expect(users.code).toBe(2);
    expect(users.errors()).toContain('管理员以外的 1 个账号');
    expect(users.errors()).toContain('1 user(s) besides the first admin');
    expect(users.errors()).toContain('DATA_DIR=./demo-data npx linsheng demo');
    expect(count('users')).toBe(2);
    expect(count('places')).toBe(0);

    const db2 = openDb({ file: dbFile(dir) });
    db2.prepare("DELETE FROM users WHERE username = 'wangli'").run();
    db2.prepare("INSERT INTO places (kind, name) VALUES ('district', '中原区')").run();
    db2.close();
    const places = await run();
    expect(places.code).toBe(2);
    expect(places.errors()).toContain('1 个地点');
    expect(count('places')).toBe(1);
  });

  it('loads into a database where the server has only created the first admin', async () => {
    const db = openDb({ file: dbFile(dir) });
    createUser(db, { username: 'admin', role: 'admin' });
    db.close();
    const r = await run();
    expect(r.code).toBe(0);
    expect(count('campaigns')).toBe(1);
  }, 60_000);
});
