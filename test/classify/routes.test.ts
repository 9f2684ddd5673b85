import request from 'supertest';
import { loginAs, makeTestApp, type TestApp } from '../helpers/app';
import { categoryId, key, makeClassifyCampaign } from '../helpers/classify-factories';
import { ensurePlace, ensureSubdistrict } from '../helpers/factories';

function setup() {
  const t = makeTestApp();
  const c = makeClassifyCampaign(t.db);
  const record = async (text: string, communityId: number) => (await t.app.ctx.submissionService.record({
    campaignId: c.campaignId, idempotencyKey: key(), kind: 'suggestion', text, communityId,
  })).submission;
  return { t, c, record };
}

const unclear = (t: TestApp, id: number) => t.db.prepare('SELECT needs_triage, category_id FROM submissions WHERE id = ?').get(id) as
  { needs_triage: number; category_id: number | null };

describe('triage inbox', () => {
  it('sends anonymous visitors to the login page', async () => {
    const { t, c } = setup();
    const res = await request(t.app).get(`/campaigns/${c.campaignId}/triage`);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login\?next=/);
  });

  it('refuses grid workers and claimers', async () => {
    const { t, c } = setup();
    for (const role of ['grid_worker', 'claimer'] as const) {
      const agent = await loginAs(t, role);
      expect((await agent.get(`/campaigns/${c.campaignId}/triage`)).status).toBe(403);
    }
  });

  it('lists submissions waiting for a category with suggestions, escaped, within the staff member’s scope', async () => {
    const { t, c, record } = setup();
    const mine = await record('<script>alert(1)</script>今天天气不错', c.yongan);
    const theirs = await record('周末天气很好啊', c.qingfeng);
    const clear = await record('电梯坏了，请尽快维修', c.yongan);
    expect(unclear(t, mine.id).needs_triage).toBe(1);
    expect(unclear(t, theirs.id).needs_triage).toBe(1);
    expect(unclear(t, clear.id).needs_triage).toBe(0);

    const admin = await loginAs(t, 'admin');
    const all = await admin.get(`/campaigns/${c.campaignId}/triage`).expect(200);
    expect(all.text).toContain('待分类意见');
    expect(all.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;今天天气不错');
    expect(all.text).not.toContain('<script>alert(1)');
    expect(all.text).toContain('周末天气很好啊');
    expect(all.text).not.toContain('电梯坏了，请尽快维修');
    expect(all.text).toContain(`action="/submissions/${mine.id}/category"`);
    expect(all.text).toContain('name="_csrf"');

    const staff = await loginAs(t, 'staff', { scopePlaceId: c.yongan });
    const own = await staff.get(`/campaigns/${c.campaignId}/triage`).expect(200);
    expect(own.text).toContain('今天天气不错');
    expect(own.text).not.toContain('周末天气很好啊');
  });

  it('answers 404, as the campaign page does, to staff who may not see the campaign', async () => {
    const { t, c } = setup();
    const outside = ensurePlace(t.db, 'community', c.subdistrictId, '建华社区');
    const otherSub = ensureSubdistrict(t.db, '淮河路街道').subdistrictId;
    for (const scopePlaceId of [outside, otherSub]) {
      const staff = await loginAs(t, 'staff', { scopePlaceId });
      await staff.get(`/campaigns/${c.campaignId}`).expect(404);
      const res = await staff.get(`/campaigns/${c.campaignId}/triage`);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('冬季征求意见');
    }
    // Staff of one covered community still reach it.
    const own = await loginAs(t, 'staff', { scopePlaceId: c.qingfeng });
    expect((await own.get(`/campaigns/${c.campaignId}/triage`)).status).toBe(200);
  });

  it('pages by plain decimal page numbers only; anything else is the first page, too far is the last', async () => {
    const { t, c, record } = setup();
    for (let i = 0; i < 120; i++) (await record(`今天天气不错 ${i}`, c.yongan)); // 50 a page: three pages
    const admin = await loginAs(t, 'admin');
    const pageOf = async (query: string) => {
      const res = await admin.get(`/campaigns/${c.campaignId}/triage${query}`).expect(200);
      return /第 (\d+) \/ (\d+) 页/.exec(res.text)?.slice(1).join('/');
    };
    expect(await pageOf('')).toBe('1/3');
    expect(await pageOf('?page=2')).toBe('2/3');
    expect(await pageOf('?page=999')).toBe('3/3');
    expect(await pageOf('?page=2&page=3')).toBe('2/3');
    // z.coerce.number read these as pages 16, 1000, 2, 2 and 2; they are not page numbers.
    for (const bad of ['0x10', '1e3', '0x2', '2e0', '%202', '2.0', 'abc', '0', '-2']) expect(await pageOf(`?page=${bad}`)).toBe('1/3');
  });

  it('answers 404 for an unknown campaign', async () => {
    const { t } = setup();
    const admin = await loginAs(t, 'admin');
    expect((await admin.get('/campaigns/99999/triage')).status).toBe(404);
    expect((await admin.get('/campaigns/abc/triage')).status).toBe(404);
  });
});

describe('category correction', () => {
  it('sets the category, clears triage, and learns for the next similar text', async () => {
    const { t, c, record } = setup();
    const s = await record('东门外的早点摊一直占着人行道摆桌子', c.yongan);
    const wanted = categoryId(t.db, '停车交通');
    const before = (await t.app.ctx.classify.suggest('东门外早点摊占着人行道摆桌子', c.campaignId))[0];
    const staff = await loginAs(t, 'staff', { scopePlaceId: c.subdistrictId });
    const res = await staff.post(`/submissions/${s.id}/category`).type('form')
      .send({ _csrf: staff.csrf, categoryId: String(wanted), next: `/campaigns/${c.campaignId}/triage?page=1` });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/campaigns/${c.campaignId}/triage?page=1`);
    expect(unclear(t, s.id)).toEqual({ needs_triage: 0, category_id: wanted });
    const after = (await t.app.ctx.classify.suggest('东门外早点摊占着人行道摆桌子', c.campaignId))[0];
    expect(after.categoryId).toBe(wanted);
    expect(after.confidence).toBeGreaterThan(before.categoryId === wanted ? before.confidence : 0);
    const page = await staff.get(`/campaigns/${c.campaignId}/triage`);
    expect(page.text).toContain('停车交通');
  });

  it('refuses a POST without the CSRF token', async () => {
    const { t, c, record } = setup();
    const s = await record('今天天气不错', c.yongan);
    const staff = await loginAs(t, 'staff');
    const res = await staff.post(`/submissions/${s.id}/category`).type('form').send({ categoryId: String(categoryId(t.db, '其他')) });
    expect(res.status).toBe(403);
    expect(unclear(t, s.id).needs_triage).toBe(1);
  });

  it('refuses anonymous users, and answers staff outside the submission’s community as if it did not exist', async () => {
    const { t, c, record } = setup();
    const s = await record('今天天气不错', c.qingfeng);
    const anon = await request(t.app).post(`/submissions/${s.id}/category`).type('form').send({ categoryId: '1' });
    expect(anon.status).toBe(403); // no CSRF token (and no session) on an anonymous POST
    const staff = await loginAs(t, 'staff', { scopePlaceId: c.yongan });
    const res = await staff.post(`/submissions/${s.id}/category`).type('form').send({ _csrf: staff.csrf, categoryId: '1' });
    const missing = await staff.post('/submissions/99999/category').type('form').send({ _csrf: staff.csrf, categoryId: '1' });
    // Out of scope and missing answer alike (404), so submission ids cannot be probed.
    expect(res.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(res.text).toContain('找不到这个意见');
    expect(unclear(t, s.id).needs_triage).toBe(1);
  });

  it('refuses a category the campaign does not offer, or an inactive one, and learns nothing', async () => {
    const t = makeTestApp();
    const c = makeClassifyCampaign(t.db, { categories: ['环境卫生', '设施维修', '其他'] });
    const s = (await t.app.ctx.submissionService.record({
      campaignId: c.campaignId, idempotencyKey: key(), kind: 'suggestion', text: '东门外的早点摊一直占着人行道摆桌子', communityId: c.yongan,
    })).submission;
    const before = unclear(t, s.id);
    const lessons = await t.app.ctx.classify.correctionCount();
    const admin = await loginAs(t, 'admin');
    const post = (id: number) => admin.post(`/submissions/${s.id}/category`).type('form').send({ _csrf: admin.csrf, categoryId: String(id) });

    const notOffered = await post(categoryId(t.db, '停车交通'));
    expect(notOffered.status).toBe(400);
    expect(notOffered.text).toContain('所选分类不在本次征求意见的目录中。');

    t.db.prepare('UPDATE categories SET active = 0 WHERE id = ?').run(categoryId(t.db, '设施维修'));
    const inactive = await post(categoryId(t.db, '设施维修'));
    expect(inactive.status).toBe(400);
    expect(inactive.text).toContain('这个分类已停用');

    expect(unclear(t, s.id)).toEqual(before);
    expect(await t.app.ctx.classify.correctionCount()).toBe(lessons);
    expect(t.db.prepare('SELECT COUNT(*) FROM classifier_corrections').pluck().get()).toBe(0);

    // One the campaign offers is taken.
    await post(categoryId(t.db, '环境卫生')).expect(303);
    expect(unclear(t, s.id)).toEqual({ needs_triage: 0, category_id: categoryId(t.db, '环境卫生') });
  });

  it('answers a bad category or submission with a clear Chinese message, and never follows an absolute next URL', async () => {
    const { t, c, record } = setup();
    const s = await record('今天天气不错', c.yongan);
    const admin = await loginAs(t, 'admin');
    const bad = await admin.post(`/submissions/${s.id}/category`).type('form').send({ _csrf: admin.csrf, categoryId: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('分类');
    const unknown = await admin.post(`/submissions/${s.id}/category`).type('form').send({ _csrf: admin.csrf, categoryId: '99999' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('请选择一个有效的分类');
    expect((await admin.post('/submissions/99999/category').type('form').send({ _csrf: admin.csrf, categoryId: '1' })).status).toBe(404);
    const ok = await admin.post(`/submissions/${s.id}/category`).type('form')
      .send({ _csrf: admin.csrf, categoryId: String(categoryId(t.db, '其他')), next: 'https://evil.example/' });
    expect(ok.headers.location).toBe(`/campaigns/${c.campaignId}/triage`);
  });
});
