import Database from 'better-sqlite3';
import { openDb, type Db } from '../../src/db/open-db';
import { loadMigrations, migrate } from '../../src/db/migrate';
import { seedDashboard, insertSubmission } from '../helpers/dashboard-factories';

/** The summary tables as they should be: recomputed from every submission. */
function expected(db: Db) {
  const nz = (rows: unknown[]) => rows as Array<Record<string, unknown>>;
  return {
    daily: nz(db.prepare(`SELECT campaign_id, IFNULL(community_id, 0) AS community_id,
        COALESCE(date(collected_on), date(created_at, '+8 hours')) AS day, channel, kind, COUNT(*) AS n
      FROM submissions GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`).all()),
    category: nz(db.prepare(`SELECT campaign_id, IFNULL(community_id, 0) AS community_id, IFNULL(category_id, 0) AS category_id, COUNT(*) AS n
      FROM submissions GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`).all()),
    qr: nz(db.prepare('SELECT qr_code_id, COUNT(*) AS n FROM submissions WHERE qr_code_id IS NOT NULL GROUP BY 1 ORDER BY 1').all()),
  };
}
function actual(db: Db) {
  return {
    daily: db.prepare('SELECT campaign_id, community_id, day, channel, kind, n FROM submission_counts_daily WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5').all(),
    category: db.prepare('SELECT campaign_id, community_id, category_id, n FROM submission_counts_category WHERE n <> 0 ORDER BY 1, 2, 3').all(),
    qr: db.prepare('SELECT qr_code_id, n FROM submission_counts_qr WHERE n <> 0 ORDER BY 1').all(),
  };
}

describe('dashboard summary counts (migration 040)', () => {
  it('follow inserts, every kind of update and deletes', () => {
    const db = openDb({ file: ':memory:' });
    const seed = seedDashboard(db);
    expect(actual(db)).toEqual(expected(db));
    const cats = db.prepare('SELECT id FROM categories').pluck().all() as number[];
    const qrs = Object.values(seed.qr);
    const communities = [seed.yongan, seed.qingfeng, null];
    let x = 7;
    const rnd = (n: number) => { x = (x * 1103515245 + 12345) % 2147483648; return x % n; };
    const pick = <T>(a: readonly T[]) => a[rnd(a.length)];
    for (let i = 0; i < 300; i++) {
      const ids = db.prepare('SELECT id FROM submissions').pluck().all() as number[];
      const id = pick(ids);
      switch (rnd(8)) {
        case 0: case 1:
          insertSubmission(db, { campaignId: seed.campaignId, communityId: pick(communities), categoryId: pick([...cats, null]),
            qrCodeId: pick([...qrs, null]), channel: pick(['online', 'meeting', 'hotline'] as const), kind: pick(['wish', 'suggestion'] as const),
            createdAt: `2026-03-${String(1 + rnd(28)).padStart(2, '0')}T${String(rnd(24)).padStart(2, '0')}:30:00.000Z`,
            collectedOn: pick([null, null, '2026-02-27']) });
          break;
        case 2: db.prepare('UPDATE submissions SET category_id = ? WHERE id = ?').run(pick([...cats, null]), id); break;
        case 3: db.prepare('UPDATE submissions SET community_id = ? WHERE id = ?').run(pick(communities), id); break;
        case 4: db.prepare('UPDATE submissions SET channel = ?, kind = ? WHERE id = ?').run(pick(['online', 'paper_survey']), pick(['wish', 'suggestion']), id); break;
        case 5: db.prepare('UPDATE submissions SET qr_code_id = ?, collected_on = ? WHERE id = ?').run(pick([...qrs, null]), pick([null, '2026-03-05']), id); break;
        // Changes that must not touch the counts at all.
        case 6: db.prepare('UPDATE submissions SET reply = ?, issue_id = NULL WHERE id = ?').run('已处理', id); break;
        case 7:
          db.prepare('DELETE FROM feedback WHERE submission_id = ?').run(id);
          db.prepare('DELETE FROM submissions WHERE id = ?').run(id);
          break;
      }
    }
    expect(actual(db)).toEqual(expected(db));
    db.close();
  });

  it('are filled from the submissions already there when the migration runs', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    const all = loadMigrations();
    migrate(db, all.filter((m) => m.version < 40));
    const seedDb = db as unknown as Db;
    // seedDashboard uses repos that only need the pre-040 schema.
    seedDashboard(seedDb);
    migrate(db, all);
    const e = expected(seedDb);
    expect(e.daily.length).toBeGreaterThan(5);
    expect(actual(seedDb)).toEqual(e);
    db.close();
  });

  it('cost no full scan: the dashboard reads only the summary tables for submissions', () => {
    const db = openDb({ file: ':memory:' });
    const plan = (sql: string) => (db.prepare('EXPLAIN QUERY PLAN ' + sql).all() as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    expect(plan('SELECT day, channel, kind, SUM(n) FROM submission_counts_daily WHERE campaign_id IN (1) GROUP BY day, channel, kind'))
      .toMatch(/SEARCH submission_counts_daily USING PRIMARY KEY \(campaign_id=\?\)/);
    expect(plan('SELECT f.rating, COUNT(*) FROM issues i CROSS JOIN feedback f ON f.issue_id = i.id WHERE i.campaign_id IN (1) GROUP BY f.rating'))
      .toMatch(/SEARCH i USING COVERING INDEX issues_campaign_status \(campaign_id=\?\).*SEARCH f USING INDEX feedback_issue/);
    db.close();
  });
});
