import request from 'supertest';
import { loginAs, type TestApp } from '../helpers/app';
import { categoryIdOf, type DashboardSeed, useDashboardFixture } from '../helpers/dashboard-factories';

describe('dashboard pages', () => {
  let t: TestApp;
  let seed: DashboardSeed;
  useDashboardFixture((made) => ({ t, seed } = made));

  it('sends anonymous visitors to the login page', async () => {
    for (const url of [`/campaigns/${seed.campaignId}/dashboard`, `/subdistricts/${seed.subdistrict}/dashboard`, '/dashboard']) {
      const res = await request(t.app).get(url).set('Accept', 'text/html');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/login?next=' + encodeURIComponent(url));
    }
  });

  it('refuses grid workers and claimers', async () => {
    for (const role of ['grid_worker', 'claimer'] as const) {
      const agent = await loginAs(t, role, { gridIds: role === 'grid_worker' ? [seed.yonganGrid] : [] });
      expect((await agent.get(`/campaigns/${seed.campaignId}/dashboard`)).status).toBe(403);
    }
  });

  it('shows the campaign figures, the charts as inline SVG and the per-QR table to an admin', async () => {
    const agent = await loginAs(t, 'admin');
    const res = await agent.get(`/campaigns/${seed.campaignId}/dashboard`);
    expect(res.status).toBe(200);
    const figure = (label: string) => new RegExp(`<strong>([^<]+)</strong><span>${label}`).exec(res.text)?.[1];
    expect(figure('发放二维码')).toBe('4');
    expect(figure('扫码')).toBe('55');
    expect(figure('收集意见')).toBe('10');
    expect(res.text).toContain('线上 7 · 线下 3');
    expect(figure('微心愿')).toBe('2');
    expect(figure('梳理问题')).toBe('4');
    expect(figure('已认领')).toBe('2');
    expect(figure('已办结')).toBe('1');
    expect(figure('办结率')).toBe('25.0%');
    expect(figure('满意度')).toBe('66.7%');
    expect(res.text).toContain('在职党员 1 人 · 共建单位 1 个');
    expect(res.text.match(/<svg [^>]*role="img"/g)).toHaveLength(4);
    expect(res.text).toContain('<title id="chart-category-t">按分类</title>');
    expect(res.text).toContain('<title>线上扫码：7条</title>');
    expect(res.text).toMatch(/<td data-label="二维码">永安社区 3号楼公告栏<\/td><td data-label="位置">永安社区<\/td>\s*<td data-label="扫码（次）" class="num">40<\/td><td data-label="意见（条）" class="num">4<\/td><td data-label="转化率" class="num">10.0%<\/td>/);
    // No script on the page and no inline styles, as the CSP demands.
    expect(res.text).not.toMatch(/<script|style=/);
  });

  it('escapes a category named <script> in the charts', async () => {
    const id = Number(t.db.prepare("INSERT INTO categories (name, sort_order) VALUES ('<script>alert(1)</script>', 200)").run().lastInsertRowid);
    t.db.prepare('UPDATE submissions SET category_id = ? WHERE id = ?').run(id, seed.s.b3);
    try {
      const agent = await loginAs(t, 'admin');
      const res = await agent.get(`/campaigns/${seed.campaignId}/dashboard`);
      expect(res.status).toBe(200);
      expect(res.text).not.toContain('<script>alert(1)</script>');
      expect(res.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    } finally {
      t.db.prepare('UPDATE submissions SET category_id = NULL WHERE id = ?').run(seed.s.b3);
      t.db.prepare('DELETE FROM categories WHERE id = ?').run(id);
    }
  });

  it('shows a community\'s staff only their community, and hides the campaign from another office', async () => {
    const qingfeng = await loginAs(t, 'staff', { scopePlaceId: seed.qingfeng });
    const res = await qingfeng.get(`/campaigns/${seed.campaignId}/dashboard`);
    expect(res.status).toBe(200);
    expect(/<strong>([^<]+)<\/strong><span>收集意见/.exec(res.text)?.[1]).toBe('4');
    expect(res.text).toContain('只含您负责的社区的数据');
    expect(res.text).not.toContain('永安社区 3号楼公告栏');
    // Asking for another community through the filter gives nothing, not its data.
    const probe = await qingfeng.get(`/campaigns/${seed.campaignId}/dashboard?community=${seed.yongan}`);
    expect(/<strong>([^<]+)<\/strong><span>收集意见/.exec(probe.text)?.[1]).toBe('0');

    const other = await loginAs(t, 'staff', { scopePlaceId: seed.otherSub });
    expect((await other.get(`/campaigns/${seed.campaignId}/dashboard`)).status).toBe(404);
    expect((await other.get(`/subdistricts/${seed.subdistrict}/dashboard`)).status).toBe(404);
  });

  it('gives the sub-district dashboard with a row per campaign to its staff', async () => {
    const staff = await loginAs(t, 'staff', { scopePlaceId: seed.subdistrict });
    const res = await staff.get(`/subdistricts/${seed.subdistrict}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('建中街街道 · 数据看板');
    expect(/<strong>([^<]+)<\/strong><span>收集意见/.exec(res.text)?.[1]).toBe('10');
    expect(res.text).toContain(`<a href="/campaigns/${seed.campaignId}/dashboard">春季民生征求意见</a>`);
    expect((await staff.get(`/dashboard?subdistrict=${seed.subdistrict}`)).headers.location).toBe(`/subdistricts/${seed.subdistrict}/dashboard`);
    const index = await staff.get('/dashboard');
    expect(index.status).toBe(200);
    expect(index.text).toContain(`/subdistricts/${seed.subdistrict}/dashboard`);
    expect(index.text).not.toContain(`/subdistricts/${seed.otherSub}/dashboard`);
  });

  it('switches the time chart to weeks and answers bad ids and filters calmly', async () => {
    const agent = await loginAs(t, 'admin');
    const weekly = await agent.get(`/campaigns/${seed.campaignId}/dashboard?by=week&community=abc`);
    expect(weekly.status).toBe(200);
    expect(weekly.text).toContain('每周收到的意见');
    expect((await agent.get('/campaigns/abc/dashboard')).status).toBe(404);
    expect((await agent.get('/campaigns/999999/dashboard')).status).toBe(404);
    expect((await agent.get(`/subdistricts/${seed.yongan}/dashboard`)).status).toBe(404);
  });

  it('counts a corrected category at once', async () => {
    const agent = await loginAs(t, 'admin');
    t.db.prepare('UPDATE submissions SET category_id = ? WHERE id = ?').run(categoryIdOf(t.db, '邻里纠纷'), seed.s.x1);
    try {
      const res = await agent.get(`/campaigns/${seed.campaignId}/dashboard`);
      expect(res.text).toContain('<title>邻里纠纷：1条</title>');
    } finally {
      t.db.prepare('UPDATE submissions SET category_id = ? WHERE id = ?').run(categoryIdOf(t.db, '其他'), seed.s.x1);
    }
  });
});
