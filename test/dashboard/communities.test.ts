import request from 'supertest';
import { openDb, type Db } from '../../src/db/open-db';
import { createDashboardRepo } from '../../src/dashboard/repo';
import { sqliteEngine } from '../../src/db/engine';
import { campaignSlice, type Reach } from '../../src/access/rules';
import { loginAs, type TestApp } from '../helpers/app';
import { seedDashboard, type DashboardSeed, useDashboardFixture } from '../helpers/dashboard-factories';

/** The per-community table's rows as the page shows them: [name, 建议, 问题, 已认领, 已办结, 办结率, 满意度]. */
function tableRows(html: string): string[][] {
  const section = /<section class="dash-section dash-communities">([\s\S]*?)<\/section>/.exec(html)?.[1];
  if (!section) return [];
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)![1];
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1].replace(/<small[\s\S]*?<\/small>/g, '').replace(/<[^>]+>/g, '').trim()));
}

const figure = (html: string, label: string) => new RegExp(`<strong>([^<]+)</strong><span>${label}`).exec(html)?.[1];

describe('the per-community table of a sub-district dashboard', () => {
  let t: TestApp;
  let seed: DashboardSeed;
  useDashboardFixture((made) => ({ t, seed } = made));

  it('gives the sub-district head one row per community, with the figures defined as the headline ones', async () => {
    const head = await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict });
    const res = await head.get(`/subdistricts/${seed.subdistrict}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('各社区情况');
    // 永安: 5 submissions of which 1 wish; issues resolved + in progress, both claimed; ratings 满意 + 基本满意.
    // 庆丰: 4 submissions of which 1 wish; issues new + declined, none claimed; one 不满意.
    // One suggestion names no community. The total row equals the headline figures.
    expect(tableRows(res.text)).toEqual([
      ['永安社区', '4', '2', '2', '1', '50.0%', '100.0%'],
      ['庆丰社区', '3', '2', '0', '0', '0.0%', '0.0%'],
      ['未填社区', '1', '0', '0', '0', '—', '—'],
      ['合计', '8', '4', '2', '1', '25.0%', '66.7%'],
    ]);
    expect(figure(res.text, '办结率')).toBe('25.0%');
    expect(figure(res.text, '满意度')).toBe('66.7%');
    expect(figure(res.text, '已认领')).toBe('2');
    // Each community links to the dashboard narrowed to it; the by-community chart is there too.
    expect(res.text).toContain(`href="/subdistricts/${seed.subdistrict}/dashboard?community=${seed.yongan}"`);
    expect(res.text).toContain('<title id="chart-community-t">按社区</title>');
  });

  it('lists a community with nothing yet, so the head sees who has not started', async () => {
    const empty = Number(t.db.prepare("INSERT INTO places (kind, parent_id, name) VALUES ('community', ?, '和平社区')").run(seed.subdistrict).lastInsertRowid);
    try {
      const head = await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict });
      const rows = tableRows((await head.get(`/subdistricts/${seed.subdistrict}/dashboard`)).text);
      expect(rows.find((r) => r[0] === '和平社区')).toEqual(['和平社区', '0', '0', '0', '0', '—', '—']);
      expect(rows[rows.length - 1]).toEqual(['合计', '8', '4', '2', '1', '25.0%', '66.7%']);
    } finally {
      t.db.prepare('DELETE FROM places WHERE id = ?').run(empty);
    }
  });

  it('sorts the category chart by count', async () => {
    const head = await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict });
    const res = await head.get(`/subdistricts/${seed.subdistrict}/dashboard`);
    const svg = /<svg[^>]*aria-labelledby="chart-category[\s\S]*?<\/svg>/.exec(res.text)![0];
    const bars = [...svg.matchAll(/<title>([^<：]+)：(\d+)条<\/title>/g)].map((m) => [m[1], Number(m[2])]);
    expect(bars).toEqual([['环境卫生', 3], ['停车交通', 2], ['养老服务', 2], ['设施维修', 1], ['其他', 1], ['未分类', 1]]);
  });

  it('shows a community\'s staff no by-community chart or table, and nothing of the other community', async () => {
    const qingfeng = await loginAs(t, 'staff', { scopePlaceId: seed.qingfeng });
    for (const url of [`/campaigns/${seed.campaignId}/dashboard`, `/subdistricts/${seed.subdistrict}/dashboard`]) {
      const res = await qingfeng.get(url);
      expect(res.status).toBe(200);
      expect(figure(res.text, '收集意见')).toBe('4');
      expect(res.text).not.toContain('各社区情况');
      expect(res.text).not.toContain('chart-community');
      expect(res.text).not.toContain('<h2>按社区</h2>');
      expect(res.text).not.toContain('永安社区');
      expect(res.text.match(/<svg [^>]*role="img"/g)).toHaveLength(3);
    }
  });

  it('drops the one-bar chart when the page is filtered to one community', async () => {
    const head = await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict });
    const res = await head.get(`/subdistricts/${seed.subdistrict}/dashboard?community=${seed.yongan}`);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('各社区情况');
    expect(res.text).not.toContain('chart-community');
    expect(figure(res.text, '收集意见')).toBe('5');
  });
});

describe('the per-community counts', () => {
  let db: Db;
  let seed: DashboardSeed;
  beforeAll(() => {
    db = openDb({ file: ':memory:' });
    seed = seedDashboard(db);
  });
  afterAll(() => db.close());

  it('never read the submissions table: summary counts and the issues\' own indexes only', async () => {
    const seen: string[] = [];
    const spy = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'prepare') return (sql: string) => { seen.push(sql); return target.prepare(sql); };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const reach = { communityIds: [seed.yongan, seed.qingfeng], gridIds: null, serves: [], scopeKind: null } as Reach;
    const engine = sqliteEngine(spy);
    const counts = await createDashboardRepo(engine.queries).perCommunity(campaignSlice({ reach }, 'manage', [seed.campaignId]));
    await engine.close();
    expect(counts.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBe(4);
    const plans = seen.map((sql) => {
      const n = (sql.match(/\?/g) ?? []).length;
      return (db.prepare('EXPLAIN QUERY PLAN ' + sql).all(...Array(n).fill(1)) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    });
    for (const plan of plans) {
      expect(plan).not.toMatch(/\bsubmissions\b(?!_)/);
      expect(plan).not.toMatch(/^SCAN|\| SCAN/);
    }
    expect(plans[0]).toMatch(/^SEARCH submission_counts_daily USING PRIMARY KEY \(campaign_id=\?/);
    for (const plan of plans.slice(1)) expect(plan).toMatch(/^SEARCH i USING (COVERING )?INDEX issues_campaign_community \(campaign_id=\?/);
  });
});
